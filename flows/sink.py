"""Where outcomes go: records into the index in bulk, then every outcome into the ledger.

Order matters for crash safety: derivatives (already stored) -> record document -> ledger entry. A run
killed between two steps leaves no ledger entry, so the next run processes the object again and
overwrites the same document id and the same derivative keys: no duplicates, nothing lost.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flows.records import Outcome, RunContext
from flows.retry import with_retries
from search.indexer import index_records
from search.ledger import write_entries
from search.records import build_record_doc, record_id


def ledger_entry(o: Outcome, ctx: RunContext) -> dict:
    return {
        "bucket": o.source.bucket,
        "key": o.source.key,
        "etag": o.source.etag,
        "state": o.state,
        "reason": o.reason,
        "reason_code": o.reason_code,
        "attempts": o.attempts,
        "run_id": ctx.run_id,
        "updated_at": datetime.now(UTC).isoformat(),
        "record_id": record_id(o.source.bucket, o.source.key),
        "district": o.source.district,
        "n_pages": o.n_pages,
        "doc_type_code": o.doc_type_code,
    }


def flush(outcomes: list[Outcome], ctx: RunContext) -> list[Outcome]:
    """Index the processed records and write the ledger; a record the index refuses ends `failed`."""
    to_index = [o for o in outcomes if o.state == "indexed" and o.record is not None]
    if to_index:
        docs = [build_record_doc(o.record) for o in to_index]
        try:
            results, _ = with_retries(
                lambda: list(index_records(ctx.es, docs, alias=ctx.settings.index_alias)), what="bulk index"
            )
            errors = {r.id: r.error for r in results if not r.ok}
        except Exception as exc:  # the index is away for good: these records are retryable failures
            errors = {
                record_id(o.source.bucket, o.source.key): f"{type(exc).__name__}: {exc}" for o in to_index
            }
        for o in to_index:
            err = errors.get(record_id(o.source.bucket, o.source.key))
            if err:
                o.state, o.reason, o.reason_code = "failed", f"indexing: {err}", "index_error"
    for o in outcomes:
        o.record = None  # the text is in the index now; do not hold it for the rest of the run
    entries = [ledger_entry(o, ctx) for o in outcomes]
    try:
        with_retries(
            lambda: write_entries(ctx.es, entries, index=ctx.settings.ledger_index), what="ledger write"
        )
    except Exception as exc:
        # No ledger entry means the next run processes these objects again, so nothing is lost; the
        # report still lists them. They cannot count as indexed in this run.
        for o in outcomes:
            if o.state == "indexed":
                o.state, o.reason_code = "failed", "ledger_unavailable"
                o.reason = f"ledger write failed: {type(exc).__name__}: {exc}"
    return outcomes
