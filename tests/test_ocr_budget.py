"""The time bound of a page: the enlargement it allows, and the extra readings it stops."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from ocr import budget, engine, tesseract
from ocr.engine import OcrOptions, ocr_file, ocr_image
from ocr.model import Word
from tests.fixtures.ocr.pages import render_at_dpi, render_page, save


def test_enlargement_allowed_shrinks_as_the_page_grows() -> None:
    sizes = [(513, 725), (827, 1170), (1200, 1600), (2480, 3508)]
    factors = [budget.max_upscale(w * h) for w, h in sizes]
    assert factors == sorted(factors, reverse=True)
    assert 3.0 < factors[0] <= 4.0 and factors[-1] < 2.0  # a 62-dpi JPEG may grow ~3x, an A4 at 300 not
    for (w, h), f in zip(sizes, factors, strict=True):  # what the enlarged reading is predicted to cost
        enlarged = (
            budget.BARE_START_S + budget.ENLARGED_OVERHEAD * budget.BARE_PER_MPX_S * w * h * f * f / 1e6
        )
        assert (
            enlarged
            <= budget.TIME_FACTOR * (budget.BARE_START_S + budget.BARE_PER_MPX_S * w * h / 1e6) + 1e-9
        )


def test_page_budget_counts_predicted_readings_not_measured_time() -> None:
    """The same page gets the same readings on an idle and on a loaded machine: the bound counts the
    readings' predicted cost from their pixels."""
    b = budget.PageBudget(8_700_000)  # an A4 page at 300 dpi
    assert b.limit == pytest.approx(budget.TIME_FACTOR * budget.reading_cost(8_700_000))
    assert b.allows(3_900_000)  # the main pass, on the 200-dpi copy
    assert b.allows(3_900_000)  # the page turned over
    assert b.allows(8_700_000)  # a conservative reading at full resolution
    assert not b.allows(8_700_000)  # a fourth reading would go beyond 3x bare Tesseract
    assert b.spent <= b.limit


def _doubtful_reading(out_base: Path) -> tesseract.TesseractOutput:
    """What a stand-in Tesseract reads on every reading of the page: one garbled, barely believed
    word (and nothing in the lines a reading missed, `ocr.missed`, read in a pass of their own)."""
    tsv = out_base.with_suffix(".tsv")
    tsv.write_text("")
    if "-missed" in out_base.name:
        return tesseract.TesseractOutput([], tsv, None)
    return tesseract.TesseractOutput([Word("xq", 30.0, (10, 10, 90, 40), (1, 1, 1))], tsv, None)


def _readings(calls: list[str]) -> list[str]:
    """The readings among the stand-in's calls, by label (not the passes within a reading)."""
    return [c.rsplit("-", 1)[-1] for c in calls if "-missed" not in c]


def test_extra_readings_stop_at_the_page_budget(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A doubtful reading gets extra readings only while the page's time bound allows; the step says
    which were skipped."""
    calls: list[str] = []

    def recognize(image: Path, out_base: Path, **_: object) -> tesseract.TesseractOutput:
        calls.append(out_base.name)
        return _doubtful_reading(out_base)

    monkeypatch.setattr(tesseract, "recognize", recognize)
    monkeypatch.setattr(budget, "TIME_FACTOR", 0.0)  # nothing beyond the main pass fits
    result = ocr_image(render_page(font_px=54, size=(1900, 900)), OcrOptions(), workdir=tmp_path)
    retry = next(s for s in result.steps if s["step"] == "retry")
    assert _readings(calls) == ["main"] and result.reading == "main"
    assert any("over the page's time bound" in s for s in retry["skipped"])
    monkeypatch.setattr(budget, "TIME_FACTOR", 1000.0)
    calls.clear()
    result = ocr_image(render_page(font_px=54, size=(1900, 900)), OcrOptions(), workdir=tmp_path)
    retry = next(s for s in result.steps if s["step"] == "retry")
    assert _readings(calls) == ["main", "turned", "conservative", "bare"]
    assert "skipped" not in retry and set(retry["qualities"]) == {"main", "turned", "conservative", "bare"}


@pytest.mark.parametrize(("dpi_hint", "bare_dpi"), [(None, None), (200.0, 200)])
def test_the_bare_reading_is_read_as_bare_tesseract_reads_the_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, dpi_hint: float | None, bare_dpi: int | None
) -> None:
    """The safety net is bare Tesseract itself: its own page segmentation, and its own estimate of the
    resolution where the file states none (a phone photo's table read 0.30 of its words wrong when told
    300 dpi, 0.11 on Tesseract's own estimate)."""
    calls: dict[str, tuple[object, object]] = {}

    def recognize(image: Path, out_base: Path, **kw: object) -> tesseract.TesseractOutput:
        calls[out_base.name.rsplit("-", 1)[-1]] = (kw["psm"], kw["dpi"])
        return _doubtful_reading(out_base)

    monkeypatch.setattr(tesseract, "recognize", recognize)
    monkeypatch.setattr(budget, "TIME_FACTOR", 1000.0)
    page = render_page(font_px=54, size=(1900, 900))
    result = ocr_image(page, OcrOptions(), workdir=tmp_path, dpi_hint=dpi_hint)
    assert calls["bare"] == (3, bare_dpi) and calls["main"][0] == 4
    assert result.dpi is not None and result.dpi > 0  # a bare reading kept still says its resolution


def test_bare_reading_matches_the_tesseract_command_line(tmp_path: Path) -> None:
    """What the engine calls its bare reading is word for word what `tesseract FILE - -l vie` reads."""
    path = save(render_at_dpi(150), tmp_path / "p.png")  # no resolution in the file
    ours = tesseract.recognize(path, tmp_path / "ours", psm=engine.BARE_PSM, dpi=None)
    cli = subprocess.run(
        ["tesseract", str(path), "-", "-l", "vie", "tsv"], capture_output=True, text=True, check=True
    )
    theirs = tesseract.parse_tsv(cli.stdout)
    assert len(ours.words) > 20
    assert [w.text for w in ours.words] == [w.text for w in theirs]


def test_clean_200_dpi_page_is_read_as_it_is(tmp_path: Path) -> None:
    """The file says 200 dpi and the text agrees: no enlargement to 300 dpi (it cost 2.1x bare
    Tesseract's CPU on real born-digital pages), no reduction either."""
    path = save(render_at_dpi(200), tmp_path / "p.png", dpi=(200, 200))
    page = ocr_file(path, OcrOptions()).pages[0]
    res = next(s for s in page.steps if s["step"] == "resolution")
    assert res["dpi_header"] == 200 and "agrees with the header" in res["reason"]
    assert not next(s for s in page.steps if s["step"] == "rescale")["applied"]
    assert not any(s["step"] == "recognition_scale" for s in page.steps)
    assert page.dpi == pytest.approx(200, rel=0.2) and page.quality is not None and page.quality > 0.85
    assert "Trần Thái Tông" in page.text and page.reading == "main"
