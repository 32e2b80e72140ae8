"""Prefect flows and their tasks only; the work they map lives in `pipeline.run`.

Telemetry and analytics are off by default wherever the flows run (a worker imports this package
before the flow's module): the center's machines have no internet, and records must not phone home.
"""

import os

for _name, _value in (
    ("PREFECT_SERVER_ANALYTICS_ENABLED", "false"),
    ("PREFECT_CLOUD_ENABLE_ORCHESTRATION_TELEMETRY", "false"),
    ("DO_NOT_TRACK", "1"),
):
    os.environ.setdefault(_name, _value)
