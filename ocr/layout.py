"""Decree 30 reading order from Tesseract's word boxes (and the tone marks a reading lost, restored
in the words as they are grouped: `ocr.phrases`, `ocr.places`, `ocr.tones`; an article's number read
with a letter for 1: `ocr.numbers`).

A Decree 30 page has two-column zones (the header: issuing body and number on the left, national
motto, place and date on the right; the closing: recipients on the left, signer on the right) between
full-width text. Tesseract sometimes reads such zones across, row by row. We rebuild lines from the
words, cut them at wide gaps into pieces, find the column split, and emit every two-column zone as
its left column, then its right column.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from statistics import median

from ocr import numbers, phrases, places, symbols, tones
from ocr.model import Word


@dataclass
class Piece:
    """Words of one line between wide gaps. Its words are fixed once made: the bounds are computed
    once (the row and column passes ask for them again and again)."""

    words: list[Word] = field(default_factory=list)

    @cached_property
    def x0(self) -> int:
        return min(w.bbox[0] for w in self.words)

    @cached_property
    def x1(self) -> int:
        return max(w.bbox[2] for w in self.words)

    @cached_property
    def y0(self) -> int:
        return min(w.bbox[1] for w in self.words)

    @cached_property
    def y1(self) -> int:
        return max(w.bbox[3] for w in self.words)

    @cached_property
    def band(self) -> tuple[float, float]:
        """The line's height band: its words' median top and bottom. A word whose box a speck, a
        seal's stroke or a signature stretches would otherwise reach into the next line."""
        return median(w.bbox[1] for w in self.words), median(w.bbox[3] for w in self.words)


def is_noise(word: Word, min_conf: float = 50.0) -> bool:
    """A doubtful token that is mostly symbols: what Tesseract makes of seals, signatures, specks."""
    text = word.text
    alnum = sum(ch.isalnum() for ch in text)
    return word.conf < min_conf and alnum < 0.5 * len(text)


RULE_CHARS = frozenset("|¦‖│")
# A page edge with a speck beside it reads as an I with the dot below: no word is that letter alone.
RULE_TOKENS = frozenset({"Ị"})


def is_rule(word: Word) -> bool:
    """A token of vertical bars only: a table's ruling or a page edge beside the text lines (a phone
    photo's sheet against a pale desk read as '|' or 'Ị' at the end of every line). No Vietnamese
    administrative text is written with them."""
    text = word.text.strip()
    return bool(text) and (set(text) <= RULE_CHARS or text in RULE_TOKENS)


# Characters no word is made of alone: what specks, seals and signatures come out as beside a line
# (`` ` ``, `^`, `ˆ`, a lone quote, `__`), however sure Tesseract is of them.
STRAY_CHARS = frozenset("`^ˆ_'¬«»°\\")
# What a check box or an icon in a table's heading comes out as (`£`, `Ạ£`, `4£`): the documents never
# write the pound sign.
ICON_CHARS = frozenset("£")


def is_stray(word: Word) -> bool:
    text = word.text.strip()
    return bool(text) and (set(text) <= STRAY_CHARS or (len(text) <= 3 and not ICON_CHARS.isdisjoint(text)))


MARK_CONF = 20.0  # below this, a one- or two-character token is a mark, not a word


def is_mark(word: Word, max_len: int = 2, max_conf: float = MARK_CONF) -> bool:
    """A one- or two-character token Tesseract barely believes: a fragment of a seal, a stroke of a
    signature or a handwritten note, a speck. Real short words (và, có, số, 1.) read far above it."""
    return len(word.text) <= max_len and word.conf < max_conf


def _lines(words: list[Word]) -> list[list[Word]]:
    """Tesseract's lines, each left to right, a document's symbol it cut in two one word again."""
    groups: dict[tuple[int, int, int], list[Word]] = defaultdict(list)
    for w in words:
        groups[w.line].append(w)
    return [symbols.joined(sorted(ws, key=lambda w: w.bbox[0])) for ws in groups.values()]


def _split_line(line: list[Word], gap: float) -> list[Piece]:
    groups, right = [[line[0]]], line[0].bbox[2]
    for w in line[1:]:
        if w.bbox[0] - right > gap:
            groups.append([w])
            right = w.bbox[2]
        else:
            groups[-1].append(w)
            right = max(right, w.bbox[2])
    return [Piece(ws) for ws in groups]


def _merge_close(row: list[Piece], gap: float) -> list[Piece]:
    """Tesseract sometimes cuts one printed line into two blocks (a shadow, a fold): pieces of a row
    closer than a column gap are one line."""
    row = sorted(row, key=lambda p: p.x0)
    groups, right = [list(row[0].words)], row[0].x1
    for p in row[1:]:
        if p.x0 - right <= gap:
            groups[-1].extend(p.words)
            right = max(right, p.x1)
        else:
            groups.append(list(p.words))
            right = p.x1
    return [Piece(ws) for ws in groups]


TALL_LINES = 2.0  # a piece taller than this many line heights is not a line of text


def _rows(pieces: list[Piece]) -> list[list[Piece]]:
    """Group pieces whose height bands overlap by at least half the smaller height. A piece over
    twice a line's height (a signature, a seal's text read as a word) would bridge the lines beside
    it into one row: it joins the row its middle falls in, without stretching it."""
    line_h = median(p.band[1] - p.band[0] for p in pieces)
    lines, tall = [], []
    for p in pieces:
        (tall if p.band[1] - p.band[0] > TALL_LINES * line_h else lines).append(p)
    rows: list[list[Piece]] = []
    spans: list[list[float]] = []  # each row's [top, bottom], kept as it grows
    for p in sorted(lines, key=lambda p: sum(p.band)):
        p_y0, p_y1 = p.band
        for row, span in zip(rows[-3:], spans[-3:], strict=True):
            y0, y1 = span
            overlap = min(y1, p_y1) - max(y0, p_y0)
            if overlap > 0.5 * min(y1 - y0, p_y1 - p_y0):
                row.append(p)
                span[0], span[1] = min(y0, p_y0), max(y1, p_y1)
                break
        else:
            rows.append([p])
            spans.append([p_y0, p_y1])
    for p in tall:
        mid = sum(p.band) / 2
        within = [i for i, (y0, y1) in enumerate(spans) if y0 <= mid <= y1]
        if within:
            rows[min(within, key=lambda i: abs(sum(spans[i]) / 2 - mid))].append(p)
        else:
            rows.append([p])
            spans.append(list(p.band))
    return sorted(rows, key=lambda row: sum(row[0].band))  # rows of their own among the others


def _gutter(rows: list[list[Piece]]) -> tuple[float, float]:
    """The gutter between the two columns of a zone, from its rows holding a left and a right piece:
    (right edge of the left column, left edge of the right column). Centred column text has ragged
    edges, so we take the extremes over the zone's rows."""
    lefts, rights = [], []
    for row in rows:
        if len(row) < 2:
            continue
        row = sorted(row, key=lambda p: p.x0)
        i = max(range(len(row) - 1), key=lambda k: row[k + 1].x0 - row[k].x1)
        lefts.append(row[i].x1)
        rights.append(row[i + 1].x0)
    lo, hi = max(lefts), min(rights)
    if lo >= hi:  # inconsistent rows: fall back to the typical gutter centre
        mid = median([(a + b) / 2 for a, b in zip(lefts, rights, strict=True)])
        return mid, mid
    return lo, hi


Line = list[Word]  # the words of one output line, in reading order


def _plain(zone: list[list[Piece]]) -> list[Line]:
    return [[w for p in sorted(row, key=lambda p: p.x0) for w in p.words] for row in zone]


def _columns(zone: list[list[Piece]], lo: float, hi: float, tol: float) -> list[Line]:
    centre = (lo + hi) / 2
    columns: dict[str, list[Line]] = {"L": [], "R": []}
    for row in zone:
        sides: dict[str, list[Piece]] = {"L": [], "R": []}
        for p in sorted(row, key=lambda p: p.x0):
            is_left = p.x1 <= hi + tol  # does not reach into the right column
            is_right = p.x0 >= lo - tol  # does not reach into the left column
            if is_left == is_right:  # inside the gutter, or across it: by its centre
                is_left = (p.x0 + p.x1) / 2 < centre
            sides["L" if is_left else "R"].append(p)
        for k, ps in sides.items():
            if ps:
                columns[k].append([w for p in ps for w in p.words])
    return columns["L"] + columns["R"]


# Block numbers from here on are cells of ruled tables, read in a pass of their own (ocr.tables).
TABLE_BLOCKS = 1_000_000


def _in_table(row: list[Piece]) -> bool:
    return all(w.line[0] >= TABLE_BLOCKS for p in row for w in p.words)


def table_rows(boxes: list[tuple[int, int, int, int]]) -> list[list[int]]:
    """A ruled table's cells (x0, y0, x1, y1) grouped into its rows, top to bottom, as indices, each
    row left to right. A cell joins the row whose first cell it starts beside: within half that
    cell's height of its top (a number centred beside a two-line name starts lower). The cells'
    image (`ocr.tables`) and the page's text set the rows alike."""
    rows: list[list[int]] = []
    for i in sorted(range(len(boxes)), key=lambda i: (boxes[i][1], boxes[i][0])):
        first = boxes[rows[-1][0]] if rows else None
        if first is not None and boxes[i][1] - first[1] < 0.5 * (first[3] - first[1]):
            rows[-1].append(i)
        else:
            rows.append([i])
    return [sorted(row, key=lambda i: boxes[i][0]) for row in rows]


def _table_lines(rows: list[list[Piece]]) -> list[Line]:
    """A ruled table's rows, one line each: its cells left to right, each cell's lines in turn
    (`2 Sở Văn hoá, Thể thao và Du lịch 14,50 96,67%`, not the second line of the name after the
    numbers)."""
    words: dict[int, list[Word]] = defaultdict(list)
    for w in (w for row in rows for p in row for w in p.words):
        words[w.line[0]].append(w)
    cells = [Piece(ws) for ws in words.values()]
    boxes = [(c.x0, c.y0, c.x1, c.y1) for c in cells]
    return [[w for i in row for w in _cell_words(cells[i].words)] for row in table_rows(boxes)]


def _cell_words(words: list[Word]) -> Line:
    """A cell's lines, top to bottom, each left to right."""
    lines = sorted(_lines(words), key=lambda line: min(w.bbox[1] for w in line))
    return [w for line in lines for w in line]


def _zone_lines(zone: list[list[Piece]], tol: float) -> list[Line]:
    """Lines of a zone between full-width rows: left column then right column where it has two.
    The columns run from the first to the last row holding two pieces; a line across the gutter
    before or after them (a short body line, a GCN field) is not part of them. A ruled table is read
    row by row, cell after cell, where it stands."""
    if any(_in_table(row) for row in zone):  # tables and the rows between them, each in turn
        out: list[Line] = []
        for in_table, group in itertools.groupby(zone, key=_in_table):
            rows = list(group)
            out += _table_lines(rows) if in_table else _zone_lines(rows, tol)
        return out
    two = [i for i, row in enumerate(zone) if len(row) > 1]
    if not two:
        return _plain(zone)
    lo, hi = _gutter([zone[i] for i in two])

    def spans(row: list[Piece]) -> bool:
        return any(p.x0 < lo - tol and p.x1 > hi + tol for p in row)

    for i in range(two[0] - 1, -1, -1):
        if spans(zone[i]):
            return _plain(zone[: i + 1]) + _zone_lines(zone[i + 1 :], tol)
    for i in range(two[-1] + 1, len(zone)):
        if spans(zone[i]):
            return _columns(zone[:i], lo, hi, tol) + _zone_lines(zone[i:], tol)
    return _columns(zone, lo, hi, tol)


def order_lines(words: list[Word]) -> list[str]:
    """Text lines in Decree 30 logical reading order."""
    words = [w for w in words if w.text.strip()]
    if not words:
        return []
    line_h = median(w.bbox[3] - w.bbox[1] for w in words)
    gap = max(2.5 * line_h, 40)
    pieces = [p for line in _lines(words) for p in _split_line(line, gap=gap)]
    for piece in pieces:  # a signature line's lost tone marks, back in its words (ocr.phrases)
        phrases.restore(piece.words)
    rows = [_merge_close(row, gap) for row in _rows(pieces)]
    left = min(p.x0 for p in pieces)
    right = max(p.x1 for p in pieces)
    width = right - left

    def full(row: list[Piece]) -> bool:  # a body line: one piece from the left margin to the right
        return len(row) == 1 and row[0].x0 < left + 0.3 * width and row[0].x1 > left + 0.7 * width

    out: list[Line] = []
    zone: list[list[Piece]] = []
    for row in rows:
        if full(row):
            out.extend(_zone_lines(zone, 0.01 * width))
            zone = []
            out.append(row[0].words)
        else:
            zone.append(row)
    out.extend(_zone_lines(zone, 0.01 * width))
    # lost tone marks, back in the words: place names where the text says they are places (`tỉnh` /
    # `Lâm Đông`), then any syllable from its neighbours, across line ends too (`cơ` / `cấu kinh tế`)
    in_order = [w for line in out for w in line]
    places.restore(in_order)
    tones.restore(in_order)
    numbers.restore(in_order)  # `Điều I` -> `Điều 1`
    return [" ".join(w.text for w in line) for line in out]


def page_text(words: list[Word]) -> str:
    return "\n".join(order_lines(words))
