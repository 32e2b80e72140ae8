"""Claims against the real Elasticsearch: one winner among racing workers, leases renewed and lost,
takeovers counted as attempts, a record given up after its workers died on it `max_attempts` times, and
no final state written over another worker's live claim."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from elasticsearch import Elasticsearch

from core.worker import WorkerId
from pipeline.record import record_id
from search.claims import WORKER_DIED, Target, Verdict, claim, renew
from search.ledger import FAILED, INDEXED, LedgerEntry, get_states, write_entries
from tests.search_fixtures import SearchNames, search_names_fixture  # noqa: F401

pytestmark = pytest.mark.servers

TARGET = Target(record_id("intake", "cau-giay/a.png"), "intake", "cau-giay/a.png", "e1", "cau-giay")


def worker(n: int) -> WorkerId:
    return WorkerId(f"machine-{n}", 10_000 + n, "1")  # on other hosts: only their leases tell


def try_claim(
    es: Elasticsearch,
    ledger: str,
    who: WorkerId,
    *,
    lease: float = 60,
    at: datetime | None = None,
    max_attempts: int = 3,
    run: str | None = None,
    take_over: bool = True,
):
    return claim(
        es,
        TARGET,
        index=ledger,
        run_id=run or f"run-{who.host}",
        me=who,
        lease=lease,
        max_attempts=max_attempts,
        wanted=lambda e: e.state == FAILED,
        now=(lambda: at) if at else (lambda: datetime.now(UTC)),
        take_over=take_over,
    )


def current(es: Elasticsearch, ledger: str) -> LedgerEntry:
    return get_states(es, [TARGET.record_id], index=ledger)[TARGET.record_id]


def test_of_racing_workers_exactly_one_wins(es: Elasticsearch, search_names: SearchNames) -> None:
    results: dict[int, Verdict] = {}
    barrier = threading.Barrier(6)

    def race(n: int) -> None:
        barrier.wait()
        results[n] = try_claim(es, search_names.ledger, worker(n)).verdict

    threads = [threading.Thread(target=race, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results.values()) == sorted([Verdict.CLAIM] + [Verdict.BUSY] * 5), results
    winner = next(n for n, v in results.items() if v is Verdict.CLAIM)
    entry = current(es, search_names.ledger)
    assert entry.state == "processing" and entry.worker == worker(winner).id and entry.attempts == 1


def test_a_renewed_claim_holds_and_a_lapsed_one_is_taken_over_and_lost(
    es: Elasticsearch, search_names: SearchNames
) -> None:
    ledger = search_names.ledger
    first = try_claim(es, ledger, worker(1), lease=5)
    assert first.claim is not None
    later = datetime.now(UTC) + timedelta(seconds=30)
    # renewed now for a minute: still held half a minute later
    renewed, lost = renew(es, [first.claim], index=ledger, lease=60)
    assert len(renewed) == 1 and not lost
    assert try_claim(es, ledger, worker(2), at=later).verdict is Verdict.BUSY
    # two minutes later the lease has run out. Asked without taking over, worker 2 learns it and writes
    # nothing (it takes records over only when it can run them alone)
    later = datetime.now(UTC) + timedelta(minutes=2)
    told = try_claim(es, ledger, worker(2), at=later, take_over=False)
    assert told.verdict is Verdict.TAKE_OVER and told.claim is None
    entry = current(es, ledger)
    assert (entry.worker, entry.attempts, entry.died) == (worker(1).id, 1, None)
    # then it takes over: an attempt and a death
    taken = try_claim(es, ledger, worker(2), at=datetime.now(UTC) + timedelta(minutes=2))
    assert taken.verdict is Verdict.TAKE_OVER and taken.claim is not None
    entry = current(es, ledger)
    assert (entry.worker, entry.attempts, entry.died) == (worker(2).id, 2, 1)
    assert "taken over from machine-1" in (entry.reason or "")
    # worker 1 wakes up: its renewal fails, it knows it lost the record
    renewed, lost = renew(es, renewed, index=ledger, lease=60)
    assert lost == [TARGET.record_id] and not renewed


def test_no_final_state_over_another_workers_live_claim(es: Elasticsearch, search_names: SearchNames) -> None:
    ledger = search_names.ledger
    held = try_claim(es, ledger, worker(1), run="run-1")
    assert held.won

    def final(who: WorkerId, run: str) -> LedgerEntry:
        return LedgerEntry(TARGET.record_id, "intake", TARGET.key, "e1", INDEXED, run_id=run, worker=who.id)

    refused = write_entries(es, [final(worker(2), "run-2")], index=ledger)
    assert not refused.written and "claimed by machine-1" in refused.failed[0][1]
    done = write_entries(es, [final(worker(1), "run-1")], index=ledger)
    assert done.written and not done.failed
    entry = current(es, ledger)
    # the claimant's final state closes its attempt (not a second one) and ends the lease
    assert (entry.state, entry.attempts, entry.lease_until) == (INDEXED, 1, None)
    # indexed is not wanted again: another worker is told it is done
    assert try_claim(es, ledger, worker(2)).verdict is Verdict.DONE


def test_a_record_that_kills_its_workers_is_given_up_after_max_attempts(
    es: Elasticsearch, search_names: SearchNames
) -> None:
    ledger = search_names.ledger
    t = datetime.now(UTC)
    seen = []
    for n in range(1, 4):  # each worker claims it and dies: its lease runs out unrenewed
        t += timedelta(minutes=5)
        result = try_claim(es, ledger, worker(n), lease=60, at=t, max_attempts=3)
        seen.append(result.verdict)
    t += timedelta(minutes=5)
    last = try_claim(es, ledger, worker(9), lease=60, at=t, max_attempts=3)
    assert seen == [Verdict.CLAIM, Verdict.TAKE_OVER, Verdict.TAKE_OVER]
    assert last.verdict is Verdict.GIVE_UP and not last.won
    entry = current(es, ledger)
    assert (entry.state, entry.reason_code, entry.attempts, entry.died) == (FAILED, WORKER_DIED, 3, 3)
    assert "the worker died on it 3 times" in (entry.reason or "")
    # a new upload of the object starts afresh
    fresh = claim(
        es,
        Target(TARGET.record_id, "intake", TARGET.key, "e2"),
        index=ledger,
        run_id="r",
        me=worker(5),
        lease=60,
        max_attempts=3,
        wanted=lambda e: True,
    )
    assert fresh.verdict is Verdict.CLAIM and fresh.claim is not None and fresh.claim.attempts == 1
