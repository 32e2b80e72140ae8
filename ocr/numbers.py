"""The number of an article or a clause read with a letter for the digit 1 (`Điều I`, `khoản l`).

Vietnamese legal writing numbers articles (`Điều`) and clauses (`khoản`) with Arabic digits only;
Roman numerals number chapters, parts and sections (`Chương I`, `Mục II`), which are left alone. Where
Tesseract reads the 1 of such a number as an upper-case I or a lower-case l (`Điều I Nghị định`,
`khoản l Điều 5`), the token right after the word, made of digits and those letters only, takes the 1.
"""

from __future__ import annotations

import itertools
import re

from ocr.model import Word
from ocr.quality import split_punctuation

_NUMBERED = ("điều", "khoản")
_ONE_READ = re.compile(r"[0-9Il]+")


def restore(words: list[Word]) -> None:
    """Words in reading order: a number read with I or l for 1 after `Điều` or `khoản` takes the 1."""
    for before, word in itertools.pairwise(words):
        _, cue, between = split_punctuation(before.text)
        lead, core, tail = split_punctuation(word.text)
        read_for_one = _ONE_READ.fullmatch(core) and not core.isdigit()
        if cue.lower() in _NUMBERED and not between + lead and read_for_one:
            word.text = core.replace("I", "1").replace("l", "1") + tail
