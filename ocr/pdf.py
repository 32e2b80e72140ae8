"""Join one-page searchable PDFs into the document's PDF (qpdf when installed, else pypdf); copy one page
of a PDF (qpdf)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from ocr.errors import PageError, ToolMissingError


def merge_pdfs(paths: Sequence[Path | str], out_path: Path | str) -> Path:
    """Concatenate `paths` in order into `out_path`. qpdf streams page objects; pypdf is the fallback."""
    paths = [Path(p) for p in paths]
    out_path = Path(out_path)
    if not paths:
        raise ValueError("no PDF pages to merge")
    if len(paths) == 1:
        shutil.copyfile(paths[0], out_path)
        return out_path
    qpdf = shutil.which("qpdf")
    if qpdf:
        cmd = [qpdf, "--empty", "--pages", *map(str, paths), "--", str(out_path)]
        proc = subprocess.run(cmd, capture_output=True, check=False)
        if proc.returncode in (0, 3):  # 3: warnings only, output written
            return out_path
    from pypdf import PdfWriter

    writer = PdfWriter()
    for p in paths:
        writer.append(str(p))
    with out_path.open("wb") as fh:
        writer.write(fh)
    return out_path


def extract_page(src: Path | str, page_no: int, out_path: Path | str) -> Path:
    """Page `page_no` of `src` as a one-page PDF, its annotations (a signature's visible box) drawn
    into the page: the copy keeps what the page shows but no form field or signature of the source,
    whose byte range the copy could not honour."""
    out_path = Path(out_path)
    cmd = [
        _qpdf(),
        "--flatten-annotations=all",
        "--empty",
        "--pages",
        str(src),
        str(page_no),
        "--",
        str(out_path),
    ]
    proc = subprocess.run(cmd, capture_output=True, check=False)
    if proc.returncode not in (0, 3):  # 3: warnings only, output written
        detail = proc.stderr.decode("utf-8", "replace").strip()[-300:]
        raise PageError(f"qpdf could not copy page {page_no}: {detail}", path=str(src))
    return out_path


def _qpdf() -> str:
    found = shutil.which("qpdf")
    if not found:
        raise ToolMissingError("qpdf is not installed (apt-get install qpdf)")
    return found
