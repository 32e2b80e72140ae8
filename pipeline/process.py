"""Process one record end to end from a local file: pages, OCR, metadata, searchable PDF.

No servers and no Prefect here: the flow fetches the object and stores what this returns, a test calls
it on a file. Bad input raises an `InputError` (quarantine); anything else is for the caller to retry.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from core.errors import InputError, SohoaError
from ocr.engine import OcrOptions, iter_ocr_pages
from ocr.loader import sniff_type
from ocr.pdf import merge_pdfs
from pipeline.describe import describe_text
from pipeline.record import RecordResult, SourceObject
from pipeline.sidecar import merge_sidecar


class AllPagesFailedError(InputError):
    reason = "all_pages_failed"
    hint = "no page of the document could be recognised; see the page reasons"


class AllPagesFailedTransientError(SohoaError):
    """Every page failed, but not for a reason of the input (Tesseract timed out, crashed or is missing):
    the record ends `failed` and is retried, not quarantined as bad input."""

    reason = "all_pages_failed"
    hint = "check Tesseract (`sohoa doctor`) and SOHOA_PAGE_TIMEOUT; the next run retries"


# page reasons that say the scan itself is bad; any other (timeout, crash) may pass on a retry
INPUT_PAGE_REASONS = {"corrupt_file", "image_too_large", "unsupported_type", "empty_file"}


def process_file(
    path: Path,
    source: SourceObject,
    options: OcrOptions,
    sidecar: dict[str, Any] | None = None,
) -> RecordResult:
    """OCR every page (one in memory at a time), extract the metadata, build the searchable PDF."""
    timings: dict[str, float] = {}
    start = time.perf_counter()
    try:
        mime = sniff_type(path)
        pages = list(iter_ocr_pages(path, options))
    except InputError as exc:
        raise exc.renamed(source.key) from None
    timings["ocr"] = time.perf_counter() - start

    if pages and not any(p.ok for p in pages):
        reasons = sorted({p.error_reason or "page_failed" for p in pages})
        error = AllPagesFailedError if set(reasons) <= INPUT_PAGE_REASONS else AllPagesFailedTransientError
        raise error(f"all {len(pages)} page(s) failed: {', '.join(reasons)}", path=source.key)

    t = time.perf_counter()
    metadata = describe_text(
        "\f".join(p.text for p in pages), page_texts=[p.text for p in pages], words=[p.words for p in pages]
    )
    if sidecar:
        metadata = merge_sidecar(metadata, sidecar)
    timings["metadata"] = time.perf_counter() - t

    pdf_path = None
    page_pdfs = [p.pdf_path for p in pages if p.pdf_path]
    if options.pdf and page_pdfs:
        t = time.perf_counter()
        pdf_path = page_pdfs[0].parent / "document.pdf"
        merge_pdfs(page_pdfs, pdf_path)
        for p in pages:
            if p.pdf_path:
                p.pdf_path.unlink(missing_ok=True)
                p.pdf_path = None
        timings["pdf"] = time.perf_counter() - t

    timings["total"] = time.perf_counter() - start
    return RecordResult(source, mime, pages, metadata, sidecar or {}, pdf_path, timings)
