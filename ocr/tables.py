"""Ruled tables read cell by cell.

Tesseract reads a ruled table badly in its own layout: a cell's text runs into the border beside it
(`1|`, `l2`), a narrow column of row numbers is dropped, and a row whose first cell holds two lines
(`Sở Văn hoá, Thể thao và Du / lịch`) is read as one tall line of garbage, taking the numbers of the
row with it. A phone photo of a real table (`real-docs` `ld-hdtd-pl3`) lost a sixth of its words so.

Here the table's rulings find its cells. The page is read twice, in two Tesseract passes: once with
the rulings and the cells painted paper, and once as the cells' text alone, each cell cut out and set
one below the other, a line's gap apart, in the order of the table's rows (in several images when
they would stand taller than Tesseract takes). Each cell then reads as a short paragraph of its own,
without borders, whatever the height of its neighbours. The words read there are moved back to where
their cell is on the page, so boxes, coverage and reading order stay the page's own. (One composed
image, the cells below the page, read worse: Tesseract's layout analysis of the page above dropped
whole runs of cells below it on a phone photo.)
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ocr import layout, preprocess
from ocr.model import Word

# A ruling is a straight run of ink at least this long (inches): no glyph, nor a word of joined
# letters, has one. Borders of cells are far longer: each spans its whole table.
RULE_MIN_INCHES = 0.4
MIN_CELL_INCHES = 0.1  # a cell's inside is at least this wide and high (a row of 8-pt text)
MAX_CELL_SHARE = 0.25  # a region larger than this share of the page is not a cell (a frame round it)
MIN_CELLS = 4  # fewer inked cells than this: a box round a note or a seal, not a table
GAP_INCHES = 0.08  # paper between the cells set one below the other: a line's gap
MARGIN_INCHES = 0.5  # paper round the cells' image: Tesseract drops text at an image's very edge
PAD_INCHES = 0.03  # paper kept round a cell's text when it is cut out
# Tesseract refuses an image taller than 32767 px ("Image too large"): a dense table's cells (40 rows of
# 10 at 300 dpi stack some 34,000 px high) are set in as many images of at most this height as needed.
MAX_IMAGE_PX = 30_000


@dataclass(frozen=True)
class Placement:
    """A cell's text cut from the page at (x0, y0)-(x1, y1) and set at (dx, dy) in the cells' image
    number `image`."""

    x0: int
    y0: int
    x1: int
    y1: int
    dx: int
    dy: int
    image: int = 0

    def holds(self, x: float, y: float) -> bool:
        return self.dx <= x < self.dx + self.x1 - self.x0 and self.dy <= y < self.dy + self.y1 - self.y0


@dataclass
class Split:
    """A page with ruled tables as Tesseract reads it: the page without its tables' rulings and
    cells, the images of the cells' text (one unless the tables are very long), and where each cell
    went in them."""

    page: np.ndarray
    cells: list[np.ndarray]
    placements: list[Placement]
    first_block: int = layout.TABLE_BLOCKS  # the block number of the first cell (`to_page`)

    def to_page(self, words: list[Word], image: int = 0) -> list[Word]:
        """Words read in the cells' image number `image`, moved to the page's coordinates. A word is
        placed by its centre; one found in no cell (between them) is a speck of the cutting and
        dropped. Each cell becomes a block of its own, numbered past any block of the page's own
        pass: the reading order (`ocr.layout`) groups words into lines by these numbers, and the first
        line of the cells' pass would otherwise join the page's first line."""
        out = []
        for w in words:
            x0, y0, x1, y1 = w.bbox
            cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
            i = next((i for i, p in enumerate(self.placements) if p.image == image and p.holds(cx, cy)), None)
            if i is None:
                continue
            cell = self.placements[i]
            ox, oy = cell.x0 - cell.dx, cell.y0 - cell.dy
            w.bbox = (x0 + ox, y0 + oy, x1 + ox, y1 + oy)
            w.line = (self.first_block + i, w.line[1], w.line[2])
            out.append(w)
        return out


def _rule_kernels(dpi: float) -> tuple[np.ndarray, np.ndarray]:
    """Structuring elements of a horizontal and of a vertical ruling's shortest length."""
    length = max(15, round(RULE_MIN_INCHES * dpi))
    return (
        cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1)),
        cv2.getStructuringElement(cv2.MORPH_RECT, (1, length)),
    )


def rulings(ink: np.ndarray, dpi: float) -> tuple[np.ndarray, np.ndarray]:
    """Masks (255) of the horizontal and of the vertical rulings in an ink mask: long straight runs."""
    across, down = _rule_kernels(dpi)
    return cv2.morphologyEx(ink, cv2.MORPH_OPEN, across), cv2.morphologyEx(ink, cv2.MORPH_OPEN, down)


Box = tuple[int, int, int, int]  # x0, y0, x1, y1


def find_cells(gray: np.ndarray, dpi: float) -> tuple[list[Box], np.ndarray, np.ndarray]:
    """The inked cells of the page's ruled tables, as boxes round their text; the mask of the
    tables' rulings (grown over their grey fringe; a rule under a header elsewhere is left out, as
    painting it out would cut the tone marks above it); and the ink mask without the rulings."""
    ink = preprocess.ink_mask(gray)
    # Most pages have no long vertical run of ink: an erosion (a fifth of the openings' cost) says
    # so exactly, as an opening is empty where the erosion is.
    if not cv2.erode(ink, _rule_kernels(dpi)[1]).any():
        return [], np.zeros_like(ink), ink
    horizontal, vertical = rulings(ink, dpi)
    if not horizontal.any() or not vertical.any():  # a grid needs both
        return [], np.zeros_like(ink), ink
    rules = cv2.dilate(cv2.bitwise_or(horizontal, vertical), np.ones((5, 5), np.uint8))
    n, labels, stats, _ = cv2.connectedComponentsWithStats((rules == 0).astype(np.uint8), connectivity=4)
    h, w = gray.shape
    min_side, pad = MIN_CELL_INCHES * dpi, round(PAD_INCHES * dpi)
    ink[rules > 0] = 0
    cells: list[Box] = []
    extent = [w, h, 0, 0]  # of the cells' regions: the tables and their borders
    for i in range(1, n):
        x, y, cw, ch, area = (int(v) for v in stats[i])
        enclosed = x > 0 and y > 0 and x + cw < w and y + ch < h  # the page round the tables is not
        boxlike = area >= 0.7 * cw * ch  # a cell is a rectangle; the gaps round a table's outside are not
        if not enclosed or not boxlike or cw < min_side or ch < min_side or area > MAX_CELL_SHARE * h * w:
            continue
        ys, xs = np.nonzero((labels[y : y + ch, x : x + cw] == i) & (ink[y : y + ch, x : x + cw] > 0))
        if len(xs) < 10:
            continue
        box = (
            max(x, x + int(xs.min()) - pad),
            max(y, y + int(ys.min()) - pad),
            min(x + cw, x + int(xs.max()) + 1 + pad),
            min(y + ch, y + int(ys.max()) + 1 + pad),
        )
        cells.append(box)
        extent = [min(extent[0], x), min(extent[1], y), max(extent[2], x + cw), max(extent[3], y + ch)]
    if len(cells) < MIN_CELLS:
        return [], rules, ink
    border = round(MIN_CELL_INCHES * dpi)
    x0, y0, x1, y1 = extent[0] - border, extent[1] - border, extent[2] + border, extent[3] + border
    outside = np.ones_like(rules, dtype=bool)
    outside[max(0, y0) : y1, max(0, x0) : x1] = False
    rules[outside] = 0
    return cells, rules, ink


def split(gray: np.ndarray, dpi: float) -> Split | None:
    """The page apart from the cells of its ruled tables, or None when it has no table."""
    cells, rules, ink = find_cells(gray, dpi)
    if not cells:
        return None
    # A cell's text alone on paper: a shaded header's grey, or a desk's texture in a cell made by the
    # sheet's edge, read as a line of junk in the cells' image.
    text = cv2.dilate(ink, np.ones((3, 3), np.uint8)) > 0
    paper = paper_level(gray)
    page = gray.copy()
    pieces = {}
    for box in cells:
        x0, y0, x1, y1 = box
        piece = np.where(text[y0:y1, x0:x1], gray[y0:y1, x0:x1], paper).astype(np.uint8)
        pieces[box] = piece
        page[y0:y1, x0:x1] = paper
    page[rules > 0] = paper
    order = [cells[i] for row in layout.table_rows(cells) for i in row]
    images, placements = stack(pieces, order, paper, dpi)
    return Split(page, images, placements)


def paper_level(gray: np.ndarray) -> int:
    """The page's paper grey: what cut-out pieces and painted-out cells are set on."""
    return int(np.percentile(gray[::4, ::4], 90))


def stack(
    pieces: dict[Box, np.ndarray], order: list[Box], paper: int, dpi: float
) -> tuple[list[np.ndarray], list[Placement]]:
    """Pieces of a page (cut out at their boxes) set one below the other in `order`, a line's gap
    apart, on paper with a margin round them: in as many images as Tesseract's size limit needs.
    Returns the images and where each piece went."""
    gap, margin = round(GAP_INCHES * dpi), round(MARGIN_INCHES * dpi)
    width = 2 * margin + max(b[2] - b[0] for b in order)
    placements: list[Placement] = []
    image, y = 0, margin
    for x0, y0, x1, y1 in order:
        if y > margin and y + (y1 - y0) + margin > MAX_IMAGE_PX:
            image, y = image + 1, margin
        placements.append(Placement(x0, y0, x1, y1, margin, y, image))
        y += y1 - y0 + gap
    images = []
    for k in range(image + 1):
        placed = [p for p in placements if p.image == k]
        sheet = np.full((placed[-1].dy + placed[-1].y1 - placed[-1].y0 + margin, width), paper, np.uint8)
        for p in placed:
            sheet[p.dy : p.dy + p.y1 - p.y0, p.dx : p.dx + p.x1 - p.x0] = pieces[(p.x0, p.y0, p.x1, p.y1)]
        images.append(sheet)
    return images, placements
