"""The number of an article or a clause, and the word before it, read with a letter or a tone wrong
(`Điều I`, `khoản l`, `Điêu 34`).

Vietnamese legal writing numbers articles (`Điều`) and clauses (`khoản`) with Arabic digits only;
Roman numerals number chapters, parts and sections (`Chương I`, `Mục II`), which are left alone. Where
Tesseract reads the 1 of such a number as an upper-case I or a lower-case l (`Điều I Nghị định`,
`khoản l Điều 5`), the token right after the word, made of digits and those letters only, takes the 1.
A word spelt `điêu` or `khoan` with another tone or none, right before such a number, is that word
(`tại khoản 2 Điêu 34` -> `Điều 34`).
"""

from __future__ import annotations

import itertools
import re

from ocr.model import Word
from ocr.quality import cased_like, split_punctuation, split_tone

_NUMBERED = {"điêu": "điều", "khoan": "khoản"}  # by their letters without the tone
_NUMBER = re.compile(r"[0-9Il]+")


def restore(words: list[Word]) -> None:
    """Words in reading order: the word before an article's or a clause's number, and the number
    read with I or l for 1, as printed. A word with another tone takes its own only before a number
    with a digit in it (`Điêu I` stays: neither tells)."""
    for before, word in itertools.pairwise(words):
        lead_cue, cue, between = split_punctuation(before.text)
        lead, core, tail = split_punctuation(word.text)
        printed = _NUMBERED.get(split_tone(cue)[1]) if cue.isalpha() else None
        if printed is None or between + lead or not _NUMBER.fullmatch(core):
            continue
        if cue.lower() == printed or any(ch.isdigit() for ch in core):
            before.text = lead_cue + cased_like(printed, cue) + between
            word.text = core.replace("I", "1").replace("l", "1") + tail
