"""Reading a selection of records out of the index for an export: filtered like search, in a stable
order, page by page (point in time + search_after), so memory stays flat in the count and an export
that stopped can go on from the last record it finished.

`effective_record` is the one place that says which values an export shows for a record.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import Any

from elasticsearch import Elasticsearch

from search.corrections import latest_entries, overlay
from search.errors import es_errors
from search.query import SearchFilters

__all__ = [
    "EXPORT_SORT",
    "count",
    "effective_fields",
    "effective_record",
    "effective_records",
    "iter_records",
]

# Grouped by hồ sơ (file code from the sidecar), then by date and key; the record id makes the
# order total, so `search_after` resumes exactly after the last record done.
EXPORT_SORT: list[dict[str, Any]] = [
    {"sidecar.file_code": {"order": "asc", "missing": "_last"}},
    {"issue_date": {"order": "asc", "missing": "_last"}},
    {"key": {"order": "asc"}},
    {"record_id": {"order": "asc"}},
]
# what an export needs of a record: not the page texts (only where each page's text came from)
_SOURCE_EXCLUDES = [
    "text",
    "text_folded",
    "pages.text",
    "pages.reading",
    "*_folded",
    "ocr.steps_detail",
    "language_detail",
]


def _query(selection: SearchFilters) -> dict[str, Any]:
    filters = selection.clauses()
    return {"bool": {"filter": filters}} if filters else {"match_all": {}}


@es_errors
def count(es: Elasticsearch, index: str, selection: SearchFilters) -> int:
    return int(es.count(index=index, query=_query(selection))["count"])


@es_errors
def iter_records(
    es: Elasticsearch,
    index: str,
    selection: SearchFilters,
    *,
    after: Sequence[Any] | None = None,
    page_size: int = 500,
    keep_alive: str = "5m",
) -> Iterator[tuple[list[Any], dict[str, Any]]]:
    """(sort values, `_source`) of each selected record in `EXPORT_SORT` order, starting after the
    record whose sort values are `after`. One page of hits in memory at a time; the point in time
    is closed at the end, or when the caller stops early."""
    pit = es.open_point_in_time(index=index, keep_alive=keep_alive)["id"]
    try:
        search_after = list(after) if after else None
        while True:
            body: dict[str, Any] = {
                "size": page_size,
                "query": _query(selection),
                "sort": EXPORT_SORT,
                "pit": {"id": pit, "keep_alive": keep_alive},
                "_source": {"excludes": _SOURCE_EXCLUDES},
                "track_total_hits": False,
            }
            if search_after:
                body["search_after"] = search_after
            resp = es.search(body=body)
            pit = resp.get("pit_id", pit)
            hits = resp["hits"]["hits"]
            for hit in hits:
                # the last value is the tiebreaker Elasticsearch adds within a point in time
                yield list(hit["sort"]), hit["_source"]
            if len(hits) < page_size:
                return
            search_after = hits[-1]["sort"]
    finally:
        es.close_point_in_time(id=pit)


_FIELDS = (
    "issuing_body",
    "parent_body",
    "doc_number",
    "doc_number_seq",
    "doc_symbol",
    "doc_type",
    "doc_type_code",
    "issue_place",
    "issue_date",
    "subject",
    "signer_name",
    "signer_title",
    "signer_authority",
    "recipients",
    "addressees",
    "admin_unit_old",
    "admin_unit_new",
    "language",
)


def effective_record(source: Mapping[str, Any]) -> dict[str, Any]:
    """The values an export shows for one indexed record, as the flat metadata dict the national
    formats read (`pipeline.exports`), plus where its files are. Today these are the indexed values
    (a sidecar's already won at processing time); archivists' corrections, when they exist, are
    applied here and nowhere else."""
    record: dict[str, Any] = {k: source[k] for k in _FIELDS if source.get(k) not in (None, "", [])}
    deriv = source.get("derivatives") or {}
    record.update(
        record_id=source.get("record_id"),
        bucket=source.get("bucket"),
        key=source.get("key"),
        file=source.get("key"),
        n_pages=source.get("n_pages"),
        sidecar=dict(source.get("sidecar") or {}),
        pdf_bucket=deriv.get("processed_bucket"),
        pdf_key=deriv.get("pdf_key"),
        text_sources=sorted(
            {str(p["text_source"]) for p in source.get("pages") or [] if p.get("text_source")}
        ),
    )
    return record


def effective_records(
    es: Elasticsearch,
    records: Iterable[tuple[list[Any], dict[str, Any]]],
    *,
    audit_index: str,
    batch_size: int = 500,
) -> Iterator[tuple[list[Any], dict[str, Any]]]:
    """`(cursor, effective_record)` of each `(cursor, _source)`, archivists' corrections applied. The
    record already holds its effective values; the audit is applied once more, a batch at a time, so
    a copy indexed without them (a reprocess racing an editor) still exports what the editor decided."""
    it = iter(records)
    while batch := list(islice(it, batch_size)):
        entries = latest_entries(es, [source["record_id"] for _, source in batch], index=audit_index)
        for cursor, source in batch:
            if found := entries.get(source["record_id"]):
                overlay(source, found)
            yield cursor, effective_record(source)


@es_errors
def effective_fields(es: Elasticsearch, record_id: str, *, index: str, audit_index: str) -> dict[str, Any]:
    """One record's export values, corrections applied (what `effective_records` gives in a batch)."""
    source = es.get(index=index, id=record_id)["_source"]
    [(_, record)] = effective_records(es, [([], source)], audit_index=audit_index)
    return record
