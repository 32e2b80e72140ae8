"""A document symbol Tesseract cut after its hyphen is one word again (`ocr.symbols`)."""

from __future__ import annotations

from pathlib import Path

import cv2
import pytest

from ocr import symbols
from ocr.engine import OcrOptions, ocr_image
from ocr.model import Word

FIXTURES = Path(__file__).parent / "fixtures" / "ocr"


def _line(*tokens: tuple[str, int]) -> list[Word]:
    """Words 34 px high, each `(text, gap before it)`, 14 px a letter."""
    words, x = [], 100
    for text, gap in tokens:
        x += gap
        words.append(Word(text, 90.0, (x, 500, x + 14 * len(text), 534), (1, 1, 1)))
        x += 14 * len(text)
    return words


@pytest.mark.parametrize(
    ("tokens", "joined"),
    [
        ((("luận", 0), ("178-", 12), ("KL/TW", 3), ("ngày", 12)), ["luận", "178-KL/TW", "ngày"]),
        ((("số", 0), ("05/HD-", 13), ("MTTW-BTT,", 2)), ["số", "05/HD-MTTW-BTT,"]),
        ((("số", 0), ("1189/SNV-", 12), ("LĐVL&TN", 15)), ["số", "1189/SNV-", "LĐVL&TN"]),  # a typed space
        ((("60-NQ/T", 0), ("W;", 2)), ["60-NQ/TW;"]),  # cut between two capitals
        ((("29/1", 0), ("1/2022", 2)), ["29/11/2022"]),
        ((("2020-", 0), ("2025", 12)), ["2020-", "2025"]),  # a space between words
        ((("(1)", 0), ("UBND", 2)), ["(1)", "UBND"]),  # the head closed
        ((("Hà", 0), ("Nội-", 12), ("HN", 2)), ["Hà", "Nội-", "HN"]),  # no number before the hyphen
        ((("số", 0), ("12-", 12), ("tháng", 2)), ["số", "12-", "tháng"]),  # lower case: no symbol
    ],
)
def test_a_symbol_is_joined_only_across_a_sliver_of_a_gap(tokens: tuple, joined: list[str]) -> None:
    words = _line(*tokens)
    out = symbols.joined(words)
    assert [w.text for w in out] == joined
    assert out[0].bbox[0] == words[0].bbox[0] and out[-1].bbox[2] == words[-1].bbox[2]


def test_real_tesseract_cuts_of_a_letter_at_200_dpi(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lines of a real letter (a 49 kB crop) where Tesseract reads `177- KL/TW,` and `178- KL/TW`, and
    a line of another whose typist wrote `1189/SNV- LĐVL&TN` with a space: the engine's text has the
    two symbols whole, the typed space kept."""
    page = cv2.imread(str(FIXTURES / "cut-symbols-200dpi.png"), cv2.IMREAD_GRAYSCALE)
    text = ocr_image(page, OcrOptions(), dpi_hint=200).text
    assert "177-KL/TW," in text and "178-KL/TW" in text
    assert "1189/SNV- LĐVL&TN" in text
    monkeypatch.setattr(symbols, "joined", lambda line: line)
    as_read = ocr_image(page, OcrOptions(), dpi_hint=200).text
    assert "177- KL/TW," in as_read and "178- KL/TW" in as_read  # what Tesseract gives: the premise
