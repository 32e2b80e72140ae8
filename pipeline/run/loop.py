"""The record loop of a run: claim each planned record, process it on one of `workers` slots, settle the
outcomes in bulk (`sink.flush`). Knows nothing of Prefect: `submit` starts one record's job and returns a
future of its `Outcome` (the flows give Prefect tasks or plain threads).

Records the claims say something about are not processed at once:
- claimed by another live worker: asked again every few seconds until that worker finished them (done
  elsewhere) or died (then taken over);
- held by a dead worker: taken over at the end, one at a time, and processed alone, so that a file that
  kills its worker takes no innocent record down with it (their attempts would count too). Each is claimed
  only when its turn comes: a suspect claimed early would die unrun with the killer that runs before it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, wait

from core.errors import ServerUnavailableError
from pipeline.record import SourceObject
from pipeline.run.claims import ClaimKeeper
from pipeline.run.context import RunContext
from pipeline.run.job import Outcome
from pipeline.run.plan import DONE_ELSEWHERE
from pipeline.run.sink import flush
from search.claims import WORKER_DIED, Verdict

log = logging.getLogger("sohoa.run")

CLAIM_LOST = "claim_lost"  # skipped: the claim was taken over while this worker ran it (too slow to renew)
# A finished record's claim ends only when its final state is written: write at least this often, so that
# another run waiting for these records (two runs on one prefix) never waits long, and never for ever.
FLUSH_AFTER = 15.0


class RecordLoop:
    def __init__(
        self,
        ctx: RunContext,
        keeper: ClaimKeeper,
        submit: Callable[[SourceObject], Future[Outcome]],
        workers: int,
        settled: Callable[[Outcome], None],
        skipped: Callable[[SourceObject, str], None],
        started: Callable[[SourceObject], None] = lambda s: None,
        timed: Callable[[str, float], None] = lambda phase, seconds: None,
        poll: float | None = None,
    ) -> None:
        self.ctx, self.keeper, self.submit, self.workers = ctx, keeper, submit, max(1, workers)
        self.settled, self.skipped, self.started, self.timed = settled, skipped, started, timed
        self.poll = poll if poll is not None else min(5.0, keeper.lease / 4)
        self.in_flight: dict[Future[Outcome], SourceObject] = {}
        self.pending: list[Outcome] = []
        self.pending_since: float | None = None  # when the oldest unwritten outcome came in
        self.waiting: list[SourceObject] = []  # claimed by a live worker elsewhere
        self.suspects: list[SourceObject] = []  # held by a dead worker: taken over later, run alone

    def run(self, todo: Iterable[SourceObject]) -> None:
        try:
            for source in todo:
                self._reap_until(self.workers - 1)
                self._claim_and_start(source)
            self._finish_deferred()
            self._reap_until(0)
            self._settle()
        except BaseException:  # Ctrl-C, or a server gone longer than the wait budget
            self._settle()  # what finished is kept; the rest has no final state and runs next time
            raise

    # -- one record ------------------------------------------------------------------------------------
    def _claim_and_start(self, source: SourceObject, alone: bool = False) -> None:
        """`alone`: the record's turn to run alone has come (nothing else runs): take it over if need be."""
        t = time.perf_counter()
        try:
            result = self.keeper.claim(source, take_over=alone)
        except ServerUnavailableError as exc:
            # Elasticsearch away for longer than a record waits: this record fails (the next run does it)
            # and the run goes on, as when its indexing meets the outage
            self._add_pending(Outcome(source, "failed", str(exc), exc.reason))
            return
        finally:
            self.timed("claim", time.perf_counter() - t)
        verdict = result.verdict
        if verdict is Verdict.CLAIM:
            self._start(source)
        elif verdict is Verdict.TAKE_OVER and result.won:
            log.warning("took over %s: its worker died on it; it runs alone", source.key)
            self._start(source)
        elif verdict is Verdict.TAKE_OVER:
            log.warning("%s: its worker died on it; it will be taken over and run alone, last", source.key)
            self.suspects.append(source)
        elif verdict is Verdict.BUSY:
            self.waiting.append(source)
        elif verdict is Verdict.DONE:
            self.skipped(source, DONE_ELSEWHERE)
        else:  # GIVE_UP: the claim wrote the final state; the report still lists it
            entry = result.entry
            self.settled(
                Outcome(
                    source,
                    "failed",
                    entry.reason if entry else None,
                    WORKER_DIED,
                    attempts=(entry.attempts or 0) if entry else 0,
                )
            )

    def _start(self, source: SourceObject) -> None:
        self.started(source)
        self.in_flight[self.submit(source)] = source

    # -- waiting for results ---------------------------------------------------------------------------
    def _reap_until(self, at_most: int) -> None:
        """Collect finished records until at most `at_most` run; flush in bulk-sized groups."""
        while len(self.in_flight) > at_most:
            done, _ = wait(list(self.in_flight), timeout=FLUSH_AFTER, return_when=FIRST_COMPLETED)
            self._collect(done)
            self._settle_if_due()

    def _pause(self, seconds: float) -> None:
        """Wait `seconds`, collecting what finishes meanwhile."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            if not self.in_flight:
                time.sleep(left)
                return
            done, _ = wait(list(self.in_flight), timeout=left, return_when=FIRST_COMPLETED)
            self._collect(done)

    def _collect(self, done: Iterable[Future[Outcome]]) -> None:
        for fut in done:
            self.in_flight.pop(fut)
            self._add_pending(fut.result())

    def _add_pending(self, outcome: Outcome) -> None:
        self.pending.append(outcome)
        if self.pending_since is None:
            self.pending_since = time.monotonic()

    def _settle_if_due(self) -> None:
        """Write in bulk-sized groups, or when the oldest finished record has waited FLUSH_AFTER."""
        old = self.pending_since is not None and time.monotonic() - self.pending_since >= FLUSH_AFTER
        if len(self.pending) >= self.ctx.config.flush_every or old:
            self._settle()

    def _settle(self) -> None:
        if not self.pending:
            return
        outcomes, self.pending, self.pending_since = self.pending, [], None
        kept = []
        for o in outcomes:
            if self.keeper.lost(o.source.id):  # another worker has it now: its result will be the one
                self.skipped(o.source, CLAIM_LOST)
            else:
                kept.append(o)
        t = time.perf_counter()
        flushed = flush(kept, self.ctx)
        self.timed("index", time.perf_counter() - t)  # the bulk index request and the ledger write
        for o in flushed:
            self.settled(o)
        self.keeper.release(o.source.id for o in outcomes)

    # -- records the claims held back ------------------------------------------------------------------
    def _finish_deferred(self) -> None:
        while self.suspects or self.waiting:
            while self.suspects:
                source = self.suspects.pop(0)
                self._reap_until(0)
                self._settle()  # what finished is written first: a death now must not cost it an attempt
                self._claim_and_start(source, alone=True)
                self._reap_until(0)  # alone: if it kills this worker, nothing else dies with it
                self._settle()
            if self.waiting:
                self._reap_until(self.workers - 1)
                self._collect([f for f in self.in_flight if f.done()])
                self._settle()  # what this run finished may be what the other run waits for
                self._pause(self.poll)
                waiting, self.waiting = self.waiting, []
                for source in waiting:
                    self._reap_until(self.workers - 1)
                    self._claim_and_start(source)
