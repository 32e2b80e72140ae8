"""Prefect flows and their tasks only; the work they map lives in `pipeline.run`.

Defaults set wherever the flows run (a worker imports this package before the flow's module):
- telemetry and analytics off: the center's machines have no internet, records must not phone home;
- the local (ephemeral) Prefect server of a `sohoa run` gets 90 s to start instead of 20: on a busy
  machine (a batch already running) 20 s was not always enough.
"""

import os

for _name, _value in (
    ("PREFECT_SERVER_ANALYTICS_ENABLED", "false"),
    ("PREFECT_CLOUD_ENABLE_ORCHESTRATION_TELEMETRY", "false"),
    ("DO_NOT_TRACK", "1"),
    ("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90"),
):
    os.environ.setdefault(_name, _value)
