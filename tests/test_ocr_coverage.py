"""Coverage: a reading that leaves large text-like areas of the page unread scores lower, on every
page of a generated sweep; seals, signatures, handwritten notes, table rules and blank margins do
not count as unread text.

The unit part builds readings from the known line boxes of generated pages (every line read, or a
block of lines left out); the slow part reads the same pages with real Tesseract."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ocr import budget, coverage, preprocess, tesseract
from ocr.engine import RETRY_QUALITY, OcrOptions, ocr_image
from ocr.model import Word
from ocr.quality import COVERED, score_words
from tests.fixtures.ocr.documents import document

KINDS = ["plain", "seal", "signature", "table", "margins", "notes"]


def _main_gray(image: np.ndarray) -> np.ndarray:
    return preprocess.to_gray(image)[0]  # what the engine measures the page's text on


def _reading(boxes: list[tuple[int, int, int, int]]) -> list[Word]:
    """A reading that read these lines well: one confident valid word per box."""
    return [Word("phường", 93.0, box) for box in boxes]


def _block(boxes: list[tuple[int, int, int, int]], share: float, seed: int) -> list[int]:
    """Indices of a run of consecutive lines, about `share` of them: a block the reading missed."""
    n = max(1, round(share * len(boxes)))
    start = int(np.random.default_rng(seed).integers(0, len(boxes) - n + 1))
    return list(range(start, start + n))


@pytest.mark.parametrize("dpi", [75, 150, 300])
@pytest.mark.parametrize("colour_ink", [True, False])
@pytest.mark.parametrize("kind", KINDS)
def test_complete_reading_is_not_lowered_and_a_missed_block_is(kind: str, colour_ink: bool, dpi: int) -> None:
    for seed in (1, 2):
        doc = document(kind, seed, dpi=dpi, colour_ink=colour_ink)
        gray = _main_gray(doc.image)
        text = coverage.page_text(gray)
        full = coverage.covered_share(text, _reading(doc.lines), gray.shape)
        # Every line read: seals, signatures, notes and rules left over are not unread text.
        assert full is not None and full >= COVERED, (kind, colour_ink, dpi, seed, full)
        assert score_words(_reading(doc.lines), full).quality == score_words(_reading(doc.lines)).quality
        for share in (0.25, 0.5):
            missed = set(_block(doc.lines, share, seed))
            kept = [b for i, b in enumerate(doc.lines) if i not in missed]
            ink = [(b[2] - b[0]) * (b[3] - b[1]) for b in doc.lines]
            lost = sum(ink[i] for i in missed) / sum(ink)  # the text's share in the missed block
            part = coverage.covered_share(text, _reading(kept), gray.shape)
            assert part is not None and part == pytest.approx(1.0 - lost, abs=0.1), (kind, dpi, share)
            q = score_words(_reading(kept), part).quality
            assert q is not None
            if lost >= 0.15:  # a block beyond the unread text a complete reading leaves: lower
                assert q < score_words(_reading(doc.lines), full).quality
            if lost >= 0.25:
                assert q < RETRY_QUALITY  # a quarter of the page unread: the engine tries other readings


def test_coverage_follows_the_reading_into_its_own_frame() -> None:
    """Components found on the main page count in a reading turned over (the matrices the engine
    keeps): every reading of a page is judged against the same text."""
    doc = document("plain", 3, dpi=150)
    gray = _main_gray(doc.image)
    text = coverage.page_text(gray)
    turned = preprocess.rotate90s(gray, 180)
    turn = preprocess.rotate90_matrix(gray.shape, 180)
    h, w = gray.shape
    boxes = [(w - x1, h - y1, w - x0, h - y0) for x0, y0, x1, y1 in doc.lines]
    assert coverage.covered_share(text.mapped(turn), _reading(boxes), turned.shape) >= COVERED
    assert coverage.covered_share(text, _reading(boxes[:3]), gray.shape) < 0.5  # unmapped: wrong place


def test_too_little_text_says_nothing() -> None:
    blank = np.full((600, 400), 255, np.uint8)
    assert coverage.covered_share(coverage.page_text(blank), [], blank.shape) is None
    assert score_words(_reading([(0, 0, 10, 10)]), None).coverage is None


# ---------------------------------------------------------------- with real Tesseract


@pytest.mark.slow
@pytest.mark.parametrize("colour_ink", [True, False])
@pytest.mark.parametrize("kind", KINDS)
def test_real_readings_cover_the_page(kind: str, colour_ink: bool) -> None:
    """Tesseract's reading of every kind of page covers its text: the score is not lowered, no
    extra reading is asked for; without the lower half of its words, the same reading is doubtful."""
    doc = document(kind, 1, dpi=150, colour_ink=colour_ink)
    page = ocr_image(doc.image, OcrOptions(), dpi_hint=150)
    assert page.coverage is not None and page.coverage >= COVERED, (kind, page.coverage)
    assert page.quality is not None and page.quality > 0.9 and page.reading == "main"
    assert not any(s["step"] == "retry" for s in page.steps)
    gray = _main_gray(doc.image)
    middle = float(np.median([(w.bbox[1] + w.bbox[3]) / 2 for w in page.words]))
    top = [w for w in page.words if w.bbox[3] < middle]  # the upper half of what was read
    part = coverage.coverage_of(gray, top)
    assert part is not None and part < 0.75
    assert (score_words(top, part).quality or 0.0) < RETRY_QUALITY


def _losing_the_lower_half(monkeypatch: pytest.MonkeyPatch, *, also_missed_lines: bool) -> None:
    """Real Tesseract, but its main pass loses the lower half of the page (as its layout analysis
    does when it takes a block for a picture); with `also_missed_lines`, the pass over the lines it
    missed (`ocr.missed`) reads nothing either."""
    real = tesseract.recognize

    def lossy(image: Path, out_base: Path, **kw: object) -> tesseract.TesseractOutput:
        out = real(image, out_base, **kw)  # type: ignore[arg-type]
        if out_base.name.endswith("-main"):
            height = max(w.bbox[3] for w in out.words)
            out.words = [w for w in out.words if w.bbox[3] < 0.5 * height]
        elif also_missed_lines and "-main-missed" in out_base.name:
            out.words = []
        return out

    monkeypatch.setattr(tesseract, "recognize", lossy)


@pytest.mark.slow
def test_the_lines_a_main_pass_missed_are_read_again_within_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The page's text says half of it is missing from the main pass: those lines are cut out and
    read in a pass of their own, each word back where it stands, and the main reading is complete
    without reading the whole page again."""
    _losing_the_lower_half(monkeypatch, also_missed_lines=False)
    doc = document("plain", 4, dpi=150)
    page = ocr_image(doc.image, OcrOptions(), dpi_hint=150, workdir=tmp_path)
    again = next(s for s in page.steps if s["step"] == "missed_text")
    assert again["applied"] and again["lines"] >= 5
    assert page.reading == "main" and not any(s["step"] == "retry" for s in page.steps)
    assert page.coverage is not None and page.coverage >= COVERED
    assert "Quyết định này có hiệu lực" in " ".join(page.text.split())
    lower = max(w.bbox[3] for w in page.words) / 2
    assert all(w.bbox[1] > lower for w in page.words if w.text == "hiệu")  # read where it stands


@pytest.mark.slow
def test_a_main_reading_that_missed_a_block_gets_other_readings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The main pass loses the lower half of the page and the pass over its missed lines reads
    nothing: its words still read well, but the page's text says half is missing, so the engine
    reads the page again and keeps the complete reading."""
    _losing_the_lower_half(monkeypatch, also_missed_lines=True)
    # the readings this takes (main, its missed lines, turned, bare) pass 3x bare Tesseract's cost
    # on this small page: the time bound is not what is tested here
    monkeypatch.setattr(budget, "TIME_FACTOR", 1000.0)
    doc = document("plain", 4, dpi=150)
    page = ocr_image(doc.image, OcrOptions(), dpi_hint=150, workdir=tmp_path)
    retry = next(s for s in page.steps if s["step"] == "retry")
    assert retry["coverages"]["main"] < 0.7 and retry["first_quality"] < RETRY_QUALITY
    assert page.reading != "main" and page.coverage is not None and page.coverage >= COVERED
    assert "Quyết định này có hiệu lực" in " ".join(page.text.split())
