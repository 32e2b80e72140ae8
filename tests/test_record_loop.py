"""The record loop with a fake claim keeper and a fake sink: what it does with each verdict, and that it
writes what it finished before it waits for another run (two runs waiting on each other's unwritten
records would wait for ever)."""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from pipeline.record import SourceObject
from pipeline.run import loop as loop_module
from pipeline.run.context import RunConfig, RunContext
from pipeline.run.job import Outcome
from pipeline.run.loop import RecordLoop
from search.claims import Claim, ClaimResult, Verdict
from search.errors import IndexUnavailableError
from search.ledger import LedgerEntry


def src(key: str) -> SourceObject:
    return SourceObject("intake", key, "e1", 10)


@dataclass
class FakeKeeper:
    verdicts: dict[str, list[Verdict | Exception]]  # per key, what successive claims give (or raise)
    lease: float = 20.0
    log: list[str] = field(default_factory=list)
    held: set[str] = field(default_factory=set)  # keys whose claims this run holds now

    def claim(self, source: SourceObject, take_over: bool = True) -> ClaimResult:
        verdict = self.verdicts[source.key].pop(0)
        if isinstance(verdict, Exception):
            self.log.append(f"claim {source.key} raised")
            raise verdict
        if verdict is Verdict.TAKE_OVER and not take_over:
            self.log.append(f"claim {source.key} take_over left")  # as the real claim: nothing written
            return ClaimResult(verdict)
        self.log.append(f"claim {source.key} {verdict.value}")
        if verdict is Verdict.GIVE_UP:
            entry = LedgerEntry(source.id, "intake", source.key, "e1", "failed", reason="died", attempts=2)
            return ClaimResult(verdict, entry=entry)
        if verdict in (Verdict.CLAIM, Verdict.TAKE_OVER):
            self.held.add(source.id)
            return ClaimResult(verdict, claim=Claim(source.id, 1, 1, datetime.now(UTC), 1, 0))
        return ClaimResult(verdict)

    def lost(self, record_id: str) -> bool:
        return False

    def release(self, ids: Iterable[str]) -> None:
        self.held.difference_update(ids)


def run(
    verdicts: dict[str, list[Verdict | Exception]],
    monkeypatch: pytest.MonkeyPatch,
    workers: int = 2,
    holding: dict[str, int] | None = None,  # filled: per record, how many claims the run held as it started
):
    keeper = FakeKeeper(verdicts)
    ctx = RunContext(RunConfig(flush_every=20), store=None, es=None, run_id="r")  # type: ignore[arg-type]
    settled: list[Outcome] = []
    skipped: list[tuple[str, str]] = []
    holding = {} if holding is None else holding

    def fake_flush(outcomes: list[Outcome], _ctx: RunContext) -> list[Outcome]:
        keeper.log.append("flush " + ",".join(o.source.key for o in outcomes))
        return outcomes

    def submit(source: SourceObject) -> Future[Outcome]:
        keeper.log.append(f"process {source.key}")
        holding[source.key] = len(keeper.held)
        fut: Future[Outcome] = Future()
        fut.set_result(Outcome(source, "indexed", n_pages=1))
        return fut

    monkeypatch.setattr(loop_module, "flush", fake_flush)
    loop = RecordLoop(
        ctx,
        keeper,
        submit,
        workers,
        settled.append,
        lambda s, why: skipped.append((s.key, why)),
        poll=0.01,  # type: ignore[arg-type]
    )
    loop.run([src(k) for k in verdicts])
    return keeper.log, settled, skipped


def test_each_verdict_gets_its_treatment(monkeypatch: pytest.MonkeyPatch) -> None:
    log, settled, skipped = run(
        {
            "a": [Verdict.CLAIM],
            "b": [Verdict.DONE],
            "c": [Verdict.GIVE_UP],
            "d": [Verdict.TAKE_OVER, Verdict.TAKE_OVER],
            "e": [Verdict.CLAIM],
        },
        monkeypatch,
    )
    assert skipped == [("b", "done_elsewhere")]
    states = {o.source.key: (o.state, o.reason_code) for o in settled}
    assert states == {
        "a": ("indexed", None),
        "c": ("failed", "worker_died"),  # the claim wrote it: reported, not written again
        "d": ("indexed", None),
        "e": ("indexed", None),
    }
    assert not any(line.startswith("flush") and "c" in line.split()[1].split(",") for line in log)
    # the record a dead worker held is taken over last, and runs alone: after everything else was written
    assert log.index("claim d take_over left") < log.index("process e")
    taken = log.index("claim d take_over")
    assert log[taken - 1].startswith("flush") and log.index("process e") < taken == log.index("process d") - 1


def test_records_held_by_a_dead_worker_are_claimed_one_at_a_time_when_each_runs_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # "k" killed the worker that held it with "i" and "j": if "k" runs first and kills this worker too,
    # "i" and "j" must not die with it unrun (each death counts an attempt: they would be given up)
    suspects = ("k", "i", "j")
    verdicts: dict[str, list[Verdict | Exception]] = {key: [Verdict.TAKE_OVER] * 2 for key in suspects}
    verdicts["a"] = [Verdict.CLAIM]
    holding: dict[str, int] = {}
    log, settled, _ = run(verdicts, monkeypatch, workers=2, holding=holding)
    assert holding == {"a": 1, "k": 1, "i": 1, "j": 1}
    for key in suspects:
        assert log.index(f"claim {key} take_over") == log.index(f"process {key}") - 1
    assert {o.source.key for o in settled} == {"a", *suspects}


def test_finished_records_are_written_before_waiting_for_another_run(monkeypatch: pytest.MonkeyPatch) -> None:
    log, settled, skipped = run(
        {"a": [Verdict.CLAIM], "b": [Verdict.BUSY, Verdict.BUSY, Verdict.DONE]}, monkeypatch
    )
    # "a" is written before "b" is asked for again: the other run may be waiting for "a"
    assert log.index("flush a") < log.index("claim b busy", log.index("claim b busy") + 1)
    assert skipped == [("b", "done_elsewhere")] and [o.source.key for o in settled] == ["a"]


def test_a_claim_meeting_an_outage_fails_its_record_and_the_run_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    down = IndexUnavailableError("Elasticsearch", "http://127.0.0.1:9", "ConnectionError")
    log, settled, skipped = run({"a": [down], "b": [Verdict.CLAIM]}, monkeypatch)
    states = {o.source.key: (o.state, o.reason_code) for o in settled}
    assert states == {"a": ("failed", "es_unavailable"), "b": ("indexed", None)}
    assert "process a" not in log and "process b" in log
    # the failure goes through the sink like any other outcome: the ledger gets it once the server is back
    assert any(line.startswith("flush") and "a" in line.split()[1].split(",") for line in log)
    assert not skipped
