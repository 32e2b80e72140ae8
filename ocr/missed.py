"""Text the main reading missed, read again on its own.

Tesseract's layout analysis drops lines it takes for part of a picture. Beside a seal and a signature,
the signer's title and name (`TL. BỘ TRƯỞNG`, `Thang Thị Hạnh`) were missing from its reading of real
documents and of phone photos of them, though their letters were crisp: the seal, the signature and
the lines round them were read as one blank region. The page says where its text is (`ocr.coverage`):
the text-like components that no word of the reading lies on are grouped into lines, cut out, and read
in a pass of their own, set one below the other like a table's cells (`ocr.tables.stack`). What
Tesseract's layout took for a picture may be one (a signature, a stamp's scrawl): of what is read
there, only words of the language are kept (`ocr.quality.token_validity`).

Its layout also takes two close lines for one now and then (a list of recipients beside the signer's
block): that line's words stand two lines tall, doubtful, and its glyphs count as unread too, so the
same pass reads them again (`merged_lines`, `replaced`).
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from ocr import tables
from ocr.coverage import PageText
from ocr.model import Word
from ocr.quality import token_validity

# A line of fewer unread glyphs is not worth a pass: a page number, a stray mark, a seal's letters.
MIN_LINE_COMPONENTS = 6
# Glyphs stand in one line when their centres are within this many glyph heights of the line's, up
# and down, and less than this many apart along it (a word space is under one height).
SAME_LINE_HEIGHTS = 0.6
JOIN_HEIGHTS = 3.0
# What is cut round a line's glyphs, in glyph heights from their centres: half a glyph, its tone
# marks above (Vietnamese stacks two), its descenders and dots below, short of the next line at 1.5
# heights; and beyond its first and last glyph, a glyph more (a line's last letter has a neighbour on
# one side only, and may not count as text-like).
PAD_ABOVE, PAD_BELOW, PAD_SIDE = 0.95, 0.75, 1.0
# Block numbers of the words read here (below the tables' cells: these are not table rows).
MISSED_BLOCKS = 500_000
# Tesseract's layout now and then takes two close lines for one (a list of recipients under its
# heading, beside the signer's block): its words there stand two lines tall and are read with low
# confidence (`- Như thành phần mời;` read `T nát thành Dinh 0ô) háo)` on a clean page). A line with
# two such words (this many times as tall as the page's confident words, and below this confidence)
# counts as unread; the words of the lines read again replace those of its words they meet.
MERGED_HEIGHT = 1.9
MERGED_CONF = 60.0
CONFIDENT = 80.0
MIN_CONFIDENT_WORDS = 20


def missed_lines(text: PageText, read: np.ndarray, shape: tuple[int, ...]) -> list[tables.Box]:
    """Boxes round the lines of unread text-like components (`read` False), top to bottom, in the
    frame of `text`; `shape`: the image the boxes are cut from."""
    unread = np.flatnonzero(~read)
    if len(unread) < MIN_LINE_COMPONENTS:
        return []
    size = float(np.median(text.heights))
    xs, ys, half = text.centres[:, 0], text.centres[:, 1], text.widths / 2
    rows: list[list[int]] = []  # glyphs at one height, top to bottom: a line, or lines side by side
    for i in unread[np.argsort(ys[unread], kind="stable")]:
        if rows and abs(ys[i] - float(np.mean(ys[rows[-1]]))) <= SAME_LINE_HEIGHTS * size:
            rows[-1].append(i)
        else:
            rows.append([i])
    h, w = shape[:2]
    boxes = []
    for row in rows:
        row.sort(key=lambda i: xs[i])
        gaps = [k for k in range(1, len(row)) if xs[row[k]] - xs[row[k - 1]] > JOIN_HEIGHTS * size]
        for line in np.split(np.array(row), gaps):  # columns apart on the same row are lines apart
            if len(line) < MIN_LINE_COMPONENTS:
                continue
            boxes.append(
                (
                    max(0, int((xs[line] - half[line]).min() - PAD_SIDE * size)),
                    max(0, int(ys[line].min() - PAD_ABOVE * size)),
                    min(w, int((xs[line] + half[line]).max() + PAD_SIDE * size) + 1),
                    min(h, int(ys[line].max() + PAD_BELOW * size) + 1),
                )
            )
    return boxes


def lines_split(gray: np.ndarray, boxes: list[tables.Box], dpi: float) -> tables.Split:
    """The lines at `boxes` cut from `gray` and set one below the other, ready for a pass of their own;
    its `to_page` moves the words read there back to the page."""
    pieces = {b: gray[b[1] : b[3], b[0] : b[2]] for b in boxes}
    images, placements = tables.stack(pieces, boxes, tables.paper_level(gray), dpi)
    return tables.Split(gray, images, placements, first_block=MISSED_BLOCKS)


def words_of_the_language(words: list[Word]) -> list[Word]:
    """The words read in missed lines that are syllables, numbers or known words of two letters or
    more (`Thang`, `Hạnh`, `06/10/2025`), not a signature's strokes read as `Z5`, `r)` or `1`."""
    return [w for w in words if sum(ch.isalnum() for ch in w.text) >= 2 and token_validity(w.text)]


def _height(word: Word) -> int:
    return word.bbox[3] - word.bbox[1]


def merged_lines(words: list[Word]) -> set[tuple[int, int, int]]:
    """The lines of the reading (Tesseract's block, paragraph, line) that run across two lines of the
    page: two or more of their words are far taller than the page's confident words, and doubtful."""
    confident = [_height(w) for w in words if w.conf >= CONFIDENT]
    if len(confident) < MIN_CONFIDENT_WORDS:
        return set()
    tall = MERGED_HEIGHT * float(np.median(confident))
    doubtful = Counter(w.line for w in words if w.conf < MERGED_CONF and _height(w) > tall)
    return {line for line, n in doubtful.items() if n >= 2}


OVERLAP = 0.5  # of the smaller box: two words on one spot, not a tall box grazing the next line


def _on_one_spot(a: tables.Box, b: tables.Box) -> bool:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return w > 0 and h > 0 and w * h >= OVERLAP * max(smaller, 1)


def replaced(words: list[Word], merged: set[tuple[int, int, int]], again: list[Word]) -> list[Word]:
    """`words` without the words of `merged` lines that meet a word read `again`, or, on a line so
    read again, a word of another line (the line below, read twice). Their other words stay (a code
    that is no word of the language, which the lines read again leave out)."""

    def meets(word: Word, others: list[Word]) -> bool:
        return any(_on_one_spot(word.bbox, o.bbox) for o in others)

    suspects = [w for w in words if w.line in merged]
    replaced_here = {id(w) for w in suspects if meets(w, again)}
    read_again = {w.line for w in suspects if id(w) in replaced_here}
    others = [w for w in words if w.line not in merged]
    twice = {id(w) for w in suspects if w.line in read_again and meets(w, others)}
    gone = replaced_here | twice
    return [w for w in words if id(w) not in gone]
