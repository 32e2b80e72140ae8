"""`sohoa ocr PATH... --out DIR`: text, JSON and (optionally) a searchable PDF for each scan.

Contract scripts depend on: for each input `X.ext`, `DIR/X.txt` (pages separated by form feed) and
`DIR/X.json`; with `--pdf` also `DIR/X.pdf`. Exit code 1 if any input or page failed, with one
`X.ext: reason` line per failure on stderr; the other files are still written.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import typer

from core.cpu import available_cores
from core.errors import ExitCode
from ocr.batch import FileOutcome, ocr_files
from ocr.engine import OcrOptions
from ocr.model import DocumentResult
from ocr.pdf import merge_pdfs
from pipeline.describe import describe_text


def _describe(doc: DocumentResult) -> dict[str, Any]:
    try:
        return describe_text(
            doc.text, page_texts=[p.text for p in doc.pages], words=[p.words for p in doc.pages]
        )
    except Exception as exc:  # metadata must never cost the OCR output
        return {"metadata_error": repr(exc)}


def _out_names(paths: list[Path]) -> list[str]:
    """`X` for `X.ext`; a second input with the same stem gets `X-2` so nothing is overwritten."""
    seen: dict[str, int] = {}
    names = []
    for p in paths:
        stem = p.stem
        seen[stem] = seen.get(stem, 0) + 1
        names.append(stem if seen[stem] == 1 else f"{stem}-{seen[stem]}")
    return names


def write_outputs(outcome: FileOutcome, out: Path, name: str, pdf: bool) -> list[str]:
    """Write X.txt / X.json / X.pdf for one input; returns the failure reasons (empty when all is well)."""
    doc = outcome.result
    assert doc is not None
    (out / f"{name}.txt").write_text(doc.text, encoding="utf-8")
    data = doc.to_dict()
    data["metadata"] = _describe(doc)
    data["seconds"] = round(outcome.seconds, 3)
    (out / f"{name}.json").write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    problems = [f"page {p.page_no}: {p.error_reason}: {p.error}" for p in doc.failed_pages]
    page_pdfs = [p.pdf_path for p in doc.pages if p.pdf_path]
    if pdf and page_pdfs:
        merge_pdfs(page_pdfs, out / f"{name}.pdf")
    for p in page_pdfs:
        p.unlink(missing_ok=True)
    return problems


def ocr_command(
    paths: list[Path] = typer.Argument(..., help="scans: PDF, TIFF, PNG, JPEG", exists=False),
    out: Path = typer.Option(..., "--out", help="output folder for X.txt, X.json (and X.pdf)"),
    jobs: int = typer.Option(0, "--jobs", help="parallel Tesseract processes (default: number of cores)"),
    lang: str = typer.Option("vie", "--lang", help="Tesseract languages, e.g. vie or vie+eng"),
    no_preprocess: bool = typer.Option(
        False, "--no-preprocess", help="feed the pages to Tesseract as they are"
    ),
    pdf: bool = typer.Option(False, "--pdf", help="also write a searchable PDF X.pdf"),
) -> None:
    """OCR scans into text (X.txt), words and confidences (X.json) and a searchable PDF (X.pdf)."""
    out.mkdir(parents=True, exist_ok=True)
    jobs = jobs if jobs > 0 else available_cores()
    work = Path(tempfile.mkdtemp(prefix="sohoa-ocr-", dir=out))
    options = OcrOptions(lang=lang, preprocess=not no_preprocess, pdf=pdf, workdir=work)
    names = dict(zip([str(p) for p in paths], _out_names(paths), strict=True))
    failed = 0
    try:
        missing = [p for p in paths if not p.is_file()]
        for p in missing:
            typer.echo(f"{p}: not_found: no such file", err=True)
        failed += len(missing)
        for outcome in ocr_files([p for p in paths if p.is_file()], options, jobs=jobs):
            label = str(outcome.path)
            if outcome.error is not None:
                failed += 1
                typer.echo(f"{label}: {outcome.error.reason}: {outcome.error}", err=True)
                continue
            problems = write_outputs(outcome, out, names[label], pdf)
            if problems:
                failed += 1
                for msg in problems:
                    typer.echo(f"{label}: {msg}", err=True)
            else:
                typer.echo(f"{label}: ok, {len(outcome.result.pages) if outcome.result else 0} page(s)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if failed:
        typer.echo(f"{failed} of {len(paths)} input(s) failed", err=True)
        raise typer.Exit(ExitCode.failures)
