"""A document's number or symbol that Tesseract cut in two (`178- KL/TW`, `05/HD- MTTW-BTT`,
`60-NQ/T W;`).

A number and symbol (`178-KL/TW`, `1843/SNV-TCBC`) is one token, but in a justified line Tesseract
sometimes takes the narrow gap after a hyphen or between two capitals for a space. A typist's own
space (`1189/SNV- LĐVL&TN`) is as wide as the line's other spaces; the gap of a cut symbol is a sliver
(2-3 px on a 200-dpi line whose words stand 7-15 px apart, at a height of 42-51 px). So two words of
one line are joined where the first is a symbol's head (a digit or a slash, no lower-case letter), the
second its tail (capitals and digits), and the gap between them is under SYMBOL_GAP of their height.
"""

from __future__ import annotations

import re

from ocr.model import Word

SYMBOL_GAP = 0.12  # of the words' height: the tightest space between words measured 0.16 of it
_TAIL = re.compile(r"[A-ZĐ0-9][A-ZĐ0-9&/.-]*[.,;:)]?")  # `KL/TW`, `MTTW-BTT,`, `W;`


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
    return _is_head(head.text) and bool(_TAIL.fullmatch(tail.text)) and gap < SYMBOL_GAP * height


def _is_head(text: str) -> bool:
    """`178-`, `05/HD-`, `60-NQ/T`: a digit or a slash, no lower-case letter, and no closing punctuation."""
    numbered = any(c.isdigit() or c == "/" for c in text)
    return numbered and not any(c.islower() for c in text) and text[-1] not in ".,;:)"
