"""Claims without a server: what a worker may do with a record given its ledger entry (`search.claims.judge`),
which records a run still wants at claim time, and how workers are named and found dead."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from core.worker import WorkerId, this_worker
from pipeline.run.plan import Mode, still_wanted
from search.claims import Verdict, died_reason, judge
from search.ledger import LedgerEntry

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
ME = WorkerId("machine-a", 1111, "500")
OTHER_HOST = WorkerId("machine-b", 2222, "600")


def entry(
    state: str,
    *,
    etag: str = "e1",
    worker: WorkerId | None = None,
    lease: float | None = None,
    attempts: int = 1,
    updated: datetime | None = None,
    run: str = "r0",
) -> LedgerEntry:
    return LedgerEntry(
        "id",
        "b",
        "k.png",
        etag,
        state,
        attempts=attempts,
        run_id=run,
        worker=worker.id if worker else None,
        lease_until=(NOW + timedelta(seconds=lease)).isoformat() if lease is not None else None,
        updated_at=(updated or NOW).isoformat(),
    )


def verdict(
    current: LedgerEntry | None, *, etag: str = "e1", max_attempts: int = 3, wanted: bool = True
) -> Verdict:
    return judge(current, etag, ME, NOW, max_attempts, lambda e: wanted)


def test_a_record_nobody_holds_is_claimed() -> None:
    assert verdict(None) is Verdict.CLAIM
    assert verdict(entry("failed")) is Verdict.CLAIM
    assert verdict(entry("indexed"), wanted=False) is Verdict.DONE


def test_a_live_claim_of_another_worker_holds() -> None:
    assert verdict(entry("processing", worker=OTHER_HOST, lease=30)) is Verdict.BUSY


def test_a_claim_whose_lease_ran_out_is_taken_over_then_given_up() -> None:
    dead = entry("processing", worker=OTHER_HOST, lease=-1, attempts=2)
    assert verdict(dead, max_attempts=3) is Verdict.TAKE_OVER
    assert verdict(dead, max_attempts=2) is Verdict.GIVE_UP
    # a dead claim on an older version does not count against the new one
    assert verdict(dead, etag="e2", max_attempts=2) is Verdict.CLAIM


def test_a_claim_without_a_lease_never_holds() -> None:
    # entries written by older versions, or by hand: `processing` without a lease is a dead claim
    assert verdict(entry("processing", attempts=1)) is Verdict.TAKE_OVER


def test_this_workers_own_claim_is_still_its_own() -> None:
    assert verdict(entry("processing", worker=ME, lease=30)) is Verdict.CLAIM


def test_a_live_lease_of_a_process_gone_from_this_host_does_not_hold() -> None:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    me = this_worker()
    gone = WorkerId(me.host, proc.pid, "1")
    assert gone.is_gone_from(me)
    current = entry("processing", worker=gone, lease=300)
    assert judge(current, "e1", me, NOW, 3, lambda e: True) is Verdict.TAKE_OVER
    # the same pid on another host says nothing: only the lease tells there
    assert not WorkerId("elsewhere", proc.pid, "1").is_gone_from(me)
    # a live process whose start differs is a reused pid: its claimant is gone
    assert WorkerId(me.host, me.pid, "not-" + me.start).is_gone_from(me) == bool(me.start)
    assert not me.is_gone_from(me)


def test_worker_ids_round_trip() -> None:
    w = WorkerId("host/with/slashes", 42, "777")
    assert WorkerId.parse(w.id) == w
    assert WorkerId.parse(None) is None and WorkerId.parse("nonsense") is None


def test_still_wanted_skips_what_another_run_finished_since_this_one_started() -> None:
    since = NOW - timedelta(minutes=5)
    done_before = entry("indexed", updated=NOW - timedelta(hours=1))
    done_since = entry("indexed", updated=NOW)
    failed_since = entry("failed", updated=NOW)
    assert not still_wanted(done_before, "e1", Mode.resume, 3, since)  # indexed: resume skips it anyway
    assert still_wanted(done_before, "e1", Mode.force, 3, since)  # force redoes what was done before
    assert not still_wanted(done_since, "e1", Mode.force, 3, since)  # but not what another run just did
    assert not still_wanted(failed_since, "e1", Mode.resume, 3, since)  # another run just tried it
    assert still_wanted(entry("failed", updated=NOW - timedelta(hours=1)), "e1", Mode.resume, 3, since)
    assert still_wanted(done_since, "e2", Mode.resume, 3, since)  # a new version


@pytest.mark.parametrize(("died", "text"), [(1, "died on it once"), (3, "died on it 3 times")])
def test_the_reason_says_how_often_the_worker_died(died: int, text: str) -> None:
    assert text in died_reason(died, 3)
