"""Editors' corrections: stored once in an append-only audit index, applied to the record at once, and
applied again to every later reprocessing of the record, so that a correction outlives the machine.

A correction sets one field (`doc_number`, `issue_date`, `admin_unit_new`, …) to a value a person
typed. What that value means for the index document (the folded, normalised and split companions of
the field) is decided by `pipeline.document.corrected_fields` and arrives here as a `patch` of index
fields; this module stores and applies patches without knowing the record model.

- `record_correction`: audit entry first (the source of truth, written with `op_type=create` and never
  changed), then the record's effective value, both visible to search when it returns.
- `apply_corrections`: before a reprocessed record is indexed (`pipeline.run.sink.flush`), the latest
  correction of each field is applied over the new machine reading, which is kept beside it
  (`corrections.<field>.machine_value`). A "checked" mark survives only for the same version (etag).
- `search.export` applies the same corrections to what the national exports take.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterable, Mapping, MutableMapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from elasticsearch import ApiError, ConflictError, Elasticsearch

from core.errors import NotFoundError, SohoaError
from core.retry import RetryBudget, with_retries
from search.errors import es_errors
from search.indexer import IndexResult
from search.review import review_state

__all__ = [
    "CHECKED",
    "CORRECTION",
    "Correction",
    "apply_corrections",
    "display",
    "history",
    "latest_entries",
    "mark_checked",
    "overlay",
    "record_correction",
]

CORRECTION = "correction"
CHECKED = "checked"
_WRITE_ATTEMPTS = 5  # read-merge-write against a concurrent writer (no scripted updates here)


def display(value: Any) -> str | None:
    """A field's value as people read it: a unit by its label, a list joined, a date as written."""
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, Mapping):
        return str(value.get("label") or value.get("name") or "") or None
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value if v not in (None, "")) or None
    return str(value)


@dataclass(frozen=True)
class Correction:
    """One audit entry: a correction of `field`, or (kind `checked`) a record marked as checked."""

    record_id: str
    by: str
    at: str  # ISO 8601, UTC
    kind: str = CORRECTION
    field: str | None = None
    value: str | None = None  # as shown to people
    patch: dict[str, Any] | None = None  # the index fields the value sets
    previous: str | None = None  # the effective value before this correction
    machine_value: str | None = None  # what the machine read (kept beside the correction)
    reason: str | None = None
    etag: str | None = None  # the version of the scan the person saw
    records_index: str | None = None

    def to_doc(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> Correction:
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in doc.items() if k in known})


def overlay(doc: MutableMapping[str, Any], entries: Mapping[str, Correction]) -> MutableMapping[str, Any]:
    """Apply the latest entries of one record (`{field: correction, CHECKED: mark}`) to its document, in
    place: effective values, the machine's reading beside each, confidence 1.0, the review state."""
    corrections = dict(doc.get("corrections") or {})
    confidence = dict(doc.get("metadata_confidence") or {})
    for field, c in entries.items():
        if c.kind != CORRECTION or not c.field or c.patch is None:
            continue
        # the machine's reading: kept from an earlier correction, else what the document holds now
        earlier = corrections.get(field) or {}
        machine = earlier["machine_value"] if "machine_value" in earlier else display(doc.get(field))
        doc.update(copy.deepcopy(c.patch))
        confidence[field] = 1.0
        corrections[field] = {
            "value": c.value,
            "previous": c.previous,
            "machine_value": machine,
            "by": c.by,
            "at": c.at,
            "reason": c.reason,
        }
    doc["corrections"] = corrections or None
    doc["corrected_fields"] = sorted(corrections)
    doc["metadata_confidence"] = confidence
    mark = entries.get(CHECKED)
    checked = dict(doc.get("review") or {})
    if mark is not None and mark.etag == doc.get("etag"):  # a new version of the scan needs a new look
        checked = {"checked_by": mark.by, "checked_at": mark.at, "checked_etag": mark.etag}
    elif mark is not None:
        checked = {}
    doc["review"] = review_state(doc, checked)
    return doc


@es_errors
def latest_entries(
    es: Elasticsearch, record_ids: Iterable[str], *, index: str
) -> dict[str, dict[str, Correction]]:
    """`{record_id: {field: latest correction, CHECKED: latest mark}}` from the audit index.

    An audit index that does not exist yet (no one has corrected anything) means no corrections.
    """
    ids = sorted(set(record_ids))
    if not ids:
        return {}
    out: dict[str, dict[str, Correction]] = {}
    resp = es.search(
        index=index,
        query={"terms": {"record_id": ids}},
        sort=[{"at": "asc"}, {"_doc": "asc"}],
        size=10_000,
        ignore_unavailable=True,
        allow_no_indices=True,
    )
    for hit in resp["hits"]["hits"]:
        c = Correction.from_doc(hit["_source"])
        slot = c.field if c.kind == CORRECTION else CHECKED
        if slot:
            out.setdefault(c.record_id, {})[slot] = c  # sorted by time: the last one wins
    return out


def apply_corrections(
    es: Elasticsearch, docs: list[MutableMapping[str, Any]], *, index: str, budget: RetryBudget
) -> dict[str, IndexResult]:
    """Apply the stored corrections to documents about to be indexed (in place), waiting for the audit
    index within `budget`. Returns `{}` when done; when the audit cannot be read, a failed result per
    document (`es_unavailable`): a record must not be indexed without its corrections, and the next
    run does it again."""
    try:
        entries, _ = with_retries(
            lambda: latest_entries(es, (d["record_id"] for d in docs), index=index),
            budget=budget,
            what="read the corrections",
        )
    except SohoaError as exc:
        code = "es_unavailable" if exc.transient else exc.reason
        return {
            d["record_id"]: IndexResult(
                d["record_id"],
                d.get("bucket"),
                d.get("key"),
                False,
                reason_code=code,
                reason=f"corrections: {exc}",
            )
            for d in docs
        }
    for doc in docs:
        if doc["record_id"] in entries:
            overlay(doc, entries[doc["record_id"]])
    return {}


def _now() -> str:
    return datetime.now(UTC).isoformat()


@es_errors
def _read(es: Elasticsearch, index: str, record_id: str) -> dict[str, Any]:
    try:
        return dict(es.get(index=index, id=record_id))
    except ApiError as exc:
        if exc.status_code == 404:
            raise NotFoundError(f"record {record_id} is not in {index}") from None
        raise


@es_errors
def _audit(es: Elasticsearch, audit_index: str, entry: Correction) -> None:
    # create, never index: an entry is written once (the web identity may only create here)
    es.create(index=audit_index, id=uuid.uuid4().hex, document=entry.to_doc(), refresh="wait_for")


@es_errors
def _write_record(es: Elasticsearch, index: str, got: Mapping[str, Any], doc: Mapping[str, Any]) -> bool:
    """Replace the record if nobody wrote it since we read it; False on a conflict."""
    try:
        es.index(
            index=index,
            id=got["_id"],
            document=doc,
            if_seq_no=got["_seq_no"],
            if_primary_term=got["_primary_term"],
            refresh="wait_for",
        )
    except ConflictError:
        return False
    return True


def record_correction(
    es: Elasticsearch,
    *,
    index: str,
    audit_index: str,
    record_id: str,
    field: str,
    value: str,
    patch: Mapping[str, Any],
    by: str,
    reason: str | None = None,
) -> Correction:
    """Correct one field of a record: audit entry, then the record's effective value; both searchable
    on return. Raises `NotFoundError` for a record that is not behind `index`."""
    got = _read(es, index, record_id)
    doc = got["_source"]
    entry = Correction(
        record_id=record_id,
        by=by,
        at=_now(),
        field=field,
        value=value,
        patch=dict(patch),
        previous=display(doc.get(field)),
        machine_value=((doc.get("corrections") or {}).get(field) or {}).get(
            "machine_value", display(doc.get(field))
        ),
        reason=reason or None,
        etag=doc.get("etag"),
        records_index=index,
    )
    _audit(es, audit_index, entry)
    _apply_to_record(es, index, record_id, {field: entry}, got)
    return entry


def mark_checked(es: Elasticsearch, *, index: str, audit_index: str, record_id: str, by: str) -> Correction:
    """Record that `by` checked the record (at this version of its scan)."""
    got = _read(es, index, record_id)
    entry = Correction(
        record_id=record_id,
        by=by,
        at=_now(),
        kind=CHECKED,
        etag=got["_source"].get("etag"),
        records_index=index,
    )
    _audit(es, audit_index, entry)
    _apply_to_record(es, index, record_id, {CHECKED: entry}, got)
    return entry


def _apply_to_record(
    es: Elasticsearch, index: str, record_id: str, entries: Mapping[str, Correction], got: Mapping[str, Any]
) -> None:
    for _ in range(_WRITE_ATTEMPTS):
        doc = overlay(dict(got["_source"]), entries)
        if _write_record(es, index, got, doc):
            return
        got = _read(es, index, record_id)  # someone wrote it meanwhile: merge again on the fresh copy
    raise RuntimeError(f"record {record_id}: kept changing while the correction was written; try again")


@es_errors
def history(es: Elasticsearch, record_id: str, *, index: str, limit: int = 100) -> list[Correction]:
    """The audit entries of one record, newest first."""
    resp = es.search(
        index=index,
        query={"term": {"record_id": record_id}},
        sort=[{"at": "desc"}],
        size=limit,
        ignore_unavailable=True,
        allow_no_indices=True,
    )
    return [Correction.from_doc(h["_source"]) for h in resp["hits"]["hits"]]
