"""The time bound of one page: what it may spend, relative to what bare Tesseract would spend on its
pixels. It caps the enlargement of low-res pages and decides whether extra readings may run."""

from __future__ import annotations

import math
import resource

# What bare Tesseract spends on a page, in CPU seconds: a fixed start (loading the vie model) and a
# cost per megapixel (this project's 2-core machine: ~0.25 s to start, ~0.13 s/Mpx on the DEV and real
# pages), or what the main pass measurably spent on the page's own pixels, whichever is more (text
# density and the machine's speed change it). A page may spend TIME_FACTOR times that; extra readings
# that would go beyond are not run, and the page's steps say so.
BARE_START_S = 0.25
BARE_PER_MPX_S = 0.13
TIME_FACTOR = 3.0


# The steps after an enlargement and Tesseract's own thresholding and layout work on every pixel:
# an enlarged page costs about this much more per pixel than bare Tesseract's reading.
ENLARGED_OVERHEAD = 1.3


def max_upscale(pixels: int) -> float:
    """The largest enlargement whose reading stays within the page's time bound: TIME_FACTOR times
    bare Tesseract's cost of the page as it came (a 1-Mpx scan: about 2.6x, a 0.4-Mpx one 3.5x)."""
    mpx = pixels / 1e6
    allowed = TIME_FACTOR * (BARE_START_S + BARE_PER_MPX_S * mpx) - BARE_START_S
    return max(1.0, math.sqrt(max(allowed, 0.0) / (ENLARGED_OVERHEAD * BARE_PER_MPX_S * max(mpx, 1e-3))))


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the Tesseract runs)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


class PageBudget:
    """The CPU time a page may spend: TIME_FACTOR times what bare Tesseract would spend on its pixels."""

    def __init__(self, pixels: int) -> None:
        self.start = cpu_seconds()
        self.pixels = pixels
        self.bare = BARE_START_S + BARE_PER_MPX_S * pixels / 1e6

    def calibrate(self, seconds: float, pixels: float) -> None:
        """A Tesseract pass over `pixels` took `seconds`: bare Tesseract would spend at least its share
        for the page's own pixels."""
        self.bare = max(self.bare, seconds * min(1.0, self.pixels / max(pixels, 1.0)))

    @property
    def limit(self) -> float:
        return TIME_FACTOR * self.bare

    def spent(self) -> float:
        return cpu_seconds() - self.start

    def allows(self, predicted: float) -> bool:
        return self.spent() + predicted <= self.limit
