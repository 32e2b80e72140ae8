"""The one wrapper around poppler (`pdfinfo`, `pdfimages`, and `pdftoppm` through pdf2image).

Pages are rendered one at a time (`-f N -l N`) as PPM/PGM, never the whole PDF at once.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
from pdf2image import convert_from_path
from pdf2image.exceptions import PDFInfoNotInstalledError, PDFPopplerTimeoutError

from ocr.errors import CorruptFileError, EncryptedPdfError, PageError, ToolMissingError


@dataclass
class PdfInfo:
    pages: int
    encrypted: bool
    page_sizes_pt: list[tuple[float, float]] = field(default_factory=list)  # per page, may be empty
    gray_pages: set[int] = field(default_factory=set)  # pages whose images are all gray or 1-bit
    image_ppi: dict[int, float] = field(default_factory=dict)  # page -> resolution of its largest image


def _need(tool: str) -> str:
    found = shutil.which(tool)
    if not found:
        raise ToolMissingError(
            f"the poppler program `{tool}` is not installed (apt-get install poppler-utils)"
        )
    return found


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(args, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise CorruptFileError(f"{Path(args[0]).name} did not finish in {timeout:.0f} s") from exc


_SIZE_RE = re.compile(r"^Page\s+(\d+)\s+size:\s*([\d.]+)\s*x\s*([\d.]+)", re.M)


def pdf_info(path: Path, *, timeout: float = 60.0, max_pages: int | None = None) -> PdfInfo:
    """Page count, encryption and page sizes; typed errors for encrypted and unreadable files.
    Cached per process (a pool worker renders many pages of the same file)."""
    st = Path(path).stat()
    return _pdf_info_cached(str(path), st.st_size, st.st_mtime_ns, timeout, max_pages)


@lru_cache(maxsize=8)
def _pdf_info_cached(path_s: str, size: int, mtime: int, timeout: float, max_pages: int | None) -> PdfInfo:
    path = Path(path_s)
    proc = _run([_need("pdfinfo"), str(path)], timeout)
    out = proc.stdout.decode("utf-8", "replace")
    err = proc.stderr.decode("utf-8", "replace")
    if "Incorrect password" in err or "password" in err.lower():
        raise EncryptedPdfError("the PDF is encrypted with a password", path=str(path))
    match = re.search(r"^Pages:\s*(\d+)", out, re.M)
    if proc.returncode != 0 or not match:
        detail = err.strip().splitlines()[-1] if err.strip() else "pdfinfo could not read it"
        raise CorruptFileError(f"unreadable PDF: {detail}", path=str(path))
    pages = int(match.group(1))
    encrypted = bool(re.search(r"^Encrypted:\s*yes", out, re.M))
    info = PdfInfo(pages=pages, encrypted=encrypted)
    if pages == 0:
        return info
    last = min(pages, max_pages) if max_pages else pages
    sized = _run([_need("pdfinfo"), "-f", "1", "-l", str(last), str(path)], timeout)
    sizes = _SIZE_RE.findall(sized.stdout.decode("utf-8", "replace"))
    info.page_sizes_pt = [(float(w), float(h)) for _, w, h in sizes]
    _image_list(path, last, info, timeout)
    return info


def _image_list(path: Path, last: int, info: PdfInfo, timeout: float) -> None:
    """`pdfimages -list`: which pages hold only gray images (render those gray), and their resolution."""
    if not shutil.which("pdfimages"):
        return
    proc = _run(["pdfimages", "-list", "-f", "1", "-l", str(last), str(path)], timeout)
    colour: dict[int, bool] = {}
    largest: dict[int, int] = {}
    for line in proc.stdout.decode("utf-8", "replace").splitlines()[2:]:
        cols = line.split()
        if len(cols) < 14 or not cols[0].isdigit() or cols[2] not in ("image", "stencil"):
            continue
        page = int(cols[0])
        colour[page] = colour.get(page, False) or cols[5] not in ("gray", "-")
        try:
            ppi = float(cols[12])
        except ValueError:
            continue
        area = int(cols[3]) * int(cols[4])
        if area > largest.get(page, -1):
            largest[page] = area
            info.image_ppi[page] = ppi
    info.gray_pages = {p for p, c in colour.items() if not c}


def render_page(
    path: Path, page_no: int, *, dpi: int = 300, gray: bool = False, timeout: float = 120.0
) -> np.ndarray:
    """Render one page to a numpy array (H x W gray or H x W x 3 RGB) through PPM/PGM, not PNG."""
    try:
        images = convert_from_path(
            str(path),
            dpi=dpi,
            first_page=page_no,
            last_page=page_no,
            fmt="ppm",
            grayscale=gray,
            thread_count=1,
            timeout=int(timeout),
        )
    except PDFInfoNotInstalledError as exc:
        raise ToolMissingError("poppler (pdftoppm) is not installed (apt-get install poppler-utils)") from exc
    except PDFPopplerTimeoutError as exc:
        raise PageError(f"page {page_no} did not render in {timeout:.0f} s", path=str(path)) from exc
    if not images:
        raise PageError(f"page {page_no} could not be rendered", path=str(path))
    img = images[0]
    arr = np.asarray(img.convert("L") if gray else img.convert("RGB"))
    img.close()
    return arr


def version() -> str:
    """`pdftoppm version 22.02.0`: what `sohoa doctor` shows."""
    out = _run([_need("pdftoppm"), "-v"], timeout=20)
    return (out.stdout + out.stderr).decode(errors="replace").strip().splitlines()[0]
