"""Cue patterns and line helpers shared by the field parsers.

OCR often reads the two header columns (and the two closing columns) across, line by line, so the
parsers first split such lines at the start of the other column's known phrases.
"""

from __future__ import annotations

import re
from typing import Any

from pipeline.textnorm import fold, levenshtein

Found = tuple[Any, float]  # (value, confidence) of one field


def bars(text: str) -> tuple[str, ...]:
    return tuple(text.split("|"))


# Right-column phrases (quốc hiệu, tiêu ngữ; the Party's and the Youth Union's names in their place):
# tokens to align against, and how many must agree at the phrase's start (the Party's short words are
# one letter from common ones: `tăng cường công` is not `Đảng Cộng sản`).
_RIGHT_PHRASES = [
    (["cong", "hoa", "xa", "hoi", "chu", "nghia", "viet", "nam"], 2),
    (["doc", "lap", "tu", "do", "hanh", "phuc"], 2),
    (["socialist", "republic", "of", "vietnam"], 2),
    (["independence", "freedom", "happiness"], 2),
    (["dang", "cong", "san", "viet", "nam"], 3),
    (["doan", "tncs", "ho", "chi", "minh"], 3),
    (["doan", "thanh", "nien", "cong", "san", "ho", "chi", "minh"], 3),
]
_WORD = re.compile(r"\S+")

VV_CUE = re.compile(r"^\s*(v\s*[/|l1\\]\s*[vy]|vv|v/(?=\s)|re|subject)\s*[:.]?\s+", re.I)
ADDR_CUE = re.compile(r"^\s*(k[a-z]{2,3}\s*g[a-z]{1,3}|to)\s*[:;.]\s*", re.I)
RECIP_CUE = re.compile(
    r"^\s*(n[o0][a-z]?\s*nh[a-z]{1,3}|recipients?)\b\s*(/\s*recipients?)?\s*[:;.]?\s*", re.I
)
BODY_START = re.compile(
    r"^(can cu|theo de nghi|kinh gui|dieu \d|i\.|1\.|ho va ten|thoi gian|dia diem|noi dung|pursuant|to:)",
    re.I,
)
NAME = re.compile(r"^[A-ZĐÀ-Ỹ][a-zđà-ỹ]+(?:\s+[A-ZĐÀ-Ỹ][a-zđà-ỹ]+){1,5}$")
ITEM = re.compile(r"^\s*[-–—+•*~=»«“”\"_]+\s*")  # the bullet of a list item


def tokens(line: str) -> list[re.Match[str]]:
    return list(_WORD.finditer(line))


def tok_eq(a: str, b: str) -> bool:
    """An OCR'd token equal to the folded word `b`, one slip allowed from four letters."""
    return _key_eq(_tok_key(a), b)


def _tok_key(token: str) -> str:
    """What of a token `tok_eq` compares: folded, letters, digits and apostrophes."""
    return "".join(c for c in fold(token) if c.isalnum() or c == "'")


def _key_eq(key: str, b: str) -> bool:
    if not key:
        return False
    return key == b or (len(b) >= 4 and levenshtein(key, b, 1) <= 1)


def ends_sentence(line: str) -> bool:
    return line.rstrip().endswith((".", ":", ";", "!", "?"))


def split_right_phrase(line: str) -> tuple[str, str]:
    """`ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI ...` -> (`ỦY BAN NHÂN DÂN`, `CỘNG HÒA XÃ HỘI ...`)."""
    toks = [t for t in tokens(line) if any(c.isalnum() for c in t.group())]  # `-` is not a word
    keys = [_tok_key(t.group()) for t in toks]  # once a token, not once a comparison
    for phrase, at_start in _RIGHT_PHRASES:
        for i in range(len(toks)):
            # consecutive phrase tokens anywhere in the phrase, backed off to the phrase start
            # at the phrase start, or three tokens anywhere in the national motto (`XÃ HỘI` alone is a
            # body name); the Party's and the Youth Union's names only from their start (`HỒ CHÍ MINH`)
            for j in range(len(phrase) - 1 if at_start == 2 else 1):
                need = at_start if j == 0 else 3
                if (
                    i + need - 1 < len(toks)
                    and j + need - 1 < len(phrase)
                    and all(_key_eq(keys[i + k], phrase[j + k]) for k in range(need))
                ):
                    start_tok = max(0, i - j)
                    start = toks[start_tok].start()
                    return line[:start].strip(), line[start:].strip()
    return line, ""


def is_right_phrase(line: str) -> bool:
    left, right = split_right_phrase(line)
    return bool(right) and not left
