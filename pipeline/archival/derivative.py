"""The PDF/A step of one record: build it, optionally have veraPDF judge it, and say what happened.

Never raises for the PDF: a record whose PDF/A cannot be made keeps its text and metadata, and the
returned `pdfa` dict carries the reason (`made: false`). Pages whose OCR failed are still in the PDF
(the scan as uploaded), without text; `pages_with_text` says how many have it.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pikepdf

from core.errors import SohoaError
from ocr.engine import OcrOptions
from ocr.model import PageResult
from ocr.tesseract import glyphless_font
from pipeline.archival import verapdf
from pipeline.archival.errors import PdfaError
from pipeline.archival.pdfa import build_pdfa

log = logging.getLogger("sohoa.pdfa")

PDFA_NAME = "document.pdf"


def make_pdfa(
    source: Path,
    mime: str,
    pages: Sequence[PageResult],
    metadata: Mapping[str, Any],
    options: OcrOptions,
    *,
    validate: bool = False,
    copy_of: str | None = None,
) -> tuple[Path | None, dict[str, Any]]:
    """(path of the PDF/A or None, what happened). The PDF lands in `options.workdir` (else in a new
    temp folder: the caller removes it, the file's parent, with the file). `copy_of`: the signed
    original this derivative copies (bucket/key), said in its metadata."""
    workdir = options.workdir or Path(tempfile.mkdtemp(prefix="sohoa-pdfa-"))
    workdir.mkdir(parents=True, exist_ok=True)
    out = workdir / PDFA_NAME
    info: dict[str, Any] = {"made": False, "flavour": "PDF/A-2b", "source_size": source.stat().st_size}
    try:
        font = glyphless_font(options.tessdata_dir)
        build = build_pdfa(
            source, mime, pages, metadata, out, font_file=font, workdir=workdir, copy_of=copy_of
        )
    except (PdfaError, SohoaError, pikepdf.PdfError, OSError, ValueError) as exc:
        log.warning("no PDF/A for %s: %s", source.name, exc)
        out.unlink(missing_ok=True)
        info.update(reason=str(exc), reason_code=getattr(exc, "reason", "pdfa_failed"))
        return None, info
    info.update(made=True, **build.to_dict())
    if validate:
        info.update(validation_report(out))
    return out, info


def validation_report(pdf: Path) -> dict[str, Any]:
    """veraPDF's verdict as record fields; a missing or failing validator is said, not raised."""
    start = time.perf_counter()
    try:
        verdict = verapdf.validate([pdf])[0]
    except PdfaError as exc:
        return {"validated": False, "validation_error": str(exc), "validation_reason": exc.reason}
    return {
        "validated": True,
        "compliant": verdict.compliant,
        "validator": verdict.validator,
        "failed_rules": [f"{r.clause}-{r.test}" for r in verdict.failed_rules],
        "validation_seconds": round(time.perf_counter() - start, 3),
    }


def verdict(info: Mapping[str, Any]) -> str | None:
    """One word for the ledger: `compliant`, `not_compliant`, `not_validated` (made, not judged or the
    validator failed), `not_made` (the reason is in the record); None when no PDF was asked for."""
    if not info:
        return None
    if not info.get("made"):
        return "not_made"
    if not info.get("validated"):
        return "not_validated"
    return "compliant" if info.get("compliant") else "not_compliant"
