"""Place names of the gazetteer take back the tones a reading lost where the text says they are places
(ocr.places): the rule's cases, sweeps over every name of the list, the list against the gazetteer,
and real Tesseract on the header of a real letter."""

from __future__ import annotations

import random
import unicodedata
from functools import cache
from pathlib import Path

import cv2
import pytest

from ocr import layout, places
from ocr.engine import OcrOptions, ocr_image
from ocr.model import Word
from ocr.quality import TONE_MARKS, split_tone
from pipeline.units.placelist import place_names
from tests.test_ocr_tones import _spec_texts, restored_by

FIXTURES = Path(__file__).parent / "fixtures" / "ocr"


def _restored(text: str) -> str:
    return restored_by(places.restore, text)


@pytest.mark.parametrize(
    ("read", "printed"),
    [
        ("UBND TĨNH LÂM ĐÔNG", "UBND TỈNH LÂM ĐỒNG"),  # the type's tone comes back with the name's
        ("trên địa bàn tỉnh Lâm Đông", "trên địa bàn tỉnh Lâm Đồng"),
        ("Sở Nội vụ tính Lâm Đông về việc", "Sở Nội vụ tỉnh Lâm Đồng về việc"),
        ("Lâm Đông, ngày 04 tháng 9 năm 2025", "Lâm Đồng, ngày 04 tháng 9 năm 2025"),  # the date line
        ("Quang Ngãi, ngay 08 tháng 01", "Quảng Ngãi, ngay 08 tháng 01"),
        ("UBND QUÂN CẦU GIẤY", "UBND QUẬN CẦU GIẤY"),
        ("UBND THÀNH PHÔ HÀ NÔI", "UBND THÀNH PHỐ HÀ NỘI"),
        ("phường Cự Khôi", "phường Cự Khối"),
        ("UBND TĨNH LÂM ĐÔNG CỘNG HÒA XÃ HỘI", "UBND TỈNH LÂM ĐỒNG CỘNG HÒA XÃ HỘI"),  # columns read across
        ("TÍNH LÂM ĐÒNG Số", "TỈNH LÂM ĐỒNG Số"),  # a hat lost: no name has these letters with these marks
        ("Lâm Đòng, ngày 04", "Lâm Đồng, ngày 04"),
    ],
)
def test_a_place_s_lost_tones_come_back(read: str, printed: str) -> None:
    assert _restored(read) == printed


@pytest.mark.parametrize(
    "text",
    [
        "phố Núi Đôi",  # a street: `phố` alone is no unit's type, though `Núi Đối` is a commune
        "Phòng Quản lý đô thị",  # `Phong Quảng` is a commune, but nothing says this is a place
        "Lâm Đông ngày 04",  # no comma: not the date line's place
        "tỉnh, Lâm Đông",  # punctuation between the type and the name
        "tỉnh Lâm ĐÔNG",  # a name is in one case
        "tỉnh Đông",  # one word: too little to tell
        "UBND TỈNH LÂM ĐỒNG",  # as printed
        "phường Hoà Bình",  # the tone placed the old way: the same tone
    ],
)
def test_what_is_left_as_read(text: str) -> None:
    assert _restored(text) == text


def _without_tones(name: str) -> str:
    nfd = unicodedata.normalize("NFD", name)
    return unicodedata.normalize("NFC", "".join(ch for ch in nfd if ch not in TONE_MARKS))


def _misread(syllable: str, rng: random.Random) -> str:
    """The syllable with its tone mark, if it has one, replaced by another, set after its hat."""
    nfd = unicodedata.normalize("NFD", syllable)
    held = [ch for ch in nfd if ch in TONE_MARKS]
    if not held:
        return syllable
    mark = rng.choice([m for m in TONE_MARKS if m not in held])
    bare = [ch for ch in nfd if ch not in TONE_MARKS]
    at = max(i for i, ch in enumerate(bare) if unicodedata.combining(ch) or ch.lower() in "aăâeêioôơuưy")
    return unicodedata.normalize("NFC", "".join([*bare[: at + 1], mark, *bare[at + 1 :]]))


def _letters(name: str) -> tuple[str, ...]:
    return tuple(split_tone(w.lower())[1] for w in name.split())


@cache
def _told_apart() -> frozenset[str]:
    """The names no other name spells with the same letters and other tones."""
    shared: dict[tuple[str, ...], set[str]] = {}
    for name in place_names():
        shared.setdefault(_letters(name), set()).add(name.lower())
    return frozenset(n for n in place_names() if len(shared[_letters(n)]) == 1)


def test_every_name_after_a_type_comes_back_or_is_left_when_another_name_shares_its_letters() -> None:
    names = place_names()
    assert len(_told_apart()) > 0.85 * len(names)  # 89 %
    for name in names:
        for kind in places.TYPES:
            for text, printed in (
                (f"{kind} {_without_tones(name)} có", f"{kind} {name} có"),
                (f"{kind} {_without_tones(name)} có".upper(), f"{kind} {name} có".upper()),
            ):
                # a name two names spell is left (which is meant is unknown), and so is one printed in
                # neither case (`Ia HDreh`: a capitalised run is what a name looks like)
                known = name in _told_apart() and (text.isupper() or name == name.title())
                expected = printed if known else text
                assert _restored(text) == expected, text


def _bare(name: str) -> str:
    """The name without any mark on its vowels: no tone, hat, horn or breve (đ stays a letter)."""
    nfd = unicodedata.normalize("NFD", name)
    return unicodedata.normalize("NFC", "".join(ch for ch in nfd if not unicodedata.combining(ch)))


def test_a_name_read_without_its_hats_comes_back_or_is_left_or_is_a_name_of_those_letters() -> None:
    """Sweep: every name, read with no mark on its vowels after `tỉnh`, in both cases. It comes back as
    printed, stays as read (another name shares the letters) or is read as the one name of exactly
    those letters; never anything else."""
    by_bare: dict[str, set[str]] = {}
    for name in place_names():
        by_bare.setdefault(_bare(name).lower(), set()).add(name.lower())
    tried = back = 0
    for name in place_names():
        if _bare(name) == name or name != name.title():
            continue
        for upper in (False, True):
            text = f"tỉnh {_bare(name)} có"
            text = text.upper() if upper else text
            got = _restored(text)
            assert (
                got == text
                or got.lower().removeprefix("tỉnh ").removesuffix(" có") in by_bare[_bare(name).lower()]
            ), (text, got)
            tried, back = tried + 1, back + (got.lower() == f"tỉnh {name} có".lower())
    assert tried > 10000 and back > 0.8 * tried, (back, tried)


def test_a_tone_read_wrong_is_mended_like_a_tone_lost() -> None:
    rng = random.Random(7)
    for name in rng.sample([n for n in place_names() if n == n.title()], 1000):
        misread = " ".join(_misread(w, rng) for w in name.split())
        expected = name if name in _told_apart() else misread
        assert _restored(f"{misread}, ngày 5 tháng 9") == f"{expected}, ngày 5 tháng 9", misread


def test_a_name_as_printed_is_never_changed() -> None:
    """Every name of the list, after every type, before the date and in the sample documents' lines."""
    for name in place_names():
        for kind in places.TYPES:
            for text in (f"UBND {kind} {name}".upper(), f"trên địa bàn {kind} {name}, ngày 5"):
                assert _restored(text) == text
    for line in _spec_texts():
        assert _restored(line) == " ".join(line.split())


def test_the_list_is_the_gazetteer_s() -> None:
    """`ocr/data/vi-places.txt` is what `python -m pipeline.units.placelist` writes from the gazetteer."""
    assert places.PLACES.read_text(encoding="utf-8").splitlines() == place_names()
    assert {"Lâm Đồng", "Cầu Giấy", "Cự Khối", "Hà Nội"} <= set(place_names())


def test_real_tesseract_header_of_a_letter_at_200_dpi(monkeypatch: pytest.MonkeyPatch) -> None:
    """The header of a real letter (Sở Y tế tỉnh Lâm Đồng, 1239/SYT-TCCB, 200 dpi; a 30 kB crop):
    Tesseract reads `UBND TĨNH LÂM ĐÔNG` and `Lâm Đông, ngày`; the engine gives back the words printed."""
    page = cv2.imread(str(FIXTURES / "letter-header-lam-dong-200dpi.png"), cv2.IMREAD_GRAYSCALE)
    text = ocr_image(page, OcrOptions(), dpi_hint=200).text
    assert "UBND TỈNH LÂM ĐỒNG" in text and "Lâm Đồng, ngày" in text
    monkeypatch.setattr(layout.places, "restore", lambda words: None)
    as_read = ocr_image(page, OcrOptions(), dpi_hint=200).text
    assert "TĨNH LÂM ĐÔNG" in as_read and "Lâm Đông, ngày" in as_read  # the premise of the test


def test_a_name_is_kept_from_the_tone_rules_in_upper_case_only_where_the_text_says_it_is_a_place() -> None:
    def named(text: str) -> list[str]:
        words = [Word(t, 90.0, (0, 0, 1, 1)) for t in text.split()]
        return [words[i].text for i in sorted(places.named(words))]

    assert named("I. CÔNG TÁC CHÍ ĐẠO, ĐIỀU HÀNH") == []  # a heading: Chí Đạo is a commune too
    assert named("UBND QUẬN LONG BIÊN") == ["LONG", "BIÊN"]  # a unit's type before it
    assert named("HÀ NỘI, ngày 5 tháng 3") == ["HÀ", "NỘI,"]  # the place of the date line
    assert named("tại phường Điện Biên") == ["Điện", "Biên"]
    assert named("ông Long Biên chứng") == ["Long", "Biên"]  # capitalised words: a name's, wherever
