"""Small generated pages for the OCR tests: Vietnamese text rendered with PIL, nothing read from disk."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT_CANDIDATES = [
    "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
]

LINES = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "Ủy ban nhân dân phường Dịch Vọng quyết định",
    "cấp giấy phép xây dựng nhà ở riêng lẻ cho hộ",
    "gia đình ông Nguyễn Văn Hùng tại số 25 phố",
    "Trần Thái Tông, quận Cầu Giấy, thành phố Hà Nội.",
]


def font(size: int) -> ImageFont.FreeTypeFont:
    for path in FONT_CANDIDATES:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    raise RuntimeError("no TrueType font with Vietnamese glyphs found (install fonts-liberation2)")


def render_page(
    lines: list[str] | None = None,
    *,
    size: tuple[int, int] = (1400, 900),
    font_px: int = 40,
    margin: int = 80,
    rgb: bool = False,
) -> np.ndarray:
    """A white page with black text lines, like a 300-dpi scan of 10-pt text (x-height ~ 20 px)."""
    lines = lines or LINES
    img = Image.new("RGB" if rgb else "L", size, "white")
    draw = ImageDraw.Draw(img)
    f = font(font_px)
    y = margin
    for line in lines:
        draw.text((margin, y), line, fill="black", font=f)
        y += int(font_px * 1.6)
    return np.asarray(img).copy()


def two_column_page(size: tuple[int, int] = (2000, 900), font_px: int = 34) -> np.ndarray:
    """A Decree 30 header: issuing body on the left, national motto on the right, then body text."""
    img = Image.new("L", size, "white")
    draw = ImageDraw.Draw(img)
    f = font(font_px)
    left = ["ỦY BAN NHÂN DÂN", "PHƯỜNG DỊCH VỌNG", "Số: 123/QĐ-UBND"]
    right = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Cầu Giấy, ngày 03 tháng 4 năm 2024"]
    for i, (a, b) in enumerate(zip(left, right, strict=True)):
        y = 60 + i * 60
        draw.text((100, y), a, fill="black", font=f)
        draw.text((1000, y), b, fill="black", font=f)
    draw.text((700, 300), "QUYẾT ĐỊNH", fill="black", font=f)
    draw.text((100, 380), "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;", fill="black", font=f)
    return np.asarray(img).copy()


def save(arr: np.ndarray, path: Path, **kw: object) -> Path:
    Image.fromarray(arr).save(path, **kw)
    return path
