"""The record loop's claims against the real Elasticsearch, across worker deaths: records a dead worker held
are taken over one at a time, so a file that kills its worker again takes none of them down with it.

A worker's death is played in-process: its record job raises, and its claims are left as they are (no
renewal, no giving back), with a short lease that runs out, as a killed process leaves them."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from concurrent.futures import Future
from datetime import UTC, datetime

import pytest
from elasticsearch import Elasticsearch

from pipeline.record import SourceObject
from pipeline.run.claims import ClaimKeeper
from pipeline.run.context import RunConfig, RunContext
from pipeline.run.job import Outcome
from pipeline.run.loop import RecordLoop
from pipeline.run.plan import Mode
from search.claims import Verdict
from search.ledger import get_states
from tests.search_fixtures import SearchNames, search_names_fixture  # noqa: F401

pytestmark = pytest.mark.servers

LEASE = 1.0  # seconds: a dead worker's claims run out quickly
SOURCES = [SourceObject("intake", f"cau-giay/{name}.png", "e1", 10) for name in ("killer", "qd-1", "qd-2")]
KILLER = SOURCES[0]


class WorkerDied(BaseException):
    """The worker process is gone (played in-process)."""


def keeper(es: Elasticsearch, ledger: str, machine: int) -> ClaimKeeper:
    config = RunConfig(ledger_index=ledger, max_attempts=2, claim_lease=LEASE, host=f"machine-{machine}")
    # no object store: the records' jobs are played, and only ledger entries are written
    ctx = RunContext(config, store=None, es=es, run_id=f"run-{machine}")  # type: ignore[arg-type]
    # not entered as a context manager: no renewal, and nothing is given back when the worker dies
    return ClaimKeeper(ctx, Mode.resume, datetime.now(UTC))


def run_worker(
    keeper: ClaimKeeper, on_start: Callable[[SourceObject], object] | None = None
) -> list[Outcome]:
    """One worker's run over the three records; the killer kills it. Returns what it settled."""
    settled: list[Outcome] = []

    def submit(source: SourceObject) -> Future[Outcome]:
        if on_start:
            on_start(source)
        if source == KILLER:
            raise WorkerDied(source.key)
        fut: Future[Outcome] = Future()
        fut.set_result(Outcome(source, "indexed", n_pages=1))
        return fut

    loop = RecordLoop(keeper.ctx, keeper, submit, 2, settled.append, lambda s, why: None, poll=0.05)
    with contextlib.suppress(WorkerDied):
        loop.run(SOURCES)
    return settled


Holder = tuple[str | None, int | None, int | None]  # the claimant, attempts, deaths


def holders(es: Elasticsearch, ledger: str) -> dict[str, Holder]:
    states = get_states(es, [s.id for s in SOURCES], index=ledger)
    return {s.key: (states[s.id].worker, states[s.id].attempts, states[s.id].died) for s in SOURCES}


def test_records_a_dead_worker_held_are_taken_over_one_at_a_time(
    es: Elasticsearch, search_names: SearchNames
) -> None:
    ledger = search_names.ledger

    # worker 1 claims the killer and one more record, and dies on the killer
    first = keeper(es, ledger, 1)
    assert [first.claim(s).verdict for s in SOURCES[:2]] == [Verdict.CLAIM, Verdict.CLAIM]
    time.sleep(LEASE + 0.5)

    # worker 2 runs the two suspects alone, the killer first: as it dies, qd-1 is still worker 1's, unrun
    seen: dict[str, dict[str, Holder]] = {}
    second = keeper(es, ledger, 2)
    done = run_worker(second, lambda source: seen.setdefault(source.key, holders(es, ledger)))
    assert seen[KILLER.key]["cau-giay/qd-1.png"] == (first.me.id, 1, None)
    assert seen[KILLER.key][KILLER.key] == (second.me.id, 2, 1)
    assert [o.source.key for o in done] == ["cau-giay/qd-2.png"]  # the record nobody died on ran at once
    time.sleep(LEASE + 0.5)

    # worker 3: the killer is given up after its second death; qd-1, taken over once, is done
    third = keeper(es, ledger, 3)
    outcomes = {o.source.key: (o.state, o.reason_code) for o in run_worker(third)}
    assert outcomes == {KILLER.key: ("failed", "worker_died"), "cau-giay/qd-1.png": ("indexed", None)}
    entries = get_states(es, [s.id for s in SOURCES], index=ledger)
    assert [(entries[s.id].state, entries[s.id].died) for s in SOURCES] == [
        ("failed", 2),
        ("indexed", 1),
        ("indexed", None),
    ]
