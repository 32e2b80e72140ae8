"""Join one-page searchable PDFs into the document's PDF (qpdf when installed, else pypdf)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path


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
