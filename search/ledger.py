"""The ledger: one entry per object (bucket, key) with the state of its last processing.

The flows read it to skip work already done (`get_states` + `needs_work`, batched: one mget per
1000 objects) and write it after every batch (`write_entries`); technicians query it for failures
(`failures`, `summary`, or Kibana). The entry id is the record id (`pipeline.record.record_id`, given
by the caller), the same id as the record document, so an object has exactly one ledger entry
whatever its history.

`attempts` counts processing attempts of the object's current version (a new etag starts again at 1):
it goes up by one for each new attempt, and a terminal state written after a `processing` claim of the
same run closes that attempt instead of counting another. Claims (`search.claims`) write the
`processing` state with a lease before a record's OCR starts. Writes use optimistic concurrency
(if_seq_no/if_primary_term) so two workers never lose an update, and never replace another worker's
live claim.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import UTC, datetime
from typing import Any

from elasticsearch import Elasticsearch, helpers

from core.errors import AccessDeniedError
from search.errors import es_errors
from search.templates import refresh

__all__ = [
    "FAILED",
    "INDEXED",
    "PROCESSING",
    "QUARANTINED",
    "STATES",
    "LedgerEntry",
    "WriteReport",
    "failures",
    "get_states",
    "lease_live",
    "needs_work",
    "same_version",
    "summary",
    "write_entries",
]

log = logging.getLogger(__name__)

PROCESSING, INDEXED, FAILED, QUARANTINED = "processing", "indexed", "failed", "quarantined"
STATES = (PROCESSING, INDEXED, FAILED, QUARANTINED)
DEFAULT_LEDGER = "sohoa-ledger"
_MGET_BATCH = 1000


@dataclass
class LedgerEntry:
    record_id: str
    bucket: str
    key: str
    etag: str | None
    state: str  # processing | indexed | failed | quarantined
    reason: str | None = None  # for people: what went wrong and what to do
    reason_code: str | None = None  # for machines and charts: corrupt_file, es_mapping, ocr_timeout...
    attempts: int | None = None  # None: let write_entries count it
    run_id: str | None = None
    first_seen: str | None = None  # set once, on the first write
    updated_at: str | None = None  # set on every write
    district: str | None = None
    n_pages: int | None = None
    doc_type_code: str | None = None
    pdfa: str | None = None  # the PDF/A derivative: compliant | not_compliant | not_validated | not_made
    # the claim: who processes (or processed) the object, and until when the claim holds unless renewed
    worker: str | None = None  # core.worker.WorkerId.id: host/pid/start
    host: str | None = None
    lease_until: str | None = None  # only while `processing`
    died: int | None = None  # claims of this version whose worker died before a result
    extra: dict[str, Any] = field(default_factory=dict)  # stored, not indexed (dynamic: false)

    def __post_init__(self) -> None:
        if self.state not in STATES:
            raise ValueError(f"ledger state must be one of {STATES}, not {self.state!r}")
        self.etag = (self.etag or "").strip('"') or None

    @property
    def id(self) -> str:
        return self.record_id

    def to_doc(self) -> dict[str, Any]:
        doc = asdict(self)
        extra = doc.pop("extra") or {}
        return {**extra, **doc}

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> LedgerEntry:
        names = {f.name for f in fields(cls)} - {"extra"}
        known = {k: v for k, v in doc.items() if k in names}
        return cls(**known, extra={k: v for k, v in doc.items() if k not in names})


def lease_live(entry: LedgerEntry | Mapping[str, Any] | None, now: datetime) -> bool:
    """A `processing` claim whose lease has not run out (a claim without a lease never holds)."""
    if entry is None:
        return False
    doc = entry.to_doc() if isinstance(entry, LedgerEntry) else entry
    until = doc.get("lease_until")
    if doc.get("state") != PROCESSING or not until:
        return False
    return datetime.fromisoformat(until) > now


def same_version(entry: LedgerEntry | None, etag: str | None) -> bool:
    """The ledger entry is of the object as listed now (S3 quotes etags; the ledger stores them bare)."""
    return entry is not None and (entry.etag or None) == ((etag or "").strip('"') or None)


def needs_work(
    entry: LedgerEntry | None, etag: str | None, *, retry_failed: bool = True, retry_quarantined: bool = False
) -> bool:
    """Whether an object listed now with `etag` must be processed.

    A different etag (a new version of the object) always needs work. At the same etag: indexed is
    done; failed is retried by default (a server may have been down); quarantined (bad input) is not
    retried unless asked; processing means an earlier run died mid-way, so it is done again.
    """
    if entry is None or not same_version(entry, etag):
        return True
    if entry.state == INDEXED:
        return False
    if entry.state == FAILED:
        return retry_failed
    if entry.state == QUARANTINED:
        return retry_quarantined
    return True


@es_errors
def get_states(
    es: Elasticsearch, ids: Iterable[str], *, index: str = DEFAULT_LEDGER
) -> dict[str, LedgerEntry]:
    """Ledger entries by record id, batched; objects never seen are absent from the result."""
    return {
        doc["_id"]: LedgerEntry.from_doc(doc["_source"])
        for doc in _mget(es, index, list(dict.fromkeys(ids)))
        if doc.get("found")
    }


def _mget(es: Elasticsearch, index: str, ids: list[str]) -> Iterable[dict[str, Any]]:
    for start in range(0, len(ids), _MGET_BATCH):
        # realtime get: sees writes of the last second without a refresh
        yield from es.mget(index=index, ids=ids[start : start + _MGET_BATCH])["docs"]


@dataclass
class WriteReport:
    written: list[LedgerEntry] = field(default_factory=list)
    failed: list[tuple[LedgerEntry, str]] = field(default_factory=list)


@es_errors
def write_entries(
    es: Elasticsearch,
    entries: Iterable[LedgerEntry],
    *,
    index: str = DEFAULT_LEDGER,
    refresh: bool | str = False,
    now: datetime | None = None,
    max_conflict_retries: int = 5,
) -> WriteReport:
    """Record states. Keeps `first_seen`, counts `attempts`, sets `updated_at`; never raises for one bad
    entry: what could not be written is in `report.failed` (the object is then simply redone)."""
    stamp = (now or datetime.now(UTC)).isoformat()
    todo = {e.id: e for e in entries}  # the last entry for an object wins within one call
    report = WriteReport()
    for _ in range(max_conflict_retries + 1):
        if not todo:
            break
        current = {d["_id"]: d for d in _mget(es, index, list(todo)) if d.get("found")}
        clock = datetime.now(UTC)  # leases run on real time, whatever stamp the caller asked for
        for rid in [r for r in todo if _held_by_another(current.get(r), todo[r], clock)]:
            held = current[rid]["_source"]
            why = f"claimed by {held.get('worker')} until {held.get('lease_until')}"
            report.failed.append((todo.pop(rid), why))
        merged = {rid: _merge(e, current.get(rid), stamp) for rid, e in todo.items()}
        actions = []
        for rid, entry in merged.items():
            action: dict[str, Any] = {"_index": index, "_id": rid, "_source": entry.to_doc()}
            if rid in current:  # only if nobody wrote since we read
                action["if_seq_no"] = current[rid]["_seq_no"]
                action["if_primary_term"] = current[rid]["_primary_term"]
            else:
                action["_op_type"] = "create"
            actions.append(action)
        conflicts = {}
        for ok, item in helpers.streaming_bulk(
            es,
            actions,
            chunk_size=1000,
            raise_on_error=False,
            raise_on_exception=False,
            max_retries=0,  # core.retry waits for the server, around this call
            refresh=refresh,
        ):
            info = next(iter(item.values()))
            rid = info.get("_id")
            if ok:
                report.written.append(merged[rid])
            elif info.get("status") == 409:
                conflicts[rid] = todo[rid]  # someone else wrote it: read again and merge again
            else:
                report.failed.append((merged[rid], str(info.get("error"))))
        todo = conflicts
    for entry in todo.values():
        report.failed.append((entry, "version conflict persisted after retries"))
    for entry, why in report.failed:
        log.error("ledger write failed for s3://%s/%s: %s", entry.bucket, entry.key, why)
    return report


def _held_by_another(current: Mapping[str, Any] | None, entry: LedgerEntry, now: datetime) -> bool:
    """The object is claimed, with a live lease, by another worker (or, for writers that name no worker,
    another run): writing over the claim would let two workers process it."""
    if current is None or not lease_live(current["_source"], now):
        return False
    held = current["_source"]
    if entry.worker:
        return held.get("worker") != entry.worker
    return held.get("run_id") != entry.run_id


def _merge(entry: LedgerEntry, current: Mapping[str, Any] | None, stamp: str) -> LedgerEntry:
    old = current["_source"] if current else {}
    # attempts and deaths count per version: a new upload of the object starts afresh
    same = bool(old) and (old.get("etag") or None) == entry.etag
    attempts = entry.attempts
    if attempts is None:
        prev = int(old.get("attempts") or 0) if same else 0
        closes_mark = (
            old.get("state") == PROCESSING and old.get("run_id") == entry.run_id and entry.state != PROCESSING
        )
        attempts = prev if closes_mark and prev else prev + 1
    died = entry.died if entry.died is not None else (int(old.get("died") or 0) if same else 0)
    return replace(
        entry,
        attempts=attempts,
        died=died or None,
        first_seen=old.get("first_seen") or entry.first_seen or stamp,
        updated_at=stamp,
    )


@es_errors
def summary(es: Elasticsearch, run_id: str | None = None, *, index: str = DEFAULT_LEDGER) -> dict[str, Any]:
    """Counts for one run or for everything: `{"total", "states": {state: n}, "reason_codes": {code: n},
    "per_district": {district: {state: n}}, "pages_indexed"}`."""
    _refresh(es, index)  # a summary right after a run must see that run
    query = {"term": {"run_id": run_id}} if run_id else {"match_all": {}}
    resp = es.search(
        index=index,
        size=0,
        query=query,
        track_total_hits=True,
        aggs={
            "state": {"terms": {"field": "state", "size": 10}},
            "reason_code": {"terms": {"field": "reason_code", "size": 50}},
            "district": {"terms": {"field": "district", "size": 500}, "aggs": _state_agg()},
            "pages_indexed": {
                "filter": {"term": {"state": INDEXED}},
                "aggs": {"n": {"sum": {"field": "n_pages"}}},
            },
        },
    )
    aggs = resp["aggregations"]
    return {
        "run_id": run_id,
        "total": resp["hits"]["total"]["value"],
        "states": {b["key"]: b["doc_count"] for b in aggs["state"]["buckets"]},
        "reason_codes": {b["key"]: b["doc_count"] for b in aggs["reason_code"]["buckets"]},
        "per_district": {
            b["key"]: {s["key"]: s["doc_count"] for s in b["state"]["buckets"]}
            for b in aggs["district"]["buckets"]
        },
        "pages_indexed": int(aggs["pages_indexed"]["n"]["value"] or 0),
    }


def _refresh(es: Elasticsearch, index: str) -> None:
    # read-only identities may not refresh; they see the ledger as of the last second
    with contextlib.suppress(AccessDeniedError):
        refresh(es, index)


def _state_agg() -> dict[str, Any]:
    return {"state": {"terms": {"field": "state", "size": 10}}}


@es_errors
def failures(
    es: Elasticsearch,
    run_id: str | None = None,
    *,
    index: str = DEFAULT_LEDGER,
    states: Iterable[str] = (FAILED, QUARANTINED),
    limit: int = 1000,
) -> list[dict[str, Any]]:
    """Failed and quarantined objects as ledger documents (dicts, ready for JSON), most recent first:
    what a technician re-runs or fixes. `LedgerEntry.from_doc` turns one into an entry."""
    _refresh(es, index)
    filters: list[dict[str, Any]] = [{"terms": {"state": list(states)}}]
    if run_id:
        filters.append({"term": {"run_id": run_id}})
    resp = es.search(
        index=index,
        size=limit,
        query={"bool": {"filter": filters}},
        sort=[{"updated_at": "desc"}, {"record_id": "asc"}],
    )
    return [h["_source"] for h in resp["hits"]["hits"]]
