"""The one wrapper around poppler (`pdfinfo`, `pdfimages`, `pdffonts`, `pdftotext`, and `pdftoppm`,
directly or through pdf2image).

Pages are rendered one at a time (`-f N -l N`) as PPM/PGM, never the whole PDF at once.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
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
    image_cover: dict[int, float] = field(default_factory=dict)  # page -> share of its area under images


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
    # one run for the count and the sizes: poppler stops at the last page when -l goes past it
    proc = _run([_need("pdfinfo"), "-f", "1", "-l", str(max_pages or 10**9), str(path)], timeout)
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
    sizes = _SIZE_RE.findall(out)
    info.page_sizes_pt = [(float(w), float(h)) for _, w, h in sizes]
    images = page_images(path, last, timeout=timeout)
    info.gray_pages = images.gray_pages
    info.image_ppi = images.ppi
    info.image_cover = images.cover([w * h for w, h in info.page_sizes_pt])
    return info


@dataclass
class PageImages:
    """What `pdfimages -list` says of pages 1..last: which hold only gray images, the resolution of each
    page's largest image, and the square inches its images cover (overlaps counted twice)."""

    gray_pages: set[int] = field(default_factory=set)
    ppi: dict[int, float] = field(default_factory=dict)
    square_inches: dict[int, float] = field(default_factory=dict)

    def cover(self, areas_pt2: list[float]) -> dict[int, float]:
        """Share of each page's area under images, given the pages' areas (square points)."""
        out = {}
        for page, inches2 in self.square_inches.items():
            if page <= len(areas_pt2) and areas_pt2[page - 1] > 0:
                out[page] = round(min(1.0, inches2 / (areas_pt2[page - 1] / 72**2)), 3)
        return out


def page_images(path: Path, last: int, *, timeout: float = 60.0) -> PageImages:
    """`pdfimages -list` of pages 1..`last`, run once per file and process (the text-layer judge and the
    page loader both read it)."""
    st = Path(path).stat()
    return _page_images_cached(str(path), st.st_size, st.st_mtime_ns, last, timeout)


@lru_cache(maxsize=8)
def _page_images_cached(path_s: str, size: int, mtime: int, last: int, timeout: float) -> PageImages:
    images = PageImages()
    if not shutil.which("pdfimages"):
        return images
    proc = _run(["pdfimages", "-list", "-f", "1", "-l", str(last), path_s], timeout)
    colour: dict[int, bool] = {}
    largest: dict[int, int] = {}
    for line in proc.stdout.decode("utf-8", "replace").splitlines()[2:]:
        cols = line.split()
        if len(cols) < 14 or not cols[0].isdigit() or cols[2] not in ("image", "stencil"):
            continue
        page = int(cols[0])
        colour[page] = colour.get(page, False) or cols[5] not in ("gray", "-")
        try:
            ppi, ppi_y = float(cols[12]), float(cols[13])
        except ValueError:
            continue
        area = int(cols[3]) * int(cols[4])
        if area > largest.get(page, -1):
            largest[page] = area
            images.ppi[page] = ppi
        if ppi > 0 and ppi_y > 0:
            images.square_inches[page] = (
                images.square_inches.get(page, 0.0) + int(cols[3]) / ppi * int(cols[4]) / ppi_y
            )
    images.gray_pages = {p for p, c in colour.items() if not c}
    return images


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


@dataclass
class PdfFont:
    name: str
    type: str  # Type 1, TrueType, CID TrueType, Type 3, ...
    encoding: str  # WinAnsi, Identity-H, Custom, Builtin, ...
    embedded: bool
    subset: bool
    unicode: bool  # has a ToUnicode map


def page_fonts(path: Path, first: int, last: int, *, timeout: float = 30.0) -> list[PdfFont]:
    """The fonts pages `first`..`last` use, from `pdffonts` (columns cut where its header's dashes are)."""
    proc = _run([_need("pdffonts"), "-f", str(first), "-l", str(last), str(path)], timeout)
    lines = proc.stdout.decode("utf-8", "replace").splitlines()
    if proc.returncode != 0 or len(lines) < 2:
        raise PageError(f"pdffonts could not read pages {first}-{last}", path=str(path))
    spans = [m.span() for m in re.finditer(r"-+", lines[1])]
    fonts = []
    for line in lines[2:]:
        cols = [line[a : (b if i < len(spans) - 1 else None)].strip() for i, (a, b) in enumerate(spans)]
        if len(cols) < 6:
            continue
        fonts.append(PdfFont(cols[0], cols[1], cols[2], cols[3] == "yes", cols[4] == "yes", cols[5] == "yes"))
    return fonts


@dataclass
class LayerWord:
    text: str
    bbox: tuple[float, float, float, float]  # x0, y0, x1, y1 in PDF points, origin top left
    line: tuple[int, int]  # (block, line) numbers, counted over the page


@dataclass
class LayerPage:
    page_no: int
    width_pt: float
    height_pt: float
    words: list[LayerWord] = field(default_factory=list)


_XHTML = "{http://www.w3.org/1999/xhtml}"


def text_layer(path: Path, first: int, last: int, *, timeout: float = 60.0) -> list[LayerPage]:
    """Words with boxes, blocks and lines of pages `first`..`last`, from one `pdftotext -bbox-layout`
    (the same text as `pdftotext`, the same word segmentation). Boxes are in points from the top left
    of the media box as `pdftoppm` renders it, turned with the page; the page's width and height are
    the media box's, unturned."""
    args = [_need("pdftotext"), "-bbox-layout", "-enc", "UTF-8", "-f", str(first), "-l", str(last)]
    proc = _run([*args, str(path), "-"], timeout)
    if proc.returncode != 0:
        detail = proc.stderr.decode("utf-8", "replace").strip()[-200:]
        raise PageError(f"pdftotext could not read pages {first}-{last}: {detail}", path=str(path))
    try:
        root = ET.fromstring(proc.stdout)
    except ET.ParseError as exc:
        raise PageError(f"pdftotext gave unreadable output for pages {first}-{last}", path=str(path)) from exc
    pages = []
    for n, page in enumerate(root.iter(f"{_XHTML}page")):
        out = LayerPage(first + n, float(page.get("width", 0)), float(page.get("height", 0)))
        for b, block in enumerate(page.iter(f"{_XHTML}block")):
            for k, line in enumerate(block.iter(f"{_XHTML}line")):
                for word in line.iter(f"{_XHTML}word"):
                    get = word.get
                    box = (
                        float(get("xMin", 0)),
                        float(get("yMin", 0)),
                        float(get("xMax", 0)),
                        float(get("yMax", 0)),
                    )
                    if word.text and word.text.strip():
                        out.words.append(LayerWord(word.text, box, (b, k)))  # type: ignore[arg-type]
        pages.append(out)
    return pages


def page_layout_text(path: Path, page_no: int, *, timeout: float = 60.0) -> str:
    """`pdftotext -layout` of one page: the layer's text as printed, columns side by side."""
    args = [_need("pdftotext"), "-layout", "-enc", "UTF-8", "-f", str(page_no), "-l", str(page_no)]
    proc = _run([*args, str(path), "-"], timeout)
    if proc.returncode != 0:
        raise PageError(f"pdftotext could not read page {page_no}", path=str(path))
    return proc.stdout.decode("utf-8", "replace").rstrip("\f")


def render_small(path: Path, page_no: int, dpi: int, *, timeout: float = 60.0) -> np.ndarray:
    """One page as an RGB array straight from `pdftoppm` on stdout (see `render_pages`)."""
    return render_pages(path, page_no, page_no, dpi, timeout=timeout)[0]


def render_pages(path: Path, first: int, last: int, dpi: int, *, timeout: float = 60.0) -> list[np.ndarray]:
    """Pages `first`..`last` as RGB arrays from one `pdftoppm` run writing them one after the other on
    stdout: no temp file, no pdfinfo call (pdf2image's way costs more than the rendering itself at
    low resolution)."""
    args = [_need("pdftoppm"), "-f", str(first), "-l", str(last), "-r", str(dpi)]
    proc = _run([*args, str(path)], timeout)
    pages: list[np.ndarray] = []
    pos = 0
    while proc.returncode == 0 and proc.stdout.startswith(b"P6", pos) and len(pages) <= last - first:
        try:
            page, pos = _parse_ppm(proc.stdout, pos)
        except (ValueError, IndexError):  # cut short
            break
        pages.append(page)
    if len(pages) != last - first + 1:
        what = f"page {first}" if first == last else f"pages {first}-{last}"
        raise PageError(f"{what} could not be rendered", path=str(path))
    return pages


def _parse_ppm(data: bytes, start: int = 0) -> tuple[np.ndarray, int]:
    """The binary PPM at `start` of `data`, and where the next one starts."""
    fields: list[bytes] = []
    pos = start
    while len(fields) < 4:  # magic, width, height, maxval; comments start with #
        while data[pos : pos + 1].isspace():
            pos += 1
        if data[pos : pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        end = pos
        while not data[end : end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    width, height = int(fields[1]), int(fields[2])
    count = width * height * 3
    pixels = np.frombuffer(data, dtype=np.uint8, count=count, offset=pos + 1)
    return pixels.reshape(height, width, 3), pos + 1 + count
