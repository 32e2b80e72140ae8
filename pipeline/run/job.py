"""One object from the intake bucket to an outcome: fetch, process, store derivatives, build its document.

Whatever happens, the result is an `Outcome` with a state; nothing escapes that would lose the record.
The index document is built here, once (`pipeline.document`), and indexed in bulk by `sink.flush`.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.errors import InputError, SohoaError, TempSpaceError
from core.retry import RetryBudget, with_retries
from pipeline.archival.derivative import verdict
from pipeline.document import index_document
from pipeline.process import process_file
from pipeline.record import Derivatives, RecordResult, SourceObject, State
from pipeline.run.context import RunContext
from pipeline.sidecar import parse_sidecar, sidecar_key
from storage.errors import ObjectNotFoundError

log = logging.getLogger("sohoa.records")


@dataclass
class Outcome:
    source: SourceObject
    state: State
    reason: str | None = None
    reason_code: str | None = None
    document: dict[str, Any] | None = None  # the index document, when processing succeeded
    n_pages: int = 0
    mean_conf: float | None = None
    doc_type_code: str | None = None
    pdfa: str | None = None  # the PDF/A derivative's verdict (pipeline.archival.derivative.verdict)
    seconds: float = 0.0
    attempts: int = 1
    finished_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase (`phase_timings`)


def phase_timings(result: RecordResult, fetch: float, store: float) -> dict[str, float]:
    """Where a record's time went: fetch, load (decode or render pages), preprocess, tesseract,
    metadata, pdf (merge), store (derivatives). The report sums them over the run."""
    pages = result.pages
    load = sum(p.timings.get("load", 0.0) for p in pages)
    tess = sum(p.timings.get("tesseract", 0.0) for p in pages)
    ocr = result.timings.get("ocr", 0.0)
    return {
        "fetch": fetch,
        "load": load,
        "preprocess": max(ocr - load - tess, 0.0),
        "tesseract": tess,
        "metadata": result.timings.get("metadata", 0.0),
        "pdf": result.timings.get("pdf", 0.0),
        "store": store,
    }


def fetch_sidecar(ctx: RunContext, source: SourceObject, budget: RetryBudget) -> dict[str, Any] | None:
    key = sidecar_key(source.key)
    if key == source.key:
        return None
    try:
        data, _ = with_retries(
            lambda: ctx.store.get_bytes(source.bucket, key, max_bytes=1 << 20),
            budget=budget,
            what=f"get {key}",
        )
    except ObjectNotFoundError:
        return None
    return parse_sidecar(data, key)


def store_derivatives(
    ctx: RunContext,
    result: RecordResult,
    keys: Derivatives,
    document: dict[str, Any],
    budget: RetryBudget,
) -> None:
    bucket, store = keys.processed_bucket, ctx.store
    if result.pdf_path and keys.pdf_key:
        pdf_key, pdf_path = keys.pdf_key, result.pdf_path
        with_retries(
            lambda: store.put_file(bucket, pdf_key, pdf_path, "application/pdf"),
            budget=budget,
            what=f"put {pdf_key}",
        )
    text = result.text.encode()
    with_retries(
        lambda: store.put_bytes(bucket, keys.text_key, text, "text/plain; charset=utf-8"),
        budget=budget,
        what=f"put {keys.text_key}",
    )
    # the document plus every word with its box and confidence (what the record page draws), and how
    # the PDF/A went (made or why not, veraPDF's verdict)
    detail = {
        **document,
        "pages": [p.to_dict(include_words=True) for p in result.pages],
        "pdfa": result.pdfa,
    }
    blob = json.dumps(detail, ensure_ascii=False, default=str).encode()
    with_retries(
        lambda: store.put_bytes(bucket, keys.json_key, blob, "application/json"),
        budget=budget,
        what=f"put {keys.json_key}",
    )


def check_temp_space(ctx: RunContext, source: SourceObject) -> None:
    """Refuse to start a record that would fill the temp folder: a clear error instead of half-written
    files whose failure reads like bad input (a page that does not decode) or an unreachable store."""
    if not ctx.config.min_free_tmp_mb:  # 0: no check
        return
    folder = ctx.tmp_dir or Path(tempfile.gettempdir())
    need = ctx.config.min_free_tmp_mb * 2**20 + 2 * source.size
    free = shutil.disk_usage(folder).free
    if free < need:
        raise TempSpaceError(
            f"temp folder {folder} has {free / 2**20:.0f} MB free, a record of {source.size / 2**20:.1f} MB "
            f"needs {need / 2**20:.0f} MB",
            path=source.key,
        )


STALE_WORKDIR_SECONDS = 24 * 3600


def sweep_stale_workdirs(folder: Path | None, max_age: float = STALE_WORKDIR_SECONDS) -> int:
    """Remove `sohoa-*` work folders untouched for `max_age` seconds: what a killed worker (OOM,
    SIGKILL, power cut) left behind. A live record touches its folder with every page, so a day of
    silence is never work in progress. Returns how many were removed."""
    folder = folder or Path(tempfile.gettempdir())
    cutoff = time.time() - max_age
    removed = 0
    for path in folder.glob("sohoa-*"):
        try:
            if path.is_dir() and not path.is_symlink() and path.stat().st_mtime < cutoff:
                shutil.rmtree(path)
                removed += 1
        except OSError as exc:  # another worker's sweep, or not ours to remove: leave it
            log.debug("left %s: %s", path, exc)
    return removed


def handle_object(source: SourceObject, ctx: RunContext) -> Outcome:
    """Process one object; always returns an Outcome (indexing happens later, in bulk)."""
    start = time.perf_counter()
    attempts = 1
    budget = ctx.budget()  # one wait budget for every server call of this record
    try:
        check_temp_space(ctx, source)
        with tempfile.TemporaryDirectory(prefix="sohoa-", dir=ctx.tmp_dir) as tmp:
            work = Path(tmp)
            local = work / "source"
            _, attempts = with_retries(
                lambda: ctx.store.get_to_file(source.bucket, source.key, local),
                budget=budget,
                what=f"get {source.key}",
            )
            sidecar = fetch_sidecar(ctx, source, budget)
            fetched = time.perf_counter()
            result = process_file(
                local, source, ctx.ocr_options(work), sidecar, validate_pdfa=ctx.config.validate_pdfa
            )
            keys = Derivatives.of(source, ctx.config.processed_bucket, with_pdf=result.pdf_path is not None)
            document = index_document(result, run_id=ctx.run_id, derivatives=keys)
            stored = time.perf_counter()
            store_derivatives(ctx, result, keys, document, budget)
            timings = phase_timings(result, fetched - start, time.perf_counter() - stored)
    except InputError as exc:
        log.warning("quarantined %s: %s", source.key, exc)
        return Outcome(source, "quarantined", str(exc), exc.reason, seconds=time.perf_counter() - start)
    except Exception as exc:  # a record's failure must never take the batch down
        log.error("failed %s: %s", source.key, exc)
        reason = str(exc) if isinstance(exc, SohoaError) else f"{type(exc).__name__}: {exc}"
        return Outcome(
            source,
            "failed",
            reason,
            exc.reason if isinstance(exc, SohoaError) else "error",
            seconds=time.perf_counter() - start,
            attempts=getattr(exc, "attempts", attempts),
        )
    return Outcome(
        source,
        "indexed",
        document=document,
        n_pages=result.n_pages,
        mean_conf=result.mean_conf,
        doc_type_code=result.metadata.get("doc_type_code"),
        pdfa=verdict(result.pdfa),
        seconds=time.perf_counter() - start,
        attempts=attempts,
        timings=timings,
    )
