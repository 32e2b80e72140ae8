"""The one diacritics-folding function, used at index time and at query time.

The local Elasticsearch has no `asciifolding` filter (no analysis-common module), so we fold in Python
into companion `*_folded` fields analysed by the standard analyzer. Query text goes through the same
`fold`, so both sides always agree.

`fold` keeps the length of NFC text: every precomposed letter maps to exactly one letter, so an offset
in `fold(text)` is the same offset in `text`. `search.query` relies on this to turn a highlight found in a
folded field back into the original Vietnamese text.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["fold", "norm_code", "norm_name"]


class _FoldTable(dict[int, str]):
    """`str.translate` table filled lazily: each code point is decomposed once, then cached."""

    def __missing__(self, cp: int) -> str:
        ch = chr(cp)
        if ch == "đ":
            out = "d"
        elif ch == "Đ":
            out = "D"
        elif unicodedata.combining(ch):
            out = ""  # a lone combining mark (NFC could not compose it): drop it
        else:
            base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
            # keep one-to-one so offsets survive; Hangul etc. decompose into several letters: leave as is
            out = base if len(base) == 1 else ch
        self[cp] = out
        return out


_TABLE = _FoldTable()


def fold(text: str | None) -> str:
    """Vietnamese text without diacritics: NFC, drop combining marks, đ/Đ → d/D. Case is kept."""
    if not text:
        return ""
    if text.isascii():
        return text
    return unicodedata.normalize("NFC", text).translate(_TABLE)


_SPACES = re.compile(r"\s+")


def norm_name(text: str | None) -> str:
    """Key for exact filters on names (units, bodies): folded, lower case, single spaces."""
    return _SPACES.sub(" ", fold(text).lower()).strip()


def norm_code(text: str | None) -> str:
    """Key for document numbers and symbols: folded, upper case, no spaces (`123/qđ-ubnd` → `123/QD-UBND`)."""
    return _SPACES.sub("", fold(text).upper())
