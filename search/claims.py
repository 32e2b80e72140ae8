"""Claims on records: before its OCR starts, a worker writes the record's ledger entry as `processing`, with
its name and a lease, using Elasticsearch's optimistic concurrency (create-only for a new entry,
`if_seq_no`/`if_primary_term` for an existing one). Of two workers that try at once, one write fails with
a version conflict: only the winner processes the record.

A claim holds while its lease runs (the holder renews it, `renew`) and its worker lives. When the lease ran
out, or the claimant's process is gone from this same host, another worker may take the record over: the
takeover counts as an attempt and as a death of the worker. A record whose workers died on it
`max_attempts` times is written `failed` with the reason, and left alone by later runs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from elasticsearch import ConflictError, Elasticsearch, NotFoundError, helpers

from core.worker import WorkerId
from search.errors import es_errors
from search.ledger import FAILED, PROCESSING, LedgerEntry, lease_live, same_version

log = logging.getLogger(__name__)

WORKER_DIED = "worker_died"
RELEASED = "released"  # reason code of a claim given back unfinished (the run was interrupted): no death


class Verdict(StrEnum):
    CLAIM = "claim"  # nobody holds the record: a new attempt
    TAKE_OVER = "take_over"  # its claimant died (lease out, or its process gone): an attempt, and a death
    BUSY = "busy"  # another live worker holds it
    DONE = "done"  # no longer wanted: another run finished it since this one planned it
    GIVE_UP = "give_up"  # workers died on it max_attempts times: written failed, left alone


@dataclass(frozen=True)
class Target:
    """The object to claim, as listed now."""

    record_id: str
    bucket: str
    key: str
    etag: str
    district: str | None = None


@dataclass(frozen=True)
class Claim:
    """A claim this worker holds: the ledger version it wrote (for the renewal's optimistic write)."""

    record_id: str
    seq_no: int
    primary_term: int
    lease_until: datetime
    attempts: int
    died: int

    @property
    def taken_over(self) -> bool:
        return self.died > 0


@dataclass
class ClaimResult:
    verdict: Verdict
    claim: Claim | None = None  # when won (CLAIM or TAKE_OVER)
    entry: LedgerEntry | None = None  # the ledger entry as written (won, GIVE_UP) or as found (BUSY, DONE)

    @property
    def won(self) -> bool:
        return self.claim is not None


def judge(
    current: LedgerEntry | None,
    etag: str,
    me: WorkerId,
    now: datetime,
    max_attempts: int,
    wanted: Callable[[LedgerEntry], bool],
) -> Verdict:
    """What this worker may do with a record whose ledger entry is `current`."""
    if current is None:
        return Verdict.CLAIM
    if current.state != PROCESSING:
        return Verdict.CLAIM if wanted(current) else Verdict.DONE
    if current.worker == me.id or current.reason_code == RELEASED:
        return Verdict.CLAIM  # this very process claimed it before, or its claimant gave it back
    holder = WorkerId.parse(current.worker)
    if lease_live(current, now) and not (holder and holder.is_gone_from(me)):
        return Verdict.BUSY
    if not same_version(current, etag):
        return Verdict.CLAIM  # a dead claim on an older version: the new version starts afresh
    if (current.attempts or 0) >= max_attempts:
        return Verdict.GIVE_UP
    return Verdict.TAKE_OVER


def died_reason(died: int, attempts: int) -> str:
    times = "once" if died == 1 else f"{died} times"
    return (
        f"the worker died on it {times} ({attempts} attempts at this version; a file that kills its "
        "worker: out of memory, or a crash in a library); `sohoa run --reprocess-failed` tries it again"
    )


def _claim_entry(
    target: Target,
    current: LedgerEntry | None,
    verdict: Verdict,
    run_id: str,
    me: WorkerId,
    now: datetime,
    lease: float,
) -> LedgerEntry:
    same = current is not None and same_version(current, target.etag)
    prev_attempts = (current.attempts or 0) if same and current else 0
    prev_died = (current.died or 0) if same and current else 0
    ours = (
        current is not None
        and current.worker == me.id
        and current.state == PROCESSING
        and current.reason_code != RELEASED
    )
    attempts = prev_attempts if ours else prev_attempts + 1
    died = prev_died + (verdict is Verdict.TAKE_OVER)
    reason = None
    if verdict is Verdict.TAKE_OVER and current:
        reason = f"taken over from {current.worker}, which died on it (lease ran out or process gone)"
    stamp = now.isoformat()
    return LedgerEntry(
        target.record_id,
        target.bucket,
        target.key,
        target.etag,
        PROCESSING,
        reason=reason,
        reason_code="taken_over" if reason else None,
        attempts=max(attempts, 1),
        run_id=run_id,
        first_seen=(current.first_seen if current else None) or stamp,
        updated_at=stamp,
        district=target.district,
        worker=me.id,
        host=me.host,
        lease_until=(now + timedelta(seconds=lease)).isoformat(),
        died=died or None,
    )


def _give_up_entry(target: Target, current: LedgerEntry, run_id: str, now: datetime) -> LedgerEntry:
    died = (current.died or 0) + 1
    attempts = current.attempts or 0
    return LedgerEntry(
        target.record_id,
        target.bucket,
        target.key,
        target.etag,
        FAILED,
        reason=died_reason(died, attempts),
        reason_code=WORKER_DIED,
        attempts=attempts,
        run_id=run_id,
        first_seen=current.first_seen or now.isoformat(),
        updated_at=now.isoformat(),
        district=target.district,
        worker=current.worker,
        host=current.host,
        died=died,
    )


def _read(es: Elasticsearch, index: str, record_id: str) -> tuple[LedgerEntry | None, dict[str, Any]]:
    try:
        doc = es.get(index=index, id=record_id)  # realtime: sees the last write without a refresh
    except NotFoundError as exc:
        if isinstance(exc.body, dict) and exc.body.get("found") is False:
            return None, {}  # no entry yet (a missing index is an error: es_errors names it)
        raise
    return LedgerEntry.from_doc(doc["_source"]), {
        "if_seq_no": doc["_seq_no"],
        "if_primary_term": doc["_primary_term"],
    }


def _write(es: Elasticsearch, index: str, entry: LedgerEntry, version: dict[str, Any]) -> dict[str, Any]:
    if version:
        return dict(es.index(index=index, id=entry.id, document=entry.to_doc(), **version))
    return dict(es.create(index=index, id=entry.id, document=entry.to_doc()))


@es_errors
def claim(
    es: Elasticsearch,
    target: Target,
    *,
    index: str,
    run_id: str,
    me: WorkerId,
    lease: float,
    max_attempts: int,
    wanted: Callable[[LedgerEntry], bool],
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    max_conflicts: int = 5,
    take_over: bool = True,
) -> ClaimResult:
    """Try to claim `target` for this worker. `wanted(entry)` says whether a record in a final state is
    still to be processed by this run (the run's plan, asked again now). `take_over=False`: a record whose
    claimant died is only reported (TAKE_OVER, not won) and left as it is, for the caller to take over
    when it can run it alone."""
    for _ in range(max_conflicts + 1):
        current, version = _read(es, index, target.record_id)
        t = now()
        verdict = judge(current, target.etag, me, t, max_attempts, wanted)
        if verdict in (Verdict.BUSY, Verdict.DONE) or (verdict is Verdict.TAKE_OVER and not take_over):
            return ClaimResult(verdict, entry=current)
        if verdict is Verdict.GIVE_UP and current is not None:
            entry = _give_up_entry(target, current, run_id, t)
        else:
            entry = _claim_entry(target, current, verdict, run_id, me, t, lease)
        try:
            resp = _write(es, index, entry, version)
        except ConflictError:
            continue  # another worker wrote first: read again and judge again
        if verdict is Verdict.GIVE_UP:
            log.warning("gave up s3://%s/%s: %s", target.bucket, target.key, entry.reason)
            return ClaimResult(verdict, entry=entry)
        held = Claim(
            target.record_id,
            resp["_seq_no"],
            resp["_primary_term"],
            datetime.fromisoformat(entry.lease_until or t.isoformat()),
            entry.attempts or 1,
            entry.died or 0,
        )
        return ClaimResult(verdict, claim=held, entry=entry)
    current, _ = _read(es, index, target.record_id)
    return ClaimResult(Verdict.BUSY, entry=current)  # contended all along: someone else is at it


def _update_claims(
    es: Elasticsearch, claims: list[Claim], index: str, doc: Callable[[Claim], dict[str, Any]]
) -> Iterator[tuple[Claim, bool, dict[str, Any]]]:
    """Update each claim's entry if it is still the version this worker wrote; one bulk request.
    Yields (claim, ok, the bulk item's answer)."""
    by_id = {c.record_id: c for c in claims}
    actions = [
        {
            "_op_type": "update",
            "_index": index,
            "_id": c.record_id,
            "if_seq_no": c.seq_no,
            "if_primary_term": c.primary_term,
            "doc": doc(c),
        }
        for c in claims
    ]
    for ok, item in helpers.streaming_bulk(
        es, actions, raise_on_error=False, raise_on_exception=False, max_retries=0
    ):
        info = item["update"]
        yield by_id[info["_id"]], ok, info


@es_errors
def renew(
    es: Elasticsearch,
    claims: list[Claim],
    *,
    index: str,
    lease: float,
    now: datetime | None = None,
) -> tuple[list[Claim], list[str]]:
    """Extend the leases of claims this worker holds, in one bulk request. Returns the renewed claims
    (with their new versions) and the ids of claims lost (someone took the record over, or its entry was
    written since: a final state by this worker is written over the claim, which ends it)."""
    until = (now or datetime.now(UTC)) + timedelta(seconds=lease)
    renewed: list[Claim] = []
    lost: list[str] = []
    for old, ok, info in _update_claims(es, claims, index, lambda c: {"lease_until": until.isoformat()}):
        if ok:
            renewed.append(
                Claim(old.record_id, info["_seq_no"], info["_primary_term"], until, old.attempts, old.died)
            )
        elif info.get("status") in (404, 409):
            lost.append(old.record_id)
        else:  # the server refused for load: keep the old lease, try again at the next renewal
            renewed.append(old)
            log.warning("lease renewal of %s failed: %s", old.record_id, info.get("error"))
    return renewed, lost


@es_errors
def release(es: Elasticsearch, claims: list[Claim], *, index: str, now: datetime | None = None) -> int:
    """Give claims back unfinished (the run was interrupted): the lease ends now and the attempt is not
    counted; the next run claims the record as if nobody had. Returns how many were given back."""
    stamp = (now or datetime.now(UTC)).isoformat()

    def given_back(c: Claim) -> dict[str, Any]:
        return {
            "lease_until": stamp,
            "updated_at": stamp,
            "attempts": max(c.attempts - 1, 0),
            "reason_code": RELEASED,
            "reason": "given back unfinished: its run was interrupted; the next run processes it",
        }

    return sum(ok for _, ok, _ in _update_claims(es, claims, index, given_back))
