"""The number of an article or a clause, and the word before it, read with a letter or a tone wrong
(`Điều I`, `khoản l`, `Điêu 34`).

Vietnamese legal writing numbers articles (`Điều`) and clauses (`khoản`) with Arabic digits only;
Roman numerals number chapters, parts and sections (`Chương I`, `Mục II`), which are left alone. Where
Tesseract reads the 1 of such a number as an upper-case I or a lower-case l (`Điều I Nghị định`,
`khoản l Điều 5`), the token right after the word, made of digits and those letters only, takes the 1.
A word spelt `điêu` or `khoan` with another tone or none, right before such a number, is that word
(`tại khoản 2 Điêu 34` -> `Điều 34`).

Anywhere else, a token of digits in which I or l stands beside a digit for a 1, or O or Ø for a 0
(`ngày l6`, `Ø6`, `I7I`, `I0`, `3l-`), is a number: no word or code mixes them so (`ISO9001` has an
S, and `Chương I`, `I-2` have no digit beside the letter).

A document's number (`Số: 11/TB-UBND`, Decree 30) is in Arabic digits: read `Số: II` or `Số: lI/TB`,
the token after the cue, made of I and l only up to its slash, takes the 1s. A Roman number follows
`số` without the colon (`Phụ lục số II`), and stays.

The day of a date (`ngày 19 tháng 12`) is at most 31: a day read above that with a 7 first (`ngày 79
tháng`), or with a slash first (`ngày /5 tháng`), had a 1 there, the digit a 7 and a slash most often
stand for on soft print.
"""

from __future__ import annotations

import itertools
import re

from ocr.model import Word
from ocr.quality import cased_like, split_punctuation, split_tone

_NUMBERED = {"điêu": "điều", "khoan": "khoản"}  # by their letters without the tone
_NUMBER = re.compile(r"[0-9Il]+")
_ONES = re.compile(r"[Il]{1,3}")
_DIGITS_AND_LOOKALIKES = re.compile(r"[0-9IlOØ]+(?:[/.,:-][0-9IlOØ]+)*%?-?")  # `3l-` of `31- HD/BTCTW`
_BESIDE_A_DIGIT = re.compile(r"[0-9][IlOØ]|[IlOØ][0-9]")
_AS_DIGITS = str.maketrans({"I": "1", "l": "1", "O": "0", "Ø": "0"})
_DAY_MISREAD = re.compile(r"[7/]\d")


def restore(words: list[Word]) -> None:
    """Words in reading order: the word before an article's or a clause's number, and the number
    read with I or l for 1, as printed. A word with another tone takes its own only before a number
    with a digit in it (`Điêu I` stays: neither tells). Then a document's number read in I and l,
    and any number read with a look-alike letter beside a digit."""
    _articles(words)
    for cue, number in itertools.pairwise(words):
        lead, core, tail = split_punctuation(number.text)
        head, slash, symbol = core.partition("/")  # `II /TB-UBND` or `II/TB-UBND`
        if cue.text.lower() == "số:" and not lead and _ONES.fullmatch(head):
            number.text = head.translate(_AS_DIGITS) + slash + symbol + tail
    for word in words:
        lead, core, tail = split_punctuation(word.text)
        if _DIGITS_AND_LOOKALIKES.fullmatch(core) and _BESIDE_A_DIGIT.search(core):
            word.text = lead + core.translate(_AS_DIGITS) + tail
    for before, day, after in zip(words, words[1:], words[2:], strict=False):
        if before.text.lower() == "ngày" and after.text.lower() == "tháng" and _impossible_day(day.text):
            day.text = "1" + day.text[1:]


def _impossible_day(text: str) -> bool:
    return bool(_DAY_MISREAD.fullmatch(text)) and (text[0] == "/" or int(text) > 31)


def _articles(words: list[Word]) -> None:
    for before, word in itertools.pairwise(words):
        lead_cue, cue, between = split_punctuation(before.text)
        lead, core, tail = split_punctuation(word.text)
        printed = _NUMBERED.get(split_tone(cue)[1]) if cue.isalpha() else None
        if printed is None or between + lead or not _NUMBER.fullmatch(core):
            continue
        if cue.lower() == printed or any(ch.isdigit() for ch in core):
            before.text = lead_cue + cased_like(printed, cue) + between
            word.text = core.replace("I", "1").replace("l", "1") + tail
