"""How much of the page's text a reading read: the text-like components of the page that fall inside
the reading's word boxes.

The word-level quality score (`ocr.quality`) judges what was read; it cannot see what was not. A
reading that lost a block of the page (a paragraph taken for a picture, a column cut off, text too
small or faint for the layout analysis) scores as well as a complete one if what it kept reads well.
The page itself says where its text is: character-sized components with neighbours of a similar
height on the same row (`preprocess.textlike_components`, the measure the page-outline check uses).
Seals and signatures are not rows of similar glyphs, rules and table frames are not character-sized,
and coloured ink (red seals, blue signatures) is gone from the gray page these are measured on.

The components are found once per page, on the page as the main reading saw it, and mapped into the
frame of every other reading (conservative, turned, bare) through the matrices the engine keeps: each
reading of a page is judged against the same text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from ocr import preprocess
from ocr.model import Word

COVER_SIDE = 1200  # the measuring copy's long side: glyphs of 12-14 pt text stay 8-10 px high at 300 dpi
MIN_COMPONENTS = 30  # fewer text-like components than this: too little text to say what is missing
# A component counts as read when its centre lies within this many of its own heights of a word box:
# tone marks, dots and punctuation sit just outside the box Tesseract gives the word.
PAD_HEIGHTS = 0.5


@dataclass
class PageText:
    """Where the text of a page is: centres, heights and widths of its text-like components, in the
    coordinates of the image they were measured on (full resolution, not the measuring copy)."""

    centres: np.ndarray  # (n, 2) x, y
    heights: np.ndarray  # (n,)
    widths: np.ndarray  # (n,): a glyph's, or a few joined ones' on the measuring copy

    def mapped(self, matrix: np.ndarray) -> PageText:
        """The same components in another frame (`matrix`: 3x3, this frame to that one)."""
        if not len(self.centres):
            return self
        pts = cv2.perspectiveTransform(self.centres.reshape(-1, 1, 2).astype(np.float64), matrix)
        scale = float(np.sqrt(abs(np.linalg.det(matrix[:2, :2])))) or 1.0  # lengths scale by this
        return PageText(pts.reshape(-1, 2), self.heights * scale, self.widths * scale)


def page_text(gray: np.ndarray) -> PageText:
    """The text-like components of a gray page."""
    small, f = preprocess._small(gray, COVER_SIDE)
    stats, centroids = preprocess._char_components(preprocess._measure_mask(small))
    if not len(stats):
        return PageText(np.zeros((0, 2)), np.zeros(0), np.zeros(0))
    textlike = preprocess.textlike_components(stats, centroids)
    heights = stats[textlike, cv2.CC_STAT_HEIGHT].astype(np.float64) / f
    widths = stats[textlike, cv2.CC_STAT_WIDTH].astype(np.float64) / f
    return PageText(centroids[textlike].astype(np.float64) / f, heights, widths)


def covered_share(text: PageText, words: Sequence[Word], shape: tuple[int, ...]) -> float | None:
    """Share of the page's text-like components that lie on (or just beside) a word of the reading;
    None when the page has too little text to tell. `shape`: the reading's image (its words' frame)."""
    hit = read_components(text, words, shape)
    # Components outside the reading's image (cut away by its geometry) are unread text too.
    return None if hit is None else round(float(hit.mean()), 4)


def read_components(text: PageText, words: Sequence[Word], shape: tuple[int, ...]) -> np.ndarray | None:
    """Which of the page's text-like components lie on (or just beside) a word of the reading; None
    when the page has too little text to tell."""
    n = len(text.centres)
    if n < MIN_COMPONENTS:
        return None
    h, w = shape[:2]
    # Word boxes painted on a reduced grid: a component is read when its centre's cell is painted.
    f = min(1.0, COVER_SIDE / max(h, w))
    grid = np.zeros((max(1, round(h * f)), max(1, round(w * f))), np.uint8)
    pad = PAD_HEIGHTS * float(np.median(text.heights))
    for word in words:
        x0, y0, x1, y1 = word.bbox
        cv2.rectangle(
            grid,
            (int((x0 - pad) * f), int((y0 - pad) * f)),
            (int((x1 + pad) * f), int((y1 + pad) * f)),
            1,
            thickness=-1,
        )
    xs = np.clip((text.centres[:, 0] * f).astype(np.int64), -1, grid.shape[1])
    ys = np.clip((text.centres[:, 1] * f).astype(np.int64), -1, grid.shape[0])
    inside = (xs >= 0) & (ys >= 0) & (xs < grid.shape[1]) & (ys < grid.shape[0])
    hit = np.zeros(n, bool)
    hit[inside] = grid[ys[inside], xs[inside]] > 0
    return hit


def coverage_of(gray: np.ndarray, words: Sequence[Word]) -> float | None:
    """The share of a page's text that a reading of this very image covered (the benchmark's bare
    Tesseract readings: no other frame to map from)."""
    return covered_share(page_text(gray), words, gray.shape)
