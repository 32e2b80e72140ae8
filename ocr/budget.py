"""The time bound of one page: what it may spend, relative to what bare Tesseract would spend on its
pixels. It caps the enlargement of low-res pages and decides whether extra readings may run."""

from __future__ import annotations

import math

# What bare Tesseract spends on a page, in CPU seconds: a fixed start (loading the vie model) and a
# cost per megapixel (this project's 2-core machine: ~0.25 s to start, ~0.13 s/Mpx on the DEV and real
# pages). A page may spend TIME_FACTOR times that. The costs are predicted from pixel counts, never
# measured: the same page must get the same readings (and the same record) on an idle machine and on
# a loaded one.
BARE_START_S = 0.25
BARE_PER_MPX_S = 0.13
TIME_FACTOR = 3.0

# The steps after an enlargement and Tesseract's own thresholding and layout work on every pixel:
# an enlarged page costs about this much more per pixel than bare Tesseract's reading.
ENLARGED_OVERHEAD = 1.3


def reading_cost(pixels: float) -> float:
    """Predicted CPU seconds of one Tesseract reading of `pixels`."""
    return BARE_START_S + BARE_PER_MPX_S * pixels / 1e6


def max_upscale(pixels: int) -> float:
    """The largest enlargement whose reading stays within the page's time bound: TIME_FACTOR times
    bare Tesseract's cost of the page as it came (a 1-Mpx scan: about 2.3x, a 0.4-Mpx one 3.2x)."""
    mpx = pixels / 1e6
    allowed = TIME_FACTOR * reading_cost(pixels) - BARE_START_S
    return max(1.0, math.sqrt(max(allowed, 0.0) / (ENLARGED_OVERHEAD * BARE_PER_MPX_S * max(mpx, 1e-3))))


class PageBudget:
    """What a page may spend on readings: TIME_FACTOR times bare Tesseract's predicted cost of it."""

    def __init__(self, pixels: int) -> None:
        self.limit = TIME_FACTOR * reading_cost(pixels)
        self.spent = 0.0

    def allows(self, pixels: float) -> bool:
        """May a reading of `pixels` run? It is then counted as spent."""
        cost = reading_cost(pixels)
        if self.spent + cost > self.limit:
            return False
        self.spent += cost
        return True
