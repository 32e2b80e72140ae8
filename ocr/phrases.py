"""Tone marks of the signature block's lines and of a document's type title, restored from their
closed vocabulary.

Tesseract gives the tone marks of an upper-case line to the line above when the two stand close
(`KT. GIÁM ĐỐC` over `PHÓ GIÁM ĐỐC` reads `PHO GIAM ĐỌC`), and a speck under a letter becomes a dot
below (`ỦY BẠN NHÂN DÂN`). A line of upper-case words whose letters, without their marks, spell
exactly one known position, authority line or people's body (`core.phrases`), or type title
(`core.doctypes`: `GIÁY MỜI` -> `GIẤY MỜI`), takes that phrase's marks. Only the marks change, and
only where the tone differs: a document's own placement of the tone (`UỶ BAN` or `ỦY BAN`) stays as
printed.
"""

from __future__ import annotations

from functools import cache

from core.doctypes import DOC_TYPES, LEGAL_TYPES
from core.phrases import AUTHORITY, BODIES, POSITIONS
from core.text import squash
from ocr.model import Word
from ocr.quality import split_tone


@cache
def _known() -> dict[str, str]:
    """Each phrase by its letters without marks; a spelling two phrases share (`THỨ TRƯỞNG`,
    `THỦ TRƯỞNG`) tells nothing and is left out."""
    by_key: dict[str, set[str]] = {}
    for phrase in POSITIONS + AUTHORITY + BODIES + sorted(_titles()):
        by_key.setdefault(squash(phrase), set()).add(phrase)
    return {k: next(iter(v)) for k, v in by_key.items() if len(v) == 1}


@cache
def _titles() -> frozenset[str]:
    return frozenset(name.upper() for _, name, _ in DOC_TYPES + LEGAL_TYPES)


def restore(words: list[Word]) -> None:
    """The words of one line (left to right) take the marks of the phrase they spell, in place."""
    text = " ".join(w.text for w in words)
    letters = [c for c in text if c.isalpha()]
    if not letters or not all(c.isupper() for c in letters):
        return
    phrase = _known().get(squash(text))
    if phrase is None or len(phrase.split()) != len(words):
        return
    # The phrase's punctuation too (`.KT` -> `KT.`, `GIÁM ĐỐC:` -> `GIÁM ĐỐC`), but a colon ending a
    # type title stays: it introduces the articles (`QUYẾT ĐỊNH:`).
    colon = ":" if words[-1].text.endswith(":") and phrase in _titles() else ""
    for word, printed in zip(words, [*phrase.split()[:-1], phrase.split()[-1] + colon], strict=True):
        if split_tone(word.text) != split_tone(printed):  # the same for both placements of a tone
            word.text = printed
