"""The invisible OCR text layer of a PDF page, drawn from the OCR words onto the scan as uploaded.

Each word is one run of invisible text (render mode 3) in Tesseract's glyphless font (one glyph, half
an em wide, every character code mapped to it), stretched over the word's box: a viewer selects and
finds the words where they are printed, and copies them as Unicode (`ToUnicode` maps the codes, which
are the characters' UTF-16 units, back to themselves). The boxes come in the coordinates of the image
Tesseract read; `PageResult.to_source` takes them back to the loaded page, and `page_placement` from
there to the PDF page's user space, whatever its box and /Rotate.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf

from ocr.model import PageResult, Word

FONT_NAME = Name("/OCRText")
CHAR_WIDTH = 0.5  # of an em: the glyph's advance in Tesseract's pdf.ttf (DW 500)

_TO_UNICODE = b"""/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Adobe-Identity-UCS def
/CMapType 2 def
1 begincodespacerange
<0000> <FFFF>
endcodespacerange
1 beginbfrange
<0000> <FFFF> <0000>
endbfrange
endcmap
CMapName currentdict /CIDMap defineresource pop
end
end
"""


def glyphless_font(pdf: Pdf, font_file: Path) -> Dictionary:
    """The Type0 font of the text layer, added to `pdf` once and shared by its pages."""
    font_program = font_file.read_bytes()
    descriptor = Dictionary(
        Type=Name.FontDescriptor,
        FontName=Name("/GlyphLessFont"),
        Flags=5,
        FontBBox=Array([0, 0, 500, 1000]),
        ItalicAngle=0,
        Ascent=1000,
        Descent=0,
        CapHeight=1000,
        StemV=80,
        FontFile2=pdf.make_stream(font_program, Length1=len(font_program)),
    )
    cid_to_gid = b"\x00\x01" * 65536  # every code to glyph 1, the font's one (blank) glyph
    cid_font = Dictionary(
        Type=Name.Font,
        Subtype=Name.CIDFontType2,
        BaseFont=Name("/GlyphLessFont"),
        CIDSystemInfo=Dictionary(
            Registry=pikepdf.String("Adobe"), Ordering=pikepdf.String("Identity"), Supplement=0
        ),
        FontDescriptor=pdf.make_indirect(descriptor),
        DW=int(CHAR_WIDTH * 1000),
        CIDToGIDMap=pdf.make_stream(cid_to_gid),
    )
    font = Dictionary(
        Type=Name.Font,
        Subtype=Name.Type0,
        BaseFont=Name("/GlyphLessFont"),
        Encoding=Name("/Identity-H"),
        DescendantFonts=Array([pdf.make_indirect(cid_font)]),
        ToUnicode=pdf.make_stream(_TO_UNICODE),
    )
    return pdf.make_indirect(font)


def page_placement(page: pikepdf.Page, source_size: tuple[int, int]) -> np.ndarray:
    """3x3 matrix from the loaded page's pixels (x right, y down; what the OCR saw, `source_size` =
    width x height) to the PDF page's user space: the visible box (CropBox, else MediaBox) as shown,
    turned by the page's /Rotate, exactly as poppler rendered it for the OCR."""
    box = [float(v) for v in (page.obj.get("/CropBox") or page.mediabox)]
    x0, y0, x1, y1 = min(box[0], box[2]), min(box[1], box[3]), max(box[0], box[2]), max(box[1], box[3])
    rotate = int(page.obj.get("/Rotate", 0)) % 360
    bw, bh = x1 - x0, y1 - y0
    shown_w, shown_h = (bw, bh) if rotate in (0, 180) else (bh, bw)
    ws, hs = source_size
    to_shown = np.diag([shown_w / ws, shown_h / hs, 1.0])  # pixels -> points, origin top left, y down
    # shown (u right, v down) -> user space, for each /Rotate (the page turned clockwise when shown)
    shown_to_user = {
        0: [[1, 0, x0], [0, -1, y1]],
        90: [[0, 1, x0], [1, 0, y0]],
        180: [[-1, 0, x1], [0, 1, y0]],
        270: [[0, -1, x1], [-1, 0, y1]],
    }[rotate]
    return np.array([*shown_to_user, [0, 0, 1]], dtype=np.float64) @ to_shown


def _apply(m: np.ndarray, x: float, y: float) -> np.ndarray:
    v = m @ np.array([x, y, 1.0])
    return v[:2] / v[2]


def _num(value: float, places: int) -> str:
    """Shortest form of `value` to `places` decimals (`12.5`, `0`, never `-0.000`): the text layer is
    mostly numbers, and short ones compress better."""
    text = f"{value:.{places}f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _hex(text: str) -> str:
    units = text.encode("utf-16-be")
    return units.hex().upper()


def _lines(words: Sequence[Word]) -> list[list[Word]]:
    """Words grouped by Tesseract line, in reading order; a space ends every word but a line's last."""
    lines: dict[tuple[int, int, int], list[Word]] = {}
    for w in words:
        lines.setdefault(tuple(w.line), []).append(w)
    return list(lines.values())


def content_stream(words: Sequence[Word], to_user: np.ndarray, font_key: Name = FONT_NAME) -> bytes:
    """PDF operators that draw `words` (boxes in OCR coordinates) as invisible text; `to_user` maps the
    OCR coordinates to user space (a projective map: each word gets its own text matrix)."""
    ops = ["q", "BT", "3 Tr", f"{font_key} 1 Tf"]
    for line in _lines(words):
        for i, w in enumerate(line):
            text = w.text.strip()
            if not text:
                continue
            x0, y0, x1, y1 = w.bbox
            base_left, base_right, top_left = (
                _apply(to_user, x0, y1),
                _apply(to_user, x1, y1),
                _apply(to_user, x0, y0),
            )
            along, up = base_right - base_left, top_left - base_left
            if np.hypot(*along) < 0.01 or np.hypot(*up) < 0.01:
                continue  # a degenerate box draws nothing findable
            n = len(text.encode("utf-16-be")) // 2
            a, b = along / (n * CHAR_WIDTH)  # the n glyphs span the box exactly
            c, d = up
            e, f = base_left
            suffix = " " if i < len(line) - 1 else ""
            matrix = " ".join([*(_num(v, 3) for v in (a, b, c, d)), _num(e, 2), _num(f, 2)])
            ops.append(f"{matrix} Tm <{_hex(text + suffix)}> Tj")
    ops += ["ET", "Q"]
    return "\n".join(ops).encode("ascii")


def add_text_layer(pdf: Pdf, page: pikepdf.Page, result: PageResult, font: Dictionary) -> bool:
    """Append the invisible words of `result` to `page` (its own drawing untouched). False when the
    page has no words or no geometry to place them with."""
    if not result.words or result.to_source is None or result.source_size is None:
        return False
    to_loaded = np.asarray(result.to_source, dtype=np.float64).reshape(3, 3)
    to_user = page_placement(page, result.source_size) @ to_loaded
    stream = content_stream(result.words, to_user)
    resources = page.obj.get("/Resources")
    if resources is None:
        resources = page.obj.Resources = Dictionary()
    fonts = resources.get("/Font")
    if fonts is None:
        fonts = resources.Font = Dictionary()
    fonts[FONT_NAME] = font
    # the page's own content may leave the graphics state changed: wrap it, then draw the text
    page.contents_coalesce()
    page.contents_add(pdf.make_stream(b"q\n"), prepend=True)
    page.contents_add(pdf.make_stream(b"\nQ\n" + stream))
    return True
