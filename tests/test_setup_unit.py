"""The zombie automation as `sohoa prefect setup` writes it (its effect is tested in tests/test_fanout.py)."""

from __future__ import annotations

from datetime import timedelta

from prefect.client.schemas.objects import StateType

from flows.setup import SOHOA_TAG, zombie_automation


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
