"""The batch OCR's pages carry the CPU time they cost, Tesseract's included, measured in the process that
read them: the benchmark's check of the time bound per page rests on it (real Tesseract)."""

from __future__ import annotations

import resource
from pathlib import Path

import pytest

from ocr.batch import ocr_files
from ocr.engine import OcrOptions
from tests.fixtures.ocr.pages import render_page, save


def _own_cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def _children_cpu() -> float:
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return kids.ru_utime + kids.ru_stime


def _pages(tmp_path: Path, n: int) -> list[Path]:
    return [save(render_page(size=(1200, 500), font_px=44), tmp_path / f"p{i}.png") for i in range(n)]


def test_a_page_s_cpu_time_counts_the_tesseract_it_ran(tmp_path: Path) -> None:
    """In this process (jobs 1): the page's CPU time holds Tesseract's, which this process's own time
    does not."""
    own0, kids0 = _own_cpu(), _children_cpu()
    [outcome] = list(ocr_files(_pages(tmp_path, 1), OcrOptions(), jobs=1))
    own, kids = _own_cpu() - own0, _children_cpu() - kids0
    assert outcome.result is not None
    [page] = outcome.result.pages
    assert kids > 0.05  # Tesseract ran as a child
    assert page.timings["cpu"] > own  # more than this process's own work
    assert page.timings["cpu"] == pytest.approx(own + kids, abs=0.1)
    assert outcome.cpu_seconds == page.timings["cpu"]


def test_pages_read_in_pool_workers_carry_their_own_cpu_time(tmp_path: Path) -> None:
    """Two workers, three pages: each page's time is measured in its worker; together they are no more
    than what the workers and their Tesseracts cost (which also holds the workers' start)."""
    kids0 = _children_cpu()
    outcomes = list(ocr_files(_pages(tmp_path, 3), OcrOptions(), jobs=2))
    spent = _children_cpu() - kids0  # the pool is shut down: its workers were waited for
    pages = [p for o in outcomes if o.result for p in o.result.pages]
    assert len(pages) == 3 and all(p.timings["cpu"] > 0 for p in pages)
    assert sum(p.timings["cpu"] for p in pages) <= spent + 0.05
    for o in outcomes:
        assert o.result is not None
        assert o.cpu_seconds == pytest.approx(sum(p.timings["cpu"] for p in o.result.pages))
