"""A run's claims on its records: taken before a record's OCR starts, renewed in the background while
records run, dropped once the record's final state is in the ledger (`search.claims` does the writing)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from datetime import datetime

from core.retry import with_retries
from core.worker import WorkerId, this_worker
from pipeline.record import SourceObject
from pipeline.run.context import RunContext
from pipeline.run.plan import Mode, still_wanted
from search import claims
from search.claims import Claim, ClaimResult, Target
from search.ledger import LedgerEntry

log = logging.getLogger("sohoa.claims")


class ClaimKeeper:
    """Claims records for this run and keeps their leases alive. Use as a context manager: the renewal
    thread runs inside it. `since`: when the run (or its backlog) started; a record another run finished
    after that is not done again."""

    def __init__(self, ctx: RunContext, mode: Mode, since: datetime, me: WorkerId | None = None) -> None:
        self.ctx, self.mode, self.since = ctx, mode, since
        self.me = me or this_worker(ctx.config.host)
        self.lease = ctx.config.claim_lease
        self._held: dict[str, Claim] = {}
        self._lost: set[str] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- claiming --------------------------------------------------------------------------------------
    def _wanted(self, source: SourceObject) -> Callable[[LedgerEntry], bool]:
        cfg = self.ctx.config

        def wanted(entry: LedgerEntry) -> bool:
            return still_wanted(entry, source.etag, self.mode, cfg.max_attempts, self.since)

        return wanted

    def claim(self, source: SourceObject, take_over: bool = True) -> ClaimResult:
        """Try to claim the record; waits for Elasticsearch within the run's budget (then raises).
        `take_over=False`: a record a dead worker held is reported, not claimed (`search.claims.claim`)."""
        cfg = self.ctx.config
        target = Target(source.id, source.bucket, source.key, source.etag, source.district or None)
        result, _ = with_retries(
            lambda: claims.claim(
                self.ctx.es,
                target,
                index=cfg.ledger_index,
                run_id=self.ctx.run_id,
                me=self.me,
                lease=self.lease,
                max_attempts=cfg.max_attempts,
                wanted=self._wanted(source),
                take_over=take_over,
            ),
            budget=self.ctx.budget(),
            what=f"claim {source.key}",
        )
        if result.claim is not None:
            with self._lock:
                self._held[source.id] = result.claim
                self._lost.discard(source.id)
        return result

    def release(self, record_ids: Iterable[str]) -> None:
        """The records' final states are written (which ended the claims): stop renewing them."""
        with self._lock:
            for rid in record_ids:
                self._held.pop(rid, None)
                self._lost.discard(rid)

    def lost(self, record_id: str) -> bool:
        """The claim was taken from this worker (its lease ran out while it was too slow to renew)."""
        with self._lock:
            return record_id in self._lost

    @property
    def held(self) -> int:
        with self._lock:
            return len(self._held)

    # -- renewing --------------------------------------------------------------------------------------
    def renew_now(self) -> None:
        with self._lock:
            held = list(self._held.values())
        if not held:
            return
        renewed, lost = claims.renew(self.ctx.es, held, index=self.ctx.config.ledger_index, lease=self.lease)
        with self._lock:
            for c in renewed:
                if c.record_id in self._held:  # not released meanwhile
                    self._held[c.record_id] = c
            for rid in lost:
                if self._held.pop(rid, None) is not None:
                    self._lost.add(rid)
                    log.error("lost the claim on record %s: another worker took it over", rid)

    def _renew_loop(self) -> None:
        while not self._stop.wait(self.lease / 3):
            try:
                self.renew_now()
            except Exception as exc:  # Elasticsearch away: the lease still runs; try again next time
                log.warning("could not renew %d claims: %s", self.held, exc)

    def __enter__(self) -> ClaimKeeper:
        self._thread = threading.Thread(target=self._renew_loop, name="sohoa-claims", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        with self._lock:
            unfinished = list(self._held.values())
        if exc_type is not None and unfinished:  # interrupted: give back what will not finish here
            try:
                n = claims.release(self.ctx.es, unfinished, index=self.ctx.config.ledger_index)
                log.info("gave back %d unfinished claims", n)
            except Exception as exc:  # their leases run out instead
                log.warning("could not give back %d claims: %s", len(unfinished), exc)
