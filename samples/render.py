"""Render Vietnamese administrative documents in the Decree 30/2020/NĐ-CP layout, for the demo and tests.

Small and deterministic: a `DocSpec` in, page images (PIL, grayscale, 300 dpi A4) out. The text is
fictitious; the layout follows the decree: issuing body top left, national motto top right, title,
body, `Nơi nhận` bottom left, signer bottom right.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype/liberation2")
A4 = (2480, 3508)
MM = 300 / 25.4


def font(size_pt: float, style: str = "Regular") -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_DIR / f"LiberationSerif-{style}.ttf"), round(size_pt * 300 / 72))


@dataclass
class DocSpec:
    parent_body: str | None
    issuing_body: list[str]
    number: str
    place_date: str
    title: str | None  # None for a công văn
    subject: str
    body: list[str]
    recipients: list[str]
    signer: list[str]  # authority lines, then the position
    signer_name: str
    extra_pages: list[list[str]] = field(default_factory=list)  # body paragraphs of pages 2..n


def _center(draw: ImageDraw.ImageDraw, text: str, cx: int, y: int, f: ImageFont.FreeTypeFont) -> int:
    w = draw.textlength(text, font=f)
    draw.text((cx - w / 2, y), text, font=f, fill=0)
    return y + int(f.size * 1.35)


def _paragraphs(
    draw: ImageDraw.ImageDraw, paras: list[str], x: int, y: int, width_chars: int, f: ImageFont.FreeTypeFont
) -> int:
    for para in paras:
        for line in textwrap.wrap(para, width_chars):
            draw.text((x, y), line, font=f, fill=0)
            y += int(f.size * 1.45)
        y += int(f.size * 0.3)
    return y


def render(spec: DocSpec) -> list[Image.Image]:
    """The document's pages as grayscale images."""
    page = Image.new("L", A4, 255)
    d = ImageDraw.Draw(page)
    left, right, top = int(30 * MM), A4[0] - int(20 * MM), int(20 * MM)
    lcx, rcx = left + 380, right - 600  # centres of the two header columns
    reg, bold, ital = font(12), font(12, "Bold"), font(13, "Italic")

    y = top
    if spec.parent_body:
        y = _center(d, spec.parent_body, lcx, y, reg)
    for line in spec.issuing_body:
        y = _center(d, line, lcx, y, bold)
    y = _center(d, f"Số: {spec.number}", lcx, y + 30, reg)
    if spec.title is None:
        for line in textwrap.wrap(spec.subject, 40):
            y = _center(d, line, lcx, y, reg)
    ry = _center(d, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", rcx, top, bold)
    ry = _center(d, "Độc lập - Tự do - Hạnh phúc", rcx, ry, font(13, "Bold"))
    ry = _center(d, spec.place_date, rcx, ry + 40, ital)

    y = max(y, ry) + 120
    if spec.title:
        y = _center(d, spec.title, A4[0] // 2, y, font(15, "Bold"))
        for line in textwrap.wrap(spec.subject, 60):
            y = _center(d, line, A4[0] // 2, y, font(14, "Bold"))
        y += 60
    y = _paragraphs(d, spec.body, left, y + 20, 78, font(14))

    y += 80
    ny = _center(d, "Nơi nhận:", left + 150, y, font(12, "BoldItalic"))
    for item in spec.recipients:
        d.text((left, ny), f"- {item}", font=font(11), fill=0)
        ny += int(font(11).size * 1.4)
    sy = y
    for line in spec.signer:
        sy = _center(d, line, rcx, sy, bold)
    _center(d, spec.signer_name, rcx, sy + 260, bold)

    pages = [page]
    for n, paras in enumerate(spec.extra_pages, start=2):
        extra = Image.new("L", A4, 255)
        dd = ImageDraw.Draw(extra)
        _center(dd, str(n), A4[0] // 2, int(10 * MM), reg)
        _paragraphs(dd, paras, left, top + 120, 78, font(14))
        pages.append(extra)
    return pages


def worn(page: Image.Image, seed: int = 5) -> Image.Image:
    """A badly kept copy: faded ink, blur, a coarse fax-like resolution and some grain. The OCR reads
    it with low confidence: the review queue's first record in the demo and the tests."""
    rng = np.random.default_rng(seed)
    small = page.resize((A4[0] // 5, A4[1] // 5), Image.Resampling.BILINEAR)  # 60 dpi
    img = small.filter(ImageFilter.GaussianBlur(0.8)).resize(A4, Image.Resampling.BILINEAR)
    arr = np.asarray(img, dtype=np.float32)
    arr = 255 - (255 - arr) * 0.33  # faded ink
    arr += rng.normal(0, 16, arr.shape)  # grain
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "L")


def save_png(pages: list[Image.Image], path: Path) -> None:
    pages[0].save(path, dpi=(300, 300), optimize=True)


def save_tiff(pages: list[Image.Image], path: Path) -> None:
    pages[0].save(path, save_all=True, append_images=pages[1:], compression="tiff_deflate", dpi=(300, 300))


def save_pdf(pages: list[Image.Image], path: Path) -> None:
    pages[0].save(path, save_all=True, append_images=pages[1:], resolution=300)


def save_jpeg(pages: list[Image.Image], path: Path, quality: int = 85, dpi: int = 300) -> None:
    page = pages[0] if dpi == 300 else pages[0].resize((A4[0] * dpi // 300, A4[1] * dpi // 300))
    page.save(path, quality=quality, dpi=(dpi, dpi))
