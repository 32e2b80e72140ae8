"""The invisible OCR text layer of a PDF page, drawn from the OCR words onto the scan as uploaded.

Each word is one run of invisible text (render mode 3) in Tesseract's glyphless font (one glyph, half
an em wide, every character code mapped to it), stretched over the word's box: a viewer selects and
finds the words where they are printed, and copies them as Unicode (`ToUnicode` maps the codes, which
are the characters' UTF-16 units, back to themselves). The boxes come in the coordinates of the image
Tesseract read; `PageResult.to_source` takes them back to the loaded page, and `page_placement` from
there to the PDF page's user space, whatever its box and /Rotate.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf

from ocr.model import PageResult, Word
from ocr.pdfdoc import inherited

FONT_KEY = "/T"  # the text layer's font in a page's resources (a digit added until the key is free)
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


def highest_code(texts: Iterable[str]) -> int:
    """The highest character code (UTF-16 unit) drawing `texts` takes, the word-ending space included
    (a character beyond the BMP takes surrogates, below 0xFFFF)."""
    return min(max(0x20, max((ord(c) for text in texts for c in text), default=0)), 0xFFFF)


def glyphless_font(pdf: Pdf, font_file: Path, last_code: int = 0xFFFF) -> Dictionary:
    """The Type0 font of the text layer, added to `pdf` once and shared by its pages. Its CIDToGIDMap
    covers the codes up to `last_code` (the document's highest: 16 kB for Vietnamese, where the whole
    range takes 128 kB, which compresses to 150 bytes against 30)."""
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
    cid_to_gid = b"\x00\x01" * (min(last_code, 0xFFFF) + 1)  # every code to glyph 1, the one (blank) glyph
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


def _num(value: float, places: int) -> str:
    """Shortest form of `value` to `places` decimals (`12.5`, `0`, never `-0.000`): the text layer is
    mostly numbers, and short ones compress better."""
    text = f"{value:.{places}f}".rstrip("0").rstrip(".")
    if text in ("", "-0"):
        return "0"
    return text.replace("0.", ".", 1) if text.lstrip("-").startswith("0.") else text  # `.5`, `-.05`


# byte -> its escape in a literal string; the backslash first, so that no escape is escaped again
_ESCAPES = ((b"\\", b"\\\\"), (b"(", b"\\("), (b")", b"\\)"), (b"\r", b"\\r"), (b"\n", b"\\n"))


def _literal(text: str) -> bytes:
    """`text` as a literal string of UTF-16BE codes (the font's codes): two bytes a character where a
    hex string takes four. The escapes apply to bytes, halves of a code included (`Ĩ` is 01 28)."""
    codes = text.encode("utf-16-be")
    for byte, escaped in _ESCAPES:
        codes = codes.replace(byte, escaped)
    return b"(" + codes + b")"


def _lines(words: Sequence[Word]) -> list[list[Word]]:
    """Words grouped by Tesseract line, in reading order; a space ends every word but a line's last."""
    lines: dict[tuple[int, int, int], list[Word]] = {}
    for w in words:
        lines.setdefault(tuple(w.line), []).append(w)
    return list(lines.values())


def _through(m: np.ndarray, points: np.ndarray) -> np.ndarray:
    """`points` (n x 2) through the projective map `m`, all at once. Each point comes out bit for bit as
    from its own `m @ (x, y, 1)`: numpy gives every product of the stack to the same BLAS kernel, which
    fuses multiplies and adds (the same sums in plain floats round differently, and the stream would
    change in a last digit now and then)."""
    v = _matvecs(m, np.column_stack([points, np.ones(len(points))]))
    return v[:, :2] / v[:, 2:]


def _matvecs(m: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """`m @ v` for each row `v` of `vectors` (see `_through`)."""
    return np.matmul(m, vectors[:, :, None])[:, :, 0]


def _round2(value: float) -> float:
    """`np.round(value, 2)` of one float, computed as numpy does (times 100, to the nearest integer with
    ties to even, divided by 100; NaN and infinities kept), which `round(value, 2)` is not."""
    scaled = value * 100.0
    if math.isfinite(scaled):
        scaled = math.copysign(round(scaled), scaled)  # a zero keeps its sign, as with numpy's rint
    return scaled / 100.0


@dataclass
class _Placed:
    """The words of a line that have a box, in user space: one row a word."""

    texts: list[str]  # a space ends every word but the line's last
    left: np.ndarray  # baseline left corners, n x 2
    right: np.ndarray  # baseline right corners
    top: np.ndarray  # top left corners


def _placed(line: Sequence[Word], to_user: np.ndarray) -> _Placed:
    """The words of `line` with text and a box that is not degenerate, placed in user space."""
    texts, boxes = [], []
    for i, w in enumerate(line):
        text = w.text.strip()
        if text:
            texts.append(text + (" " if i < len(line) - 1 else ""))
            boxes.append(w.bbox)
    if not boxes:
        none = np.zeros((0, 2))
        return _Placed([], none, none, none)
    x0, y0, x1, y1 = np.array(boxes, dtype=np.float64).T
    corners = _through(to_user, np.column_stack([np.concatenate([x0, x1, x0]), np.concatenate([y1, y1, y0])]))
    left, right, top = np.split(corners, 3)
    along, up = right - left, top - left
    # a degenerate box draws nothing findable (written as "not short" so that a NaN box stays, as it did)
    keep = ~((np.hypot(along[:, 0], along[:, 1]) < 0.01) | (np.hypot(up[:, 0], up[:, 1]) < 0.01))
    return _Placed([t for t, k in zip(texts, keep, strict=True) if k], left[keep], right[keep], top[keep])


def _line_ops(line: Sequence[Word], to_user: np.ndarray, font_key: Name) -> list[bytes]:
    """One line of words: a text matrix for the line (along its baseline, one unit = the height of its
    tallest word), then per word a move from the line's start (`Td`) and a horizontal scaling (`Tz`)
    that stretches its glyphs over its box. Two numbers a word where a matrix per word takes six."""
    placed = _placed(line, to_user)
    if not placed.texts:
        return []
    # the direction of the words' own baselines (not first word to last: descenders tilt that)
    bases, ups = placed.right - placed.left, placed.top - placed.left
    along = np.sum(bases, axis=0)
    along = along / np.hypot(*along)
    height = float(np.max(np.hypot(ups[:, 0], ups[:, 1])))
    up = ups.mean(axis=0)
    up = up / np.hypot(*up) * height
    frame = np.array([[along[0] * height, up[0]], [along[1] * height, up[1]]])  # text space -> user space
    if abs(np.linalg.det(frame)) < 1e-6:
        return []
    to_text = np.linalg.inv(frame)
    origin = placed.left[0]
    matrix = " ".join([*(_num(v, 3) for v in frame.T.ravel()), _num(origin[0], 2), _num(origin[1], 2)])
    ops = [f"{matrix} Tm".encode()]
    # every word's start, width and height in text space at once; the rest, word by word, in floats
    starts = _matvecs(to_text, placed.left - origin).tolist()
    widths = _matvecs(to_text, bases)[:, 0].tolist()
    heights = _matvecs(to_text, ups)[:, 1].tolist()
    at_x = at_y = 0.0  # where the emitted moves put the line's start, in text space
    size = scaling = None
    for text, (start_x, start_y), width, word_height in zip(
        placed.texts, starts, widths, heights, strict=True
    ):
        move_x, move_y = _round2(start_x - at_x), _round2(start_y - at_y)  # to 1/100 of the line's height
        if move_x or move_y:
            ops.append(f"{_num(move_x, 2)} {_num(move_y, 2)} Td".encode())
            at_x, at_y = at_x + move_x, at_y + move_y
        # each word its own height, as text extractors compare gaps and baselines with the font size
        word_size = _num(max(word_height, 0.1), 1)
        if word_size != size:
            ops.append(f"{font_key} {word_size} Tf".encode())
            size = word_size
        n = len(text.rstrip().encode("utf-16-be")) // 2
        tz = _num(100 * width / (n * CHAR_WIDTH * float(word_size)), 1)  # the n glyphs span the box
        if tz != scaling:
            ops.append(f"{tz} Tz".encode())
            scaling = tz
        ops.append(_literal(text) + b"Tj")
    return ops


def content_stream(words: Sequence[Word], to_user: np.ndarray, font_key: Name = Name(FONT_KEY)) -> bytes:
    """PDF operators that draw `words` (boxes in OCR coordinates) as invisible text; `to_user` maps the
    OCR coordinates to user space (a projective map: each line gets its own text matrix)."""
    ops = [b"BT", b"3 Tr"]
    for line in _lines(words):
        ops += _line_ops(line, to_user, font_key)
    ops.append(b"ET")
    return b"\n".join(ops)


def add_text_layer(pdf: Pdf, page: pikepdf.Page, result: PageResult, font: Dictionary) -> bool:
    """Append the invisible words of `result` to `page` (its own drawing untouched). False when the
    page has no words or no geometry to place them with."""
    if not result.words or result.to_source is None or result.source_size is None:
        return False
    to_loaded = np.asarray(result.to_source, dtype=np.float64).reshape(3, 3)
    to_user = page_placement(page, result.source_size) @ to_loaded
    resources = inherited(page.obj, "/Resources")
    resources = Dictionary() if not isinstance(resources, Dictionary) else resources
    page.obj.Resources = resources  # on the page itself: one inherited from the page tree stays whole
    fonts = resources.get("/Font")
    if not isinstance(fonts, Dictionary):
        fonts = resources.Font = Dictionary()
    ours = [
        k for k, f in fonts.items() if isinstance(f, Dictionary) and f.is_indirect and f.objgen == font.objgen
    ]
    free = (k for k in (f"{FONT_KEY}{n or ''}" for n in range(len(fonts) + 1)) if k not in fonts)
    key = ours[0] if ours else next(free)
    fonts[key] = font
    stream = content_stream(result.words, to_user, Name(key))
    # the page's own content may leave the graphics state changed: wrap it, then draw the text; one
    # stream (each stream object costs its dictionary and framing)
    page.contents_coalesce()
    own = page.obj.Contents.read_bytes() if "/Contents" in page.obj else b""
    page.obj.Contents = pdf.make_stream(b"q\n" + own + b"\nQ\n" + stream)
    return True
