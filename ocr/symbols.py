"""A document's symbol that Tesseract cut in two after a hyphen (`178- KL/TW`, `05/HD- MTTW-BTT`).

A number and symbol (`178-KL/TW`, `1843/SNV-TCBC`) is one token, but in a justified line Tesseract
sometimes takes the narrow gap after its hyphen for a space. A typist's own space after the hyphen
(`1189/SNV- LĐVL&TN`) is as wide as the line's other spaces; the gap of a cut symbol is a sliver (3 px
against 12-15 px between words on a 200-dpi line). So two words of one line are joined where the first
ends a symbol's head with a hyphen, the second is a symbol's tail in capitals, and the gap between them
is under SYMBOL_GAP of their height.
"""

from __future__ import annotations

import re

from ocr.model import Word

SYMBOL_GAP = 0.2  # of the words' height: a space between words is 0.35-0.45 of it
_HEAD = re.compile(r"\S*[0-9/]\S*[0-9A-ZĐ]-")  # `178-`, `05/HD-`, `1843/SNV-`
_TAIL = re.compile(r"[A-ZĐ][A-ZĐ0-9&/-]*[A-ZĐ0-9][.,;:)]?")  # `KL/TW`, `MTTW-BTT,`


def joined(line: list[Word]) -> list[Word]:
    """The words of one line, left to right, with each cut symbol one word again."""
    out: list[Word] = []
    for word in line:
        before = out[-1] if out else None
        if before is not None and _cut(before, word):
            out[-1] = Word(
                before.text + word.text,
                min(before.conf, word.conf),
                (
                    before.bbox[0],
                    min(before.bbox[1], word.bbox[1]),
                    word.bbox[2],
                    max(before.bbox[3], word.bbox[3]),
                ),
                before.line,
            )
        else:
            out.append(word)
    return out


def _cut(head: Word, tail: Word) -> bool:
    height = max(head.bbox[3] - head.bbox[1], tail.bbox[3] - tail.bbox[1])
    gap = tail.bbox[0] - head.bbox[2]
    return bool(_HEAD.fullmatch(head.text) and _TAIL.fullmatch(tail.text)) and gap < SYMBOL_GAP * height
