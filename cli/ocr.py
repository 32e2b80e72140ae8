"""`sohoa ocr PATH... --out DIR`: text, JSON and (optionally) the PDF/A-2b for each scan.

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
from ocr.loader import PDF
from ocr.model import DocumentResult
from pipeline.archival.derivative import make_pdfa
from pipeline.describe import describe_text
from pipeline.signatures import Signature, read_signatures


def _describe(doc: DocumentResult) -> dict[str, Any]:
    try:
        return describe_text(
            doc.text, page_texts=[p.text for p in doc.pages], words=[p.words for p in doc.pages]
        )
    except Exception as exc:  # metadata must never cost the OCR output
        return {"metadata_error": repr(exc)}


def _signatures(path: Path, doc: DocumentResult) -> list[Signature]:
    """The PDF's digital signatures (pipeline.signatures): signer, time, integrity."""
    return read_signatures(path) if doc.mime == PDF else []


def _out_names(paths: list[Path]) -> list[str]:
    """`X` for `X.ext`; a second input with the same stem gets `X-2` so nothing is overwritten."""
    seen: dict[str, int] = {}
    names = []
    for p in paths:
        stem = p.stem
        seen[stem] = seen.get(stem, 0) + 1
        names.append(stem if seen[stem] == 1 else f"{stem}-{seen[stem]}")
    return names


def write_outputs(outcome: FileOutcome, out: Path, name: str, options: OcrOptions | None) -> list[str]:
    """Write X.txt / X.json (and with `options`, X.pdf: the PDF/A-2b the flow makes) for one input;
    returns the failure reasons (empty when all is well)."""
    doc = outcome.result
    assert doc is not None
    (out / f"{name}.txt").write_text(doc.text, encoding="utf-8")
    data = doc.to_dict()
    data["metadata"] = _describe(doc)
    signatures = _signatures(outcome.path, doc)
    data["signatures"] = [s.to_dict() for s in signatures]
    data["seconds"] = round(outcome.seconds, 3)
    data["cpu_seconds"] = round(outcome.cpu_seconds, 3)
    problems = [f"page {p.page_no}: {p.error_reason}: {p.error}" for p in doc.failed_pages]
    target = out / f"{name}.pdf"
    if options is not None and target.resolve() == outcome.path.resolve():
        problems.append(f"not writing {name}.pdf over the input itself: choose another --out folder")
    elif options is not None and any(p.ok for p in doc.pages):
        # a signed original is left as it is; what we write is a copy, and says so
        copy_of = str(outcome.path) if signatures else None
        made, data["pdfa"] = make_pdfa(
            outcome.path, doc.mime, doc.pages, data["metadata"], options, copy_of=copy_of
        )
        if made is None:
            problems.append(f"no PDF/A: {data['pdfa'].get('reason')}")
        else:
            shutil.move(made, target)
    (out / f"{name}.json").write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return problems


def ocr_command(
    paths: list[Path] = typer.Argument(..., help="scans: PDF, TIFF, PNG, JPEG", exists=False),
    out: Path = typer.Option(..., "--out", help="output folder for X.txt, X.json (and X.pdf)"),
    jobs: int = typer.Option(0, "--jobs", help="parallel Tesseract processes (default: number of cores)"),
    lang: str = typer.Option("vie", "--lang", help="Tesseract languages, e.g. vie or vie+eng"),
    no_preprocess: bool = typer.Option(
        False, "--no-preprocess", help="feed the pages to Tesseract as they are"
    ),
    pdf: bool = typer.Option(False, "--pdf", help="also write the PDF/A-2b with the text layer, X.pdf"),
) -> None:
    """OCR scans into text (X.txt), words and confidences (X.json) and a searchable PDF/A (X.pdf)."""
    out.mkdir(parents=True, exist_ok=True)
    jobs = jobs if jobs > 0 else available_cores()
    work = Path(tempfile.mkdtemp(prefix="sohoa-ocr-", dir=out))
    options = OcrOptions(lang=lang, preprocess=not no_preprocess, workdir=work)
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
            problems = write_outputs(outcome, out, names[label], options if pdf else None)
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
