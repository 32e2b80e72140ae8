"""Place names of the national gazetteer take back the tone marks a reading lost, where the text says
they are places.

Tesseract loses tones in upper-case headers and capitalised names as anywhere else (`UBND TĨNH LÂM
ĐÔNG`, `Lâm Đông, ngày 04 tháng 9`), but the rules of `ocr.tones` leave names alone: a name's
syllables need not form words. A place's name is settled by the gazetteer instead. A run of two or
more capitalised (or upper-case) words whose letters, without their tones, spell the name of exactly
one place (`data/vi-places.txt`: every province, district and commune before and after 1 July 2025,
written from `pipeline.units` by `python -m pipeline.units.placelist`) takes that name's tones when
the text names it a place (where no name is spelt so, a name spelt so without its hats, horns and
breves too: `TỈNH LÂM ĐÒNG` -> `LÂM ĐỒNG`, where the reading lost the hat of Ồ):
- a unit's type stands right before it (`tỉnh`, `huyện`, `quận`, `xã`, `phường`, `thị xã`, `thị
  trấn`, `thành phố`), and the type's own lost tone comes back with it (`TĨNH` -> `TỈNH`); or
- it is the place of the date line: a comma and `ngày` follow.
Without either it stays as read: `phố Núi Đôi` is a street, though `Núi Đối` is a commune, and
`Phòng Quản lý` spells the commune `Phong Quảng` without its tones.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path

from ocr.model import Word
from ocr.quality import cased_like, split_punctuation, split_tone

PLACES = Path(__file__).with_name("data") / "vi-places.txt"
TYPES = ("tỉnh", "huyện", "quận", "xã", "phường", "thị xã", "thị trấn", "thành phố")

Letters = tuple[str, ...]  # a name's syllables in lower case without their tones


def _letters(words: list[str]) -> Letters:
    return tuple(split_tone(w.lower())[1] for w in words)


def _bare_letters(words: list[str]) -> Letters:
    """The letters without any mark but the stroke of đ, a letter of its own."""
    nfd = (unicodedata.normalize("NFD", w.lower()) for w in words)
    return tuple("".join(ch for ch in w if not unicodedata.combining(ch)) for w in nfd)


def _same(word: str, printed: str) -> bool:
    """The same letters and tone, wherever the mark is placed (`hoà`, `hòa`)."""
    return split_tone(word.lower()) == split_tone(printed.lower())


@cache
def _names(bare: bool = False) -> dict[Letters, Letters | None]:
    """Each place name by its letters (`bare`: without their hats, horns and breves too); None for
    letters that two names share, which tell nothing."""
    key = _bare_letters if bare else _letters
    by_letters: dict[Letters, set[Letters]] = {}
    for line in PLACES.read_text(encoding="utf-8").splitlines():
        words = line.split()
        if len(words) > 1:
            printed = tuple(w.lower() for w in words)
            by_letters.setdefault(key(words), set()).add(printed)
    return {k: next(iter(v)) if len(v) == 1 else None for k, v in by_letters.items()}


@cache
def _longest() -> int:
    return max(len(k) for k in _names())


def _name_like(core: str) -> bool:
    return core.isalpha() and core[:1].isupper() and (core.isupper() or core[1:].islower())


Parts = list[tuple[str, str, str]]  # each word's leading punctuation, letters, trailing punctuation


def _joined(parts: Parts, i: int, j: int) -> bool:
    """Nothing but spaces between words i .. j."""
    return all(not parts[k][2] and not parts[k + 1][0] for k in range(i, j))


def _type_before(parts: Parts, i: int) -> tuple[int, list[str]] | None:
    """Where the unit's type right before word i starts, and the type as printed."""
    for kind in TYPES:
        syllables = kind.split()
        start = i - len(syllables)
        if start < 0 or not _joined(parts, start, i):
            continue
        cores = [parts[k][1] for k in range(start, i)]
        if all(c.isalpha() for c in cores) and _letters(cores) == _letters(syllables):
            return start, syllables
    return None


def _dated(parts: Parts, start: int, end: int) -> bool:
    """Words start .. end-1 are the place of the date line: a comma and `ngày` follow, and no
    capitalised word comes before (`Mỹ Thành Bắc, ngày` is not `Thạnh Bắc`)."""
    alone = start == 0 or not _joined(parts, start - 1, start) or not _name_like(parts[start - 1][1])
    return alone and end < len(parts) and parts[end - 1][2] == "," and _letters([parts[end][1]]) == ("ngay",)


def _name_at(parts: Parts, i: int, *, bare_too: bool = False) -> tuple[int, Letters | None] | None:
    """The longest run from word i that spells a place's name in one case, and the name (None where
    two names share its letters: then no shorter run is tried, `Mỹ Thành Bắc` is not `Mỹ Thạnh`).
    `bare_too`: a run that spells no name with its marks may spell one without those on its vowels."""
    for n in range(min(_longest(), len(parts) - i), 1, -1):
        cores = [parts[k][1] for k in range(i, i + n)]
        if not all(_name_like(c) for c in cores) or len({c.isupper() for c in cores if len(c) > 1}) > 1:
            continue
        if not _joined(parts, i, i + n - 1):
            continue
        for names, letters in ((_names(), _letters(cores)), (_names(bare=True), _bare_letters(cores))):
            if letters in names:
                return n, names[letters]
            if not bare_too:
                break
    return None


def restore(words: list[Word]) -> None:
    """Words in reading order: place names after a unit's type or before `, ngày` take their tones
    back, and so does the type, in place."""
    parts = [split_punctuation(w.text) for w in words]

    def mend(k: int, printed: str) -> None:
        lead, core, tail = parts[k]
        if not _same(core, printed):
            words[k].text = lead + cased_like(printed, core) + tail

    i = 0
    while i < len(parts):
        found = _name_at(parts, i, bare_too=True)
        kind = _type_before(parts, i) if found else None
        if found is None or found[1] is None or not (kind or _dated(parts, i, i + found[0])):
            i += 1  # an upper-case type may start a name of its own: `TỈNH AN` (Tịnh An) in `TỈNH AN BÀI`
            continue
        n, name = found
        for k, printed in enumerate(name):
            mend(i + k, printed)
        if kind is not None:
            start, syllables = kind
            for k, printed in enumerate(syllables):
                mend(start + k, printed)
        i += n


def named(words: list[Word]) -> set[int]:
    """The words of runs that spell a place's name, whatever their tones (`Long Biên`, `Điện Biên`):
    ocr.tones leaves them alone (`long biến`, `biến chứng` are words). A run in upper case only where
    the text says it is a place (`QUẬN LONG BIÊN`): a heading's words spell communes too (`CÔNG TÁC CHỈ
    ĐẠO`: Chí Đạo; `CỘNG HÒA`)."""
    parts = [split_punctuation(w.text) for w in words]
    out: set[int] = set()
    for i in range(len(parts)):  # runs may overlap: `PHƯỜNG THANH` and `THANH TRÌ` both spell places
        found = _name_at(parts, i)
        if found is None:
            continue
        end = i + found[0]
        if parts[i][1].isupper() and not (_type_before(parts, i) or _dated(parts, i, end)):
            continue
        out.update(range(i, end))
    return out
