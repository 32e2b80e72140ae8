"""The reading-quality score: valid Vietnamese syllables, numbers, abbreviations and known words,
weighed by confidence, tell a good reading from a bad one without ground truth."""

from __future__ import annotations

import pytest

from ocr.model import Word
from ocr.quality import is_syllable, score_words, token_validity

GOOD = (
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015; Ủy ban nhân dân phường "
    "Dịch Vọng quyết định cấp giấy chứng nhận cho hộ gia đình ông Nguyễn Văn Hùng. Điều 1. Giao "
    "Văn phòng theo dõi, khuyến khích thực hiện; nghiêng, quyển, người, được, tiếng, giữa, xoong."
)


@pytest.mark.parametrize("word", GOOD.replace(".", " ").replace(",", " ").replace(";", " ").split())
def test_real_vietnamese_words_are_valid(word: str) -> None:
    assert token_validity(word)


@pytest.mark.parametrize(
    "word",
    [
        "hÀ",  # mixed case inside a syllable
        "ngàý",  # two tone marks
        "cê",  # c before e/ê is spelled k
        "ghá",  # gh only before i, e, ê
        "bát̀",  # a closed syllable (final t) takes only the sắc or nặng tone: two marks anyway
        "bàt",  # final t with the huyền tone
        "tuyê",  # yê needs a final
        "xyz",
        "8ưọT",  # upside-down readings: digits and letters mixed
        "ugqu",
        "|||",
    ],
)
def test_garbled_tokens_are_invalid(word: str) -> None:
    assert token_validity(word) is False


def test_numbers_codes_abbreviations_and_english_count_as_valid() -> None:
    for token in [
        "123/QĐ-UBND",
        "45/2024/QĐ-UBND",
        "V/v",
        "UBND",
        "HĐND",
        "TTr-UBND",
        "10.000.000đ",
        "15%",
        "(1)",
        "2024;",
        "committee",
        "PEOPLE'S",
        "Decision",
        "Hà-Nội",
        "hiện./.",
    ]:
        assert token_validity(token), token
    for token in ["-", "./.", ":"]:
        assert token_validity(token) is None  # punctuation counts neither way
    assert is_syllable("Khuya") and is_syllable("QUYẾT") and not is_syllable("Quyêt")


def _words(text: str, conf: float) -> list[Word]:
    return [Word(t, conf, (0, 0, 10, 10)) for t in text.split()]


def test_good_reading_scores_high_garbage_low_and_the_complete_reading_wins() -> None:
    good = score_words(_words(GOOD, 92.0))
    assert good.quality is not None and good.quality > 0.85 and good.valid_share > 0.95
    upside_down = "quịp 1aÁnb 8uỏA 8uonud uẹp ugqu ưeq Ẩn 2nqd quÈH - op äT - đệ[ VN LIIA VỊHĐN HO IÒH"
    bad = score_words(_words(upside_down, 60.0))
    assert bad.quality is not None and bad.quality < 0.3
    doubtful = score_words(_words(GOOD, 40.0))  # the right words, barely believed
    assert doubtful.quality is not None and doubtful.quality < good.quality - 0.4
    half = score_words(_words(" ".join(GOOD.split()[:20]), 92.0))  # a reading that lost half the page
    assert half.quality == pytest.approx(good.quality, abs=0.05) and half.key < good.key
    assert score_words([]).quality is None
