"""An article's or a clause's number read with I or l for the digit 1 (`ocr.numbers`)."""

from __future__ import annotations

import pytest

from ocr import layout, numbers
from tests.test_ocr_tones import _page, restored_by


@pytest.mark.parametrize(
    ("read", "printed"),
    [
        ("theo Khoản 13 Điều I Nghị định số 45", "theo Khoản 13 Điều 1 Nghị định số 45"),
        ("quy định tại khoản l Điều 5", "quy định tại khoản 1 Điều 5"),
        ("ĐIỀU I. Phạm vi điều chỉnh", "ĐIỀU 1. Phạm vi điều chỉnh"),
        ("Điều I2 Luật", "Điều 12 Luật"),
        ("Điều II, khoản I", "Điều 11, khoản 1"),  # articles are never numbered in Roman
        ("tại khoản 2 Điêu 34 Nghị định", "tại khoản 2 Điều 34 Nghị định"),  # its tone, before a number
        ("theo khoan 3 ĐIÊU 5", "theo khoản 3 ĐIỀU 5"),
        ("Bình Thuận, ngày l6 tháng 5 năm 2025", "Bình Thuận, ngày 16 tháng 5 năm 2025"),  # any number
        ("ngày Ø6 tháng 11", "ngày 06 tháng 11"),
        ("Số: l1 /TB-UBND", "Số: 11 /TB-UBND"),
        ("Số: II /TB-UBND", "Số: 11 /TB-UBND"),  # a document's number is in Arabic digits
        ("SỐ: lI/QĐ-UBND", "SỐ: 11/QĐ-UBND"),
        ("đạt I7I điểm (7,7l%)", "đạt 171 điểm (7,71%)"),
        ("Kết luận số 3l- KL/TW", "Kết luận số 31- KL/TW"),  # a code split after its number's hyphen
        ("ngày 2O/1O/2025", "ngày 20/10/2025"),
        ("Lâm Đồng, ngày 79 tháng 12 năm 2025", "Lâm Đồng, ngày 19 tháng 12 năm 2025"),  # no day is 79
        ("Hà Nội, ngày /5 tháng 3 năm 2025", "Hà Nội, ngày 15 tháng 3 năm 2025"),
    ],
)
def test_a_letter_read_for_one_in_an_article_s_number_becomes_1(read: str, printed: str) -> None:
    assert restored_by(numbers.restore, read) == printed


@pytest.mark.parametrize(
    "text",
    [
        "Chương I QUY ĐỊNH CHUNG",  # chapters, parts and sections are numbered in Roman
        "Mục II",
        "Phần I",
        "theo Điều lệ Hội",  # a word, not a number
        "Điều 1. Phê duyệt",  # as printed
        "tại Điều, I",  # punctuation between
        "Điêu I",  # neither the word nor the number is certain
        "mũi khoan sắt",  # no number after
        "đạt chuẩn ISO9001, Phụ lục I-2, mẫu O1A",  # a letter not beside a digit, or a code's letters
        "SỐ: 12 lô đất",
        "Phụ lục số II kèm theo",  # no colon: a Roman number may follow
        "Số: ISO/TB-UBND",  # not I and l only
        "ngày 27 tháng 7, ngày 31 tháng 12",  # days that can be
        "ngày 75 của dự án, tháng 79",  # not a date: no `tháng` after the day
        "ngày / tháng / năm 2025",  # a date left blank
    ],
)
def test_what_is_left_as_read(text: str) -> None:
    assert restored_by(numbers.restore, text) == text


def test_the_page_text_has_the_article_s_number() -> None:
    """The rule runs where the engine puts a page's words in reading order."""
    text = layout.page_text(_page(["Căn cứ Khoản 13 Điều I Nghị định số 45/2025/NĐ-CP của Chính phủ"]))
    assert text == "Căn cứ Khoản 13 Điều 1 Nghị định số 45/2025/NĐ-CP của Chính phủ"
