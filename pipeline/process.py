"""Process one record end to end from a local file: pages (a PDF page's own text when it can be trusted,
OCR for the others), digital signatures, metadata, the PDF/A-2b derivative.

No servers and no Prefect here: the flow fetches the object and stores what this returns, a test calls
it on a file. Bad input raises an `InputError` (quarantine); anything else is for the caller to retry.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any

from core.errors import InputError, SohoaError
from ocr.engine import OcrOptions
from ocr.loader import PDF, sniff_type
from ocr.textlayer import iter_pages
from pipeline.archival.derivative import make_pdfa
from pipeline.describe import describe_text
from pipeline.record import RecordResult, SourceObject
from pipeline.sidecar import merge_sidecar
from pipeline.signatures import read_signatures, signing_time


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
    *,
    validate_pdfa: bool = False,
) -> RecordResult:
    """Read every page (one in memory at a time: its text layer or OCR), read the signatures, extract
    the metadata and, with `options.pdf`, build the PDF/A-2b derivative from the scan itself (judged by
    veraPDF with `validate_pdfa`). `path` is only read: a signed original stays as it is, and its
    derivative is labelled a copy. A PDF/A that cannot be made leaves the record whole
    (`RecordResult.pdfa` says why)."""
    timings: dict[str, float] = {}
    start = time.perf_counter()
    # The PDF is made from the scan and the words, not from Tesseract's renderer (which embeds the
    # preprocessed gray page, JPEG-compressed): no page PDF is rendered here.
    read_options = dataclasses.replace(options, pdf=False)
    try:
        mime = sniff_type(path)
        pages = list(iter_pages(path, read_options))
    except InputError as exc:
        raise exc.renamed(source.key) from None
    timings["ocr"] = time.perf_counter() - start
    t = time.perf_counter()
    signatures = read_signatures(path) if mime == PDF else []
    timings["signatures"] = time.perf_counter() - t

    if pages and not any(p.ok for p in pages):
        reasons = sorted({p.error_reason or "page_failed" for p in pages})
        error = AllPagesFailedError if set(reasons) <= INPUT_PAGE_REASONS else AllPagesFailedTransientError
        raise error(f"all {len(pages)} page(s) failed: {', '.join(reasons)}", path=source.key)

    t = time.perf_counter()
    metadata = describe_text(
        "\f".join(p.text for p in pages),
        page_texts=[p.text for p in pages],
        words=[p.words for p in pages],
        signed_at=signing_time(signatures),
        district_hint=source.district or None,
    )
    if sidecar:
        metadata = merge_sidecar(metadata, sidecar)
    timings["metadata"] = time.perf_counter() - t

    pdf_path, pdfa = None, {}
    if options.pdf:
        t = time.perf_counter()
        # the derivative holds a signed original's pages, not its signatures: it says it is a copy
        copy_of = f"{source.bucket}/{source.key}" if signatures else None
        pdf_path, pdfa = make_pdfa(
            path, mime, pages, metadata, options, validate=validate_pdfa, copy_of=copy_of
        )
        timings["pdf"] = time.perf_counter() - t

    timings["total"] = time.perf_counter() - start
    return RecordResult(
        source, mime, pages, metadata, sidecar or {}, pdf_path, timings, pdfa=pdfa, signatures=signatures
    )
