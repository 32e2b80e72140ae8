"""The signature block's lines take back the tone marks Tesseract lost (`ocr.phrases`)."""

from __future__ import annotations

import unicodedata

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from ocr import layout, phrases
from ocr.engine import OcrOptions, ocr_image
from ocr.model import Word
from tests.fixtures.ocr.pages import SWEEP_FONTS


def _line(text: str, y: int = 100, x0: int = 1500, line: int = 1) -> list[Word]:
    words, x = [], x0
    for token in text.split():
        words.append(Word(token, 93.0, (x, y, x + 30 * len(token), y + 40), (1, 1, line)))
        x += 30 * len(token) + 20
    return words


def _restored(text: str) -> str:
    words = _line(text)
    phrases.restore(words)
    return " ".join(w.text for w in words)


def test_lost_and_changed_tone_marks_of_signature_lines_come_back() -> None:
    assert _restored("PHO GIAM ĐỌC") == "PHÓ GIÁM ĐỐC"
    assert _restored("KT. CHU TỊCH") == "KT. CHỦ TỊCH"
    assert _restored("ỦY BẠN NHÂN DẪN") == "ỦY BAN NHÂN DÂN"
    assert _restored("TRƯƠNG PHONG") == "TRƯỞNG PHÒNG"


def test_a_type_title_s_lost_and_changed_tone_marks_come_back() -> None:
    assert _restored("GIÁY MỜI") == "GIẤY MỜI"  # the hat of Ấ lost
    assert _restored("GIẦY MỜI") == "GIẤY MỜI"
    assert _restored("QUYÉT ĐỊNH") == "QUYẾT ĐỊNH"
    assert _restored("BẢO CÁO") == "BÁO CÁO"
    assert _restored("TỜ TRINH") == "TỜ TRÌNH"
    assert _restored("GIẤY MỜI HỌP") == "GIẤY MỜI HỌP"  # more than the title: left as read
    assert _restored("QUYÉT ĐỊNH:") == "QUYẾT ĐỊNH:"  # the colon ending a title stays
    assert _restored("QUYẾT ĐỊNH:") == "QUYẾT ĐỊNH:"
    assert _restored("GIÁM ĐỐC:") == "GIÁM ĐỐC"  # a signer line's punctuation is the phrase's
    assert _restored(".KT CHỦ, TỊCH") == "KT. CHỦ TỊCH"


def test_every_type_title_read_with_its_marks_lost_comes_back() -> None:
    """Sweep: each type title of `core.doctypes` in upper case, read without any mark (the stroke of Đ
    kept), comes back as printed: no two titles share their letters."""
    from core.doctypes import DOC_TYPES, LEGAL_TYPES

    for _, name, _ in DOC_TYPES + LEGAL_TYPES:
        title = name.upper()
        bare = "".join(c for c in unicodedata.normalize("NFD", title) if unicodedata.category(c) != "Mn")
        assert _restored(bare) == title


def test_the_documents_own_tone_placement_and_other_lines_stay_as_read() -> None:
    assert _restored("UỶ BAN NHÂN DÂN") == "UỶ BAN NHÂN DÂN"  # the older placement, as printed
    assert _restored("TM. UỶ BAN NHÂN DÂN") == "TM. UỶ BAN NHÂN DÂN"
    assert _restored("THỨ TRƯỚNG") == "THỨ TRƯỚNG"  # THỨ or THỦ TRƯỞNG: letters alone cannot tell
    assert _restored("Phó Giam đốc") == "Phó Giam đốc"  # not an upper-case line
    assert _restored("PHƯƠNG HƯỚNG") == "PHƯƠNG HƯỚNG"  # no phrase of the signature block
    assert _restored("VÀ MÔI TRƯỜNG") == "VÀ MÔI TRƯỜNG"  # one letter from ĐỘI TRƯỞNG: no guessing
    assert _restored("PHÓ CHỦ TỊCH XÃ") == "PHÓ CHỦ TỊCH XÃ"  # more than the phrase


def test_the_signer_block_beside_the_recipients_is_restored_in_the_page_text() -> None:
    """Read across, one Tesseract line holds a recipient and a signer line: the wide gap between
    them makes them two pieces, and the signer's piece alone is restored, in the words as well."""
    words = _line("Nơi nhận:", 100, 300, 1) + _line("KT. GIÁM ĐỐC", 100, 1500, 1)
    words += _line("- Như Điều 3;", 160, 300, 2) + _line("PHO GIAM ĐỌC", 160, 1500, 2)
    assert layout.order_lines(words) == ["Nơi nhận:", "- Như Điều 3;", "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"]
    assert [w.text for w in words[-3:]] == ["PHÓ", "GIÁM", "ĐỐC"]


def _closing_block(pt: int, spacing: float, dpi: int = 300) -> np.ndarray:
    """Recipients on the left; on the right two bold upper-case signer lines set `spacing` apart."""
    img = Image.new("L", (round(8.27 * dpi), 4 * dpi), 255)
    draw = ImageDraw.Draw(img)
    bold = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", round(pt * dpi / 72))
    body = ImageFont.truetype(SWEEP_FONTS["liberation-serif-13"][0], round(12 * dpi / 72))
    draw.text((dpi, dpi // 3), "Nơi nhận:", font=bold, fill=0)
    for i, item in enumerate(["- Như Điều 3;", "- Lưu: VT, TNMT."]):
        draw.text((dpi, dpi // 3 + 70 + 60 * i), item, font=body, fill=0)
    y = dpi // 3
    for line in ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"):
        draw.text((round(5.9 * dpi - draw.textlength(line, font=bold) / 2), y), line, font=bold, fill=0)
        y += round(pt * dpi / 72 * spacing)
    draw.text((round(5 * dpi), round(2.3 * dpi)), "Hồ Phương Quỳnh", font=bold, fill=0)
    return np.asarray(img)


def test_signer_lines_set_close_keep_their_marks_with_real_tesseract(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bold 12-13 pt signer lines set 1.0-1.1 apart: real Tesseract gives the lower line's marks to
    the upper one on some of them (`PHO GIAM ĐỌC`, checked here); the page's text has them all."""
    pages = [_closing_block(pt, spacing) for pt in (12, 13) for spacing in (1.0, 1.05, 1.1)]
    for page in pages:
        lines = ocr_image(page, OcrOptions(), dpi_hint=300).text.splitlines()
        assert "KT. GIÁM ĐỐC" in lines and "PHÓ GIÁM ĐỐC" in lines, lines
    monkeypatch.setattr(phrases, "restore", lambda words: None)
    as_read = [ocr_image(page, OcrOptions(), dpi_hint=300).text.splitlines() for page in pages]
    assert sum("PHÓ GIÁM ĐỐC" not in lines for lines in as_read) >= 2
