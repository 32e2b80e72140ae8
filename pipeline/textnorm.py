"""Text normalisation for metadata extraction: NFC, diacritic folding, fuzzy cue matching, OCR fixes.

Everything here is pure and cheap; the field parsers in `pipeline.metadata` build on it.
"""

from __future__ import annotations

import re
import unicodedata

from core.text import fold as core_fold
from core.text import squash as squash

# Look-alikes that OCR engines and some fonts produce for Vietnamese letters. `Ð` (U+00D0, Icelandic
# eth) is the classic one: it looks like `Đ` but never matches it.
_LOOKALIKES = str.maketrans(
    {
        "\u00d0": "Đ",  # Ð -> Đ
        "\u00f0": "đ",  # ð -> đ
        "\u0189": "Đ",  # Ɖ -> Đ
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u2002": " ",
        "\u2003": " ",
        "\u2009": " ",
        "\u200b": "",
        "\ufeff": "",
        "\u201c": '"',
        "\u201d": '"',
        "\u2018": "'",
        "\u2019": "'",
        "\u00ad": "",
    }
)
# Control characters other than newline, tab and form feed (page separator) are noise.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def clean_text(text: str) -> str:
    """NFC, look-alike letters fixed, control characters dropped, pages kept (form feed)."""
    text = unicodedata.normalize("NFC", text.translate(_LOOKALIKES))
    text = _CONTROL.sub(" ", text).replace("\r\n", "\n").replace("\r", "\n")
    return text


def fold(text: str) -> str:
    """Lower case without diacritics, one character per input character (indices stay aligned)."""
    return core_fold(text, lower=True)


def collapse_ws(text: str) -> str:
    return " ".join(text.split())


def levenshtein(a: str, b: str, limit: int | None = None) -> int:
    """Edit distance; stops early once every path exceeds `limit`."""
    if a == b:
        return 0
    if len(a) < len(b):
        a, b = b, a
    if limit is not None and len(a) - len(b) > limit:
        return limit + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if limit is not None and min(cur) > limit:
            return limit + 1
        prev = cur
    return prev[-1]


# OCR confusions inside numbers: letters that stand for digits.
_DIGIT_LOOKALIKES = str.maketrans(
    {"O": "0", "o": "0", "D": "0", "Q": "0", "l": "1", "I": "1", "|": "1", "i": "1", "!": "1", "]": "1",
     "Z": "2", "z": "2", "S": "5", "s": "5", "B": "8", "g": "9", "q": "9", "G": "6", "b": "6", "T": "7"}
)  # fmt: skip


def fix_digits(token: str) -> str:
    """`1O7` -> `107`, `2O24` -> `2024`: only for a token that is already mostly digits."""
    digits = sum(c.isdigit() for c in token)
    if not token or digits == len(token) or digits * 2 < len(token):
        return token
    return as_digits(token)


def as_digits(token: str) -> str:
    """Every look-alike letter read as its digit (`II` -> `11`): for a token known to be a number."""
    return token.translate(_DIGIT_LOOKALIKES)


def is_upper_line(text: str, min_letters: int = 3) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= min_letters and sum(c.isupper() for c in letters) >= 0.85 * len(letters)


def letters_share(text: str) -> float:
    chars = [c for c in text if not c.isspace()]
    return sum(c.isalpha() for c in chars) / len(chars) if chars else 0.0
