"""Where outcomes go: documents into the index in bulk, then every outcome into the ledger.

Order matters for crash safety: derivatives (already stored) -> record document -> ledger entry. A run
killed between two steps leaves no ledger entry, so the next run processes the object again and
overwrites the same document id and the same derivative keys: no duplicates, nothing lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.errors import SohoaError
from core.retry import RetryBudget, with_retries
from pipeline.run.context import RunContext
from pipeline.run.job import Outcome
from search.corrections import apply_corrections
from search.indexer import TRANSIENT_CODES, IndexResult, index_records
from search.ledger import LedgerEntry, write_entries


def ledger_entry(o: Outcome, ctx: RunContext) -> LedgerEntry:
    # attempts, first_seen and updated_at are the ledger's to count
    return LedgerEntry(
        o.source.id,
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
        pdfa=o.pdfa,
        worker=ctx.worker.id,  # the claim's worker: its final state ends the claim
        host=ctx.worker.host,
    )


def index_with_retries(
    ctx: RunContext, docs: list[Mapping[str, Any]], budget: RetryBudget
) -> dict[str, IndexResult]:
    """Index the documents; those Elasticsearch refused for load (429, 5xx, unreachable) are sent
    again while the wait budget lasts. Returns the last result per record id."""
    results: dict[str, IndexResult] = {}
    todo, attempt = docs, 1
    while todo:
        for r in index_records(ctx.es, todo, index=ctx.config.index_alias):
            results[r.record_id] = r
        retry = {rid for rid, r in results.items() if not r.ok and r.reason_code in TRANSIENT_CODES}
        todo = [d for d in todo if d["record_id"] in retry]
        delay = budget.next_delay(attempt) if todo else None
        if delay is None:
            break
        budget.sleep(delay)
        attempt += 1
    return results


def flush(outcomes: list[Outcome], ctx: RunContext) -> list[Outcome]:
    """Index the processed records and write the ledger; a record the index refuses ends `failed`."""
    budget = ctx.budget()
    to_index = [o for o in outcomes if o.state == "indexed" and o.document is not None]
    if to_index:
        docs = [o.document for o in to_index if o.document]
        # editors' corrections outlive reprocessing (search.corrections); unread, nothing is indexed
        refused = apply_corrections(ctx.es, docs, index=ctx.config.audit_index, budget=budget)
        results = refused or index_with_retries(ctx, docs, budget)
        for o in to_index:
            r = results.get(o.source.id)
            if r is not None and not r.ok:
                o.state, o.reason, o.reason_code = "failed", f"indexing: {r.reason}", r.reason_code
    for o in outcomes:
        o.document = None  # the text is in the index now; do not hold it for the rest of the run
    entries = [ledger_entry(o, ctx) for o in outcomes]
    try:
        report, _ = with_retries(
            lambda: write_entries(ctx.es, entries, index=ctx.config.ledger_index),
            budget=budget,
            what="ledger write",
        )
        unrecorded = {e.id: why for e, why in report.failed}
    except Exception as exc:  # the outcomes must still come back, whatever went wrong
        why = str(exc) if isinstance(exc, SohoaError) else f"{type(exc).__name__}: {exc}"
        unrecorded = {e.id: why for e in entries}
    for o, e in zip(outcomes, entries, strict=True):
        # No ledger entry means the next run processes the object again, so nothing is lost; the report
        # still lists it. It cannot count as indexed in this run.
        if e.id in unrecorded and o.state == "indexed":
            o.state, o.reason_code = "failed", "ledger_unavailable"
            o.reason = f"ledger write failed: {unrecorded[e.id]}"
    return outcomes
