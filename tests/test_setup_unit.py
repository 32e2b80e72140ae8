"""The zombie automation as `sohoa prefect setup` writes it (its effect is tested in tests/test_fanout.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from prefect.client.schemas.objects import StateType

from flows.setup import SOHOA_TAG, same_automation, zombie_automation

ROOT = Path(__file__).resolve().parents[1]


def test_the_automation_crashes_sohoa_runs_silent_for_the_given_time() -> None:
    auto = zombie_automation(90)
    trigger = auto.trigger
    # armed by the start of a run too: a machine that dies before its first heartbeat is caught
    assert trigger.after == {"prefect.flow-run.heartbeat", "prefect.flow-run.Running"}
    assert trigger.expect == {"prefect.flow-run.*"} and trigger.within == timedelta(seconds=90)
    assert trigger.posture == "Proactive" and trigger.for_each == {"prefect.resource.id"}
    related = trigger.match_related
    assert related.get("prefect.resource.id") == [f"prefect.tag.{SOHOA_TAG}"]  # only sohoa's runs
    (action,) = auto.actions
    assert action.state == StateType.CRASHED and "90 s" in (action.message or "")


SAME_UNDER_SEED = """
from flows.setup import same_automation, zombie_automation
wanted = zombie_automation(90)
server = wanted.model_dump(mode="json")  # what the server returns: lists, in its own order
server["trigger"] = {k: v[::-1] if isinstance(v, list) else v for k, v in server["trigger"].items()}
print(same_automation(server, wanted))
"""


def test_an_unchanged_automation_is_recognised_whatever_the_hash_seed() -> None:
    """The event-name sets come back from the server as lists in its order; under some hash seeds a set
    built in the other order dumps in the other order too. The comparison must not care."""
    for seed in range(24):
        out = subprocess.run(
            [sys.executable, "-c", SAME_UNDER_SEED],
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        )
        assert out.stdout.strip() == "True", (seed, out.stdout, out.stderr)


def test_a_changed_automation_is_not_the_same() -> None:
    server = zombie_automation(90).model_dump(mode="json")
    assert not same_automation(server, zombie_automation(60))
