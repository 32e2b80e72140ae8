"""Lines of text the main reading missed, found on the page and read in a pass of their own."""

from __future__ import annotations

import subprocess
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from ocr import budget, missed, tesseract
from ocr.coverage import PageText
from ocr.engine import OcrOptions, ocr_image
from ocr.model import Word
from tests.fixtures.ocr.pages import signed_page

BLOCK_LEFT = 0.55  # of the page's width: where the signer's block of `signed_page` begins


def _real_tesseract(monkeypatch: pytest.MonkeyPatch, *, loses_the_block: bool) -> list[str]:
    """Real Tesseract, its passes listed (the list returned); with `loses_the_block`, its main pass
    loses the signer's block beside the seal, as its layout analysis did on real documents, taking
    the seal, the signature and the lines round them for a picture."""
    calls: list[str] = []
    real = tesseract.recognize

    def recognize(image: Path, out_base: Path, **kw: object) -> tesseract.TesseractOutput:
        calls.append(out_base.name)
        out = real(image, out_base, **kw)  # type: ignore[arg-type]
        if loses_the_block and out_base.name.endswith("-main"):  # at the resolution it reads
            left = BLOCK_LEFT * Image.open(image).width
            out.words = [w for w in out.words if w.bbox[2] < left]
        return out

    monkeypatch.setattr(tesseract, "recognize", recognize)
    return calls


def _glyphs(*lines: tuple[float, float, int, float]) -> PageText:
    """Glyphs of lines (x of the first centre, y, glyphs, pitch), 20 px high and 12 wide, each y
    jittered by up to 5 px as letters with and without descenders sit."""
    rng = np.random.default_rng(0)
    centres = [(x + k * pitch, y + rng.uniform(-5, 5)) for x, y, n, pitch in lines for k in range(n)]
    return PageText(np.array(centres, float), np.full(len(centres), 20.0), np.full(len(centres), 12.0))


def test_unread_glyphs_are_grouped_into_their_lines() -> None:
    text = _glyphs((100, 500, 12, 15), (900, 502, 10, 15), (100, 560, 3, 15), (100, 700, 8, 15))
    read = np.zeros(len(text.centres), bool)
    read[-8:] = True  # the last line was read
    boxes = missed.missed_lines(text, read, (1000, 1200))
    # two lines side by side on one row stay two; three glyphs are not worth a pass; read ones are not
    assert len(boxes) == 2
    left, right = sorted(boxes)
    assert left[0] < 100 - 6 < 100 + 11 * 15 + 6 < left[2] < 900 and right[0] > left[2]  # glyphs whole
    for _, y0, _, y1 in boxes:
        assert y0 < 500 - 10 and y1 > 502 + 10  # the glyphs whole, tone marks above them too
        assert y0 > 440 and y1 < 560  # not the next line's


def test_a_line_at_the_edge_is_cut_within_the_image() -> None:
    text = _glyphs((5, 8, 10, 15))
    boxes = missed.missed_lines(text, np.zeros(10, bool), (400, 150))
    assert boxes and all(b[0] >= 0 and b[1] >= 0 and b[2] <= 150 and b[3] <= 400 for b in boxes)


def test_a_page_read_whole_makes_no_pass_of_missed_lines(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls = _real_tesseract(monkeypatch, loses_the_block=False)
    page = ocr_image(signed_page(200), OcrOptions(), dpi_hint=200, workdir=tmp_path)
    assert next(s for s in page.steps if s["step"] == "missed_text") == {
        "step": "missed_text",
        "applied": False,
        "lines": 0,
    }
    assert not any("-missed" in c for c in calls)
    assert "Thang Thị Hạnh" in page.text


@pytest.mark.parametrize("dpi", [150, 200, 300])
def test_a_signers_block_lost_beside_a_seal_is_read_again(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, dpi: int
) -> None:
    """Real Tesseract, whose main pass loses the signer's block beside the seal: the block's lines
    are read in a pass of their own, each word where it stands."""
    _real_tesseract(monkeypatch, loses_the_block=True)
    page_image = signed_page(dpi)
    page = ocr_image(page_image, OcrOptions(), dpi_hint=dpi, workdir=tmp_path)
    again = next(s for s in page.steps if s["step"] == "missed_text")
    assert again["applied"] and again["lines"] >= 3
    text = " ".join(page.text.split())
    for line in ("TL. BỘ TRƯỞNG", "VỤ TRƯỞNG", "Thang Thị Hạnh"):
        assert line in text
    name = [w for w in page.words if w.text in ("Thang", "Hạnh")]
    assert name and all(w.bbox[0] > (BLOCK_LEFT - 0.1) * page_image.shape[1] for w in name)
    assert page.reading == "main"


def test_only_words_of_the_language_are_kept_from_missed_lines() -> None:
    """What Tesseract's layout took for a picture may be one: a signature read as `Z5` or `r)`."""
    read = [
        Word(t, 90.0, (0, 0, 10, 10), (1, 1, 1))
        for t in ("Thang", "Hạnh", "06/10/2025", "Z5", "r)", "1", "⁄Z⁄5w")
    ]
    assert [w.text for w in missed.words_of_the_language(read)] == ["Thang", "Hạnh", "06/10/2025"]


def test_missed_lines_are_not_read_beyond_the_pages_time_bound(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The pass over missed lines counts in the page's time bound (`ocr.budget`): over it, the lines
    stay unread and the step says why; the main pass itself is never refused."""
    calls = _real_tesseract(monkeypatch, loses_the_block=True)
    monkeypatch.setattr(budget, "TIME_FACTOR", 1.0)  # what bare Tesseract would spend, no more
    page = ocr_image(signed_page(200), OcrOptions(), dpi_hint=200, workdir=tmp_path)
    again = next(s for s in page.steps if s["step"] == "missed_text")
    assert again == {
        "step": "missed_text",
        "applied": False,
        "lines": 0,
        "skipped": "over the page's time bound",
    }
    assert not any("-missed" in c for c in calls) and "Thang Thị Hạnh" not in page.text


def _word(text: str, conf: float, box: tuple[int, int, int, int], line: int) -> Word:
    return Word(text, conf, box, (1, 1, line))


def test_a_line_of_doubtful_words_two_lines_tall_counts_as_unread_and_is_replaced() -> None:
    """Two doubtful words twice as tall as the page's confident ones: the line ran across two lines.
    Read again, its words that meet the new words go, and so do those that meet the line below (read
    twice); its other words stay (a code the new words leave out), and so does the line where
    nothing read again meets it."""
    body = [
        _word("chữ", 95.0, (10 + 50 * k, 100, 50 + 50 * k, 125), 1) for k in range(missed.MIN_CONFIDENT_WORDS)
    ]
    merged = [_word("nát", 10.0, (0, 200, 40, 258), 2), _word("thành", 97.0, (50, 200, 110, 225), 2),
              _word("Dinh", 50.0, (120, 196, 180, 266), 2), _word("háo)", 24.0, (300, 230, 350, 255), 2),
              _word("KHCN&ĐMST,", 40.0, (400, 200, 520, 225), 2)]  # fmt: skip
    below = [_word("Phúc);", 92.0, (295, 232, 360, 257), 4)]
    one_tall = [_word("Ạ", 30.0, (0, 300, 30, 360), 3), _word("có", 40.0, (40, 300, 70, 325), 3)]
    words = body + merged + one_tall + below
    assert missed.merged_lines(words) == {(1, 1, 2)}  # one tall doubtful word is not enough
    assert missed.merged_lines(body[:5] + merged) == set()  # too few confident words to tell
    again = [_word(t, 95.0, (x, 202, x + 50, 226), 9) for t, x in (("Như", 2), ("thành", 58), ("phần", 120))]
    kept = missed.replaced(words, {(1, 1, 2)}, again)
    assert kept == [*body, merged[-1], *one_tall, *below]
    assert missed.replaced(words, {(1, 1, 2)}, [_word("xa", 90.0, (900, 900, 930, 920), 9)]) == words


def test_two_lines_tesseract_reads_as_one_are_read_again(tmp_path: Path) -> None:
    """A real document's recipients under their heading, beside the signer's block (200 dpi): real
    Tesseract's layout reads its first item with the line under it (`- Như thành Dinh 0ô) húc)`);
    the engine reads that line again on its own."""
    crop = cv2.imread(
        str(Path(__file__).parent / "fixtures" / "ocr" / "recipients-beside-signer-200dpi.png"), 0
    )
    args = ["-l", "vie", "--psm", "4", "--dpi", "200"]
    raw = subprocess.run(["tesseract", "-", "-", *args], input=cv2.imencode(".png", crop)[1].tobytes(),
                         capture_output=True, check=True).stdout.decode()  # fmt: skip
    assert "thành phần mời" not in raw and "Dinh" in raw  # as Tesseract reads it
    page = ocr_image(crop, OcrOptions(), dpi_hint=200, workdir=tmp_path)
    assert "Như thành phần mời" in page.text and "Dinh" not in page.text
    assert "PCT. UBND tỉnh (Đ/c Phúc);" in page.text  # the line under it, as read before
    assert next(s for s in page.steps if s["step"] == "missed_text")["applied"]
