"""Where outcomes go: records into the index in bulk, then every outcome into the ledger.

Order matters for crash safety: derivatives (already stored) -> record document -> ledger entry. A run
killed between two steps leaves no ledger entry, so the next run processes the object again and
overwrites the same document id and the same derivative keys: no duplicates, nothing lost.
"""

from __future__ import annotations

from flows.records import Outcome, RunContext
from flows.retry import with_retries
from search.indexer import index_records
from search.ledger import LedgerEntry, write_entries
from search.records import build_record_doc, record_id


def ledger_entry(o: Outcome, ctx: RunContext) -> LedgerEntry:
    # attempts, first_seen and updated_at are the ledger's to count
    return LedgerEntry(
        o.source.bucket,
        o.source.key,
        o.source.etag,
        o.state,
        reason=o.reason,
        reason_code=o.reason_code,
        run_id=ctx.run_id,
        district=o.source.district,
        n_pages=o.n_pages,
        doc_type_code=o.doc_type_code,
    )


def flush(outcomes: list[Outcome], ctx: RunContext) -> list[Outcome]:
    """Index the processed records and write the ledger; a record the index refuses ends `failed`."""
    to_index = [o for o in outcomes if o.state == "indexed" and o.record is not None]
    if to_index:
        docs = [build_record_doc(o.record) for o in to_index]
        # index_records retries 429/5xx itself and reports, per document, what it could not index
        refused = {
            r.record_id: r for r in index_records(ctx.es, docs, index=ctx.settings.index_alias) if not r.ok
        }
        for o in to_index:
            r = refused.get(record_id(o.source.bucket, o.source.key))
            if r:
                o.state, o.reason, o.reason_code = "failed", f"indexing: {r.reason}", r.reason_code
    for o in outcomes:
        o.record = None  # the text is in the index now; do not hold it for the rest of the run
    entries = [ledger_entry(o, ctx) for o in outcomes]
    try:
        report, _ = with_retries(
            lambda: write_entries(ctx.es, entries, index=ctx.settings.ledger_index), what="ledger write"
        )
        unrecorded = {e.id: why for e, why in report.failed}
    except Exception as exc:
        unrecorded = {e.id: f"{type(exc).__name__}: {exc}" for e in entries}
    for o, e in zip(outcomes, entries, strict=True):
        # No ledger entry means the next run processes the object again, so nothing is lost; the report
        # still lists it. It cannot count as indexed in this run.
        if e.id in unrecorded and o.state == "indexed":
            o.state, o.reason_code = "failed", "ledger_unavailable"
            o.reason = f"ledger write failed: {unrecorded[e.id]}"
    return outcomes
