"""The one diacritics fold, used to index, to query and to compare names.

Archivists search with or without diacritics; metadata rules compare names whatever the marks. Both
need the same answer for `Đông Dư` and `dong du`, so there is one fold, with an option to lower the case.

`fold` keeps the length of NFC text: every precomposed letter maps to exactly one letter, so an offset
in `fold(text)` is the same offset in `text` (search highlights and metadata spans rely on it). A lone
combining mark, which NFC Vietnamese never has, is dropped.
"""

from __future__ import annotations

import unicodedata

__all__ = ["fold"]


class _FoldTable(dict[int, str]):
    """`str.translate` table filled lazily: each code point is decomposed once, then cached."""

    def __init__(self, lower: bool) -> None:
        super().__init__()
        self.lower = lower

    def __missing__(self, cp: int) -> str:
        ch = chr(cp)
        if ch in "đĐ":
            out = "d" if ch == "đ" or self.lower else "D"
        elif unicodedata.combining(ch):
            out = ""
        else:
            base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
            # one-to-one so offsets survive; what decomposes into several letters (Hangul) stays as is
            out = base if len(base) == 1 else ch
            if self.lower and len(out.lower()) == 1:
                out = out.lower()
        self[cp] = out
        return out


_KEEP_CASE, _LOWER = _FoldTable(lower=False), _FoldTable(lower=True)


def fold(text: str | None, *, lower: bool = False) -> str:
    """Text without diacritics (NFC, combining marks dropped, đ/Đ → d/D), lower-cased when asked."""
    if not text:
        return ""
    if text.isascii():
        return text.lower() if lower else text
    return unicodedata.normalize("NFC", text).translate(_LOWER if lower else _KEEP_CASE)


def squash(text: str) -> str:
    """Folded, lower case, letters and digits only: the key used to compare names (`Mỹ Đình 1` ->
    `mydinh1`)."""
    return "".join(c for c in fold(text, lower=True) if c.isalnum())
