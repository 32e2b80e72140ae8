"""Bulk indexing of record documents: streaming, bounded in bytes, one result per document.

A mapping error on one record fails that record only (its result says why). Nothing is retried here
(the one retry policy is `core.retry`; `pipeline.run.sink` sends again what failed for load): a 429 or
5xx answer gives `reason_code="es_rejected"` / `"es_unavailable"`, and when Elasticsearch is
unreachable every document not yet confirmed gets a failed result instead of an exception, so the
caller can write the ledger for all.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from elasticsearch import Elasticsearch, TransportError, helpers
from elasticsearch.exceptions import SerializationError

__all__ = ["DEFAULT_CHUNK_BYTES", "TRANSIENT_CODES", "IndexResult", "index_records"]

log = logging.getLogger(__name__)

DEFAULT_CHUNK_BYTES = 5 * 1024 * 1024  # Elastic's advice: bulk requests of a few MB, not hundreds
TRANSIENT_CODES = frozenset({"es_rejected", "es_unavailable"})  # refused for load: worth sending again


@dataclass(frozen=True)
class IndexResult:
    record_id: str
    bucket: str | None
    key: str | None
    ok: bool
    status: int | None = None  # HTTP status of the item (201 created, 200 updated, 400 mapping error...)
    result: str | None = None  # created | updated | noop
    reason_code: str | None = None  # es_mapping | es_rejected | es_unavailable | es_serialization...
    reason: str | None = None  # Elasticsearch's own explanation, for the ledger


def _reason_code(status: int | None, error_type: str | None) -> str:
    if error_type in {
        "document_parsing_exception",
        "mapper_parsing_exception",
        "strict_dynamic_mapping_exception",
    }:
        return "es_mapping"
    if error_type and "illegal_argument" in error_type:
        return "es_invalid"
    if status == 429:
        return "es_rejected"
    if status is None or status >= 500:
        return "es_unavailable"
    return "es_error"


def _explain(error: Any) -> tuple[str | None, str]:
    if isinstance(error, Mapping):
        etype = error.get("type")
        reason = str(error.get("reason") or etype)
        cause = error.get("caused_by")
        if isinstance(cause, Mapping) and cause.get("reason"):
            reason += f" (caused by {cause.get('type')}: {cause.get('reason')})"
        return etype, reason
    return None, str(error)


def index_records(
    es: Elasticsearch,
    docs: Iterable[Mapping[str, Any]],
    *,
    index: str = "sohoa-records",
    chunk_size: int = 500,
    max_chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    refresh: bool | str = False,
) -> Iterator[IndexResult]:
    """Index `docs` (from `pipeline.document.index_document`) into `index` (the alias); yield one result
    per document.

    Ids come from `doc["record_id"]`, so indexing an object again replaces its document. Results come
    in the order Elasticsearch confirms them, which for streaming_bulk is the input order.
    """
    serializer = es.transport.serializers.get_serializer("application/json")
    pending: dict[str, list[Mapping[str, Any]]] = {}  # sent, not yet confirmed (a list: ids may repeat)
    doc_iter = iter(docs)  # one iterator, so after an outage we know exactly what was never sent
    early: list[IndexResult] = []  # documents that failed before reaching Elasticsearch

    def actions() -> Iterator[dict[str, Any]]:
        for doc in doc_iter:
            rid = str(doc["record_id"])
            try:
                # serialise here so one bad value (a set, an object) fails one document, not the stream
                source = serializer.dumps(doc)
            except (SerializationError, TypeError, ValueError) as exc:
                reason = f"cannot serialise to JSON ({type(exc).__name__}): {str(exc)[:300]}"
                early.append(_failed(doc, None, "es_serialization", reason))
                continue
            pending.setdefault(rid, []).append(doc)
            yield {"_op_type": "index", "_index": index, "_id": rid, "_source": source}

    stream = helpers.streaming_bulk(
        es,
        actions(),
        chunk_size=chunk_size,
        max_chunk_bytes=max_chunk_bytes,
        raise_on_error=False,
        raise_on_exception=False,
        max_retries=0,
        refresh=refresh,
    )
    try:
        for ok, item in stream:
            yield from _drain(early)
            _, info = next(iter(item.items()))
            rid = str(info.get("_id"))
            waiting = pending.get(rid) or [{}]
            doc = waiting.pop(0)
            if not waiting:
                pending.pop(rid, None)
            if ok:
                yield IndexResult(
                    rid, doc.get("bucket"), doc.get("key"), True, info.get("status"), info.get("result")
                )
            else:
                etype, reason = _explain(info.get("error"))
                status = info.get("status")
                yield _failed(doc or {"record_id": rid}, status, _reason_code(status, etype), reason)
    except TransportError as exc:  # unreachable
        log.error("Elasticsearch unavailable while indexing: %s", exc)
        reason = f"Elasticsearch unavailable ({type(exc).__name__}: {exc}); re-run to index"
        for waiting in list(pending.values()):
            for doc in waiting:
                yield _failed(doc, None, "es_unavailable", reason)
        pending.clear()
        for doc in doc_iter:
            yield _failed(doc, None, "es_unavailable", reason)
    yield from _drain(early)


def _drain(early: list[IndexResult]) -> Iterator[IndexResult]:
    while early:
        yield early.pop(0)


MAX_REASON = 1000  # a reason is for the ledger and a person, not a copy of the document


def _failed(doc: Mapping[str, Any], status: int | None, code: str, reason: str) -> IndexResult:
    if len(reason) > MAX_REASON:
        reason = reason[: MAX_REASON - 1] + "…"
    return IndexResult(
        str(doc.get("record_id")), doc.get("bucket"), doc.get("key"), False, status, None, code, reason
    )
