"""Decree 30 reading order from Tesseract's word boxes.

A Decree 30 page has two-column zones (the header: issuing body and number on the left, national
motto, place and date on the right; the closing: recipients on the left, signer on the right) between
full-width text. Tesseract sometimes reads such zones across, row by row. We rebuild lines from the
words, cut them at wide gaps into pieces, find the column split, and emit every two-column zone as
its left column, then its right column.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import pairwise
from statistics import median

from ocr.model import Word


@dataclass
class Piece:
    words: list[Word] = field(default_factory=list)

    @property
    def x0(self) -> int:
        return min(w.bbox[0] for w in self.words)

    @property
    def x1(self) -> int:
        return max(w.bbox[2] for w in self.words)

    @property
    def y0(self) -> int:
        return min(w.bbox[1] for w in self.words)

    @property
    def y1(self) -> int:
        return max(w.bbox[3] for w in self.words)

    @property
    def yc(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


def _lines(words: list[Word]) -> list[list[Word]]:
    groups: dict[tuple[int, int, int], list[Word]] = defaultdict(list)
    for w in words:
        groups[w.line].append(w)
    return [sorted(ws, key=lambda w: w.bbox[0]) for ws in groups.values()]


def _split_line(line: list[Word], gap: float) -> list[Piece]:
    pieces = [Piece([line[0]])]
    for w in line[1:]:
        if w.bbox[0] - pieces[-1].x1 > gap:
            pieces.append(Piece([w]))
        else:
            pieces[-1].words.append(w)
    return pieces


def _rows(pieces: list[Piece]) -> list[list[Piece]]:
    """Group pieces whose vertical extents overlap by at least half the smaller height."""
    rows: list[list[Piece]] = []
    for p in sorted(pieces, key=lambda p: p.yc):
        for row in rows[-3:]:
            y0, y1 = min(q.y0 for q in row), max(q.y1 for q in row)
            overlap = min(y1, p.y1) - max(y0, p.y0)
            if overlap > 0.5 * min(y1 - y0, p.y1 - p.y0):
                row.append(p)
                break
        else:
            rows.append([p])
    return rows


def _columns(rows: list[list[Piece]], left: int, right: int) -> tuple[float, float]:
    """The gutter between the two columns, from rows holding a left and a right piece: (right edge of
    the left column, left edge of the right column). Centred column text has ragged edges, so we take
    the extremes over all such rows."""
    width = right - left
    lefts, rights = [], []
    for row in rows:
        if len(row) < 2:
            continue
        row = sorted(row, key=lambda p: p.x0)
        gap, a, b = max((b.x0 - a.x1, a, b) for a, b in pairwise(row))
        centre = (a.x1 + b.x0) / 2
        if gap > 0 and abs(centre - (left + width / 2)) < 0.25 * width:
            lefts.append(a.x1)
            rights.append(b.x0)
    if not lefts:
        mid = left + 0.45 * width
        return mid, mid
    lo, hi = max(lefts), min(rights)
    if lo >= hi:  # inconsistent rows: fall back to the typical gutter centre
        mid = median([(a + b) / 2 for a, b in zip(lefts, rights, strict=True)])
        return mid, mid
    return lo, hi


def order_lines(words: list[Word]) -> list[str]:
    """Text lines in Decree 30 logical reading order."""
    words = [w for w in words if w.text.strip()]
    if not words:
        return []
    heights = [w.bbox[3] - w.bbox[1] for w in words]
    line_h = median(heights)
    pieces = [p for line in _lines(words) for p in _split_line(line, gap=max(2.5 * line_h, 40))]
    rows = _rows(pieces)
    left = min(p.x0 for p in pieces)
    right = max(p.x1 for p in pieces)
    gutter_lo, gutter_hi = _columns(rows, left, right)
    tol = 0.01 * (right - left)
    centre = (gutter_lo + gutter_hi) / 2

    def side(p: Piece) -> str:
        is_left = p.x1 <= gutter_hi + tol  # does not reach into the right column
        is_right = p.x0 >= gutter_lo - tol  # does not reach into the left column
        if is_left and is_right:
            return "L" if (p.x0 + p.x1) / 2 < centre else "R"
        return "L" if is_left else "R" if is_right else "F"

    out: list[str] = []
    zone: list[tuple[list[Piece], str]] = []

    def flush() -> None:
        sides = {s for row, s in zone}
        if "L" in sides and "R" in sides:
            for want in ("L", "R"):
                out.extend(" ".join(p.text for p in row) for row, s in zone if s == want)
        else:
            out.extend(" ".join(p.text for p in row) for row, _ in zone)
        zone.clear()

    for row in rows:
        row = sorted(row, key=lambda p: p.x0)
        row_sides = [side(p) for p in row]
        if "F" in row_sides:
            flush()
            out.append(" ".join(p.text for p in row))
            continue
        # A row of a two-column zone: its left pieces and right pieces go to their columns.
        lefts = [p for p, s in zip(row, row_sides, strict=True) if s == "L"]
        rights = [p for p, s in zip(row, row_sides, strict=True) if s == "R"]
        if lefts:
            zone.append((lefts, "L"))
        if rights:
            zone.append((rights, "R"))
    flush()
    return out


def page_text(words: list[Word]) -> str:
    return "\n".join(order_lines(words))
