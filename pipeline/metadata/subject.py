"""The trích yếu (`Về việc ...` under the type title, or a công văn's `V/v ...` under the number) and
the `Kính gửi` addressees."""

from __future__ import annotations

import re

from pipeline.metadata.cues import (
    ADDR_CUE,
    BODY_START,
    ITEM,
    RECIP_CUE,
    VV_CUE,
    Found,
    ends_sentence,
    is_right_phrase,
)
from pipeline.metadata.doctypes import is_annex_heading, title_code
from pipeline.textnorm import collapse_ws, fold, is_upper_line


def _continues_subject(prev: str, line: str, first_len: int) -> bool:
    fl = fold(line).strip()
    if not line.strip() or BODY_START.match(fl) or ADDR_CUE.match(fl) or RECIP_CUE.match(fl):
        return False
    if is_upper_line(line) or title_code(line) or re.match(r"^(dieu|article)\s+\d", fl):
        return False
    if line.rstrip().endswith(":") or re.match(r"^[\w ()]{2,40}:\s", line):
        return False  # `... kính mời:`, `Họ và tên: ...`: the body has begun
    if ends_sentence(prev):
        return False
    if re.match(r"^(\d{1,2}|[IVX]{1,4}|[a-zđ])[.)]\s", line.strip()):
        return False  # a numbered heading or list item of the body
    first = line.lstrip()[:1]
    if first.islower() or first.isdigit():
        return True
    # A wrapped subject line carries the remainder of a centred line, so it is shorter than the
    # first; the body's first line runs the full width.
    return len(line.strip()) <= max(30, 0.85 * first_len) and not line.rstrip().endswith(".")


# A line of the place-and-date (`Lâm Đóng, ngày 76 tháng 01 năm 2026`, or its day on a line of its own)
_DATE_PART = re.compile(r",\s*ng[a-z]{1,3}\b|^\S{1,3}\s*th[a-z]{1,4}\s*\S{1,3}\s+n[a-z]{1,3}\s*\S{4}")
# An authority line under a decision's title (`CHỦ TỊCH ỦY BAN NHÂN DÂN ...`) is not its subject.
_AUTHORITY_START = re.compile(
    r"^(tm|kt|tl|tuq)\s*\.|^(pho )?(chu tich|giam doc|truong|bo truong|thu truong|chanh|hieu truong|"
    r"uy ban|hoi dong|chinh phu|thu tuong)\b"
)


def parse_subject_after_title(lines: list[str], start: int) -> Found | None:
    if start >= len(lines):
        return None
    while start < len(lines) - 1 and sum(c.isalpha() for c in lines[start]) < 3:
        start += 1  # a rule under the title read as `_` or `—`
    first = lines[start].strip()
    fl = fold(first)
    if not first or BODY_START.match(fl) or ADDR_CUE.match(fl):
        return None
    if is_upper_line(first):
        return _upper_subject(lines, start)
    parts = [first]
    for line in lines[start + 1 : start + 4]:
        if not _continues_subject(parts[-1], line, len(first)):
            break
        parts.append(line.strip())
    value = collapse_ws(" ".join(parts)).rstrip(" .;")
    conf = 0.95 if re.match(r"^(ve viec|v/v|on |re:)", fold(value)) else 0.85
    return value, conf


def _upper_subject(lines: list[str], start: int) -> Found | None:
    """A subject printed in capitals (decrees, annexes): the upper-case lines under the title."""
    parts: list[str] = []
    for line in lines[start : start + 4]:
        fl = fold(line).strip()
        if not is_upper_line(line) or title_code(line) or _AUTHORITY_START.match(fl) or BODY_START.match(fl):
            break
        if re.match(r"^([ivxlc]{1,4}|\d{1,2})\b[.,)]?\s", fl):
            break  # `I. ĐỐI VỚI CẤP SỞ`: the first section heading of the body
        parts.append(line.strip())
    if not parts:
        return None
    return collapse_ws(" ".join(parts)).rstrip(" .;"), 0.8


def parse_annex(lines: list[str]) -> Found | None:
    """An annex page (`Phụ lục III` first, no header): the heading under it, in capitals, is its
    subject; a `(Kèm theo ...)` line between them is left out."""
    for n, line in enumerate(lines[:2]):
        if is_annex_heading(line):
            rest = [x for x in lines[n + 1 : n + 6] if not x.lstrip().startswith("(")]
            subject = _upper_subject(rest, 0) if rest else None
            return (subject[0] if subject else None), 0.85
    return None


def parse_vv(after_number: list[str]) -> Found | None:
    """The trích yếu of a công văn, under the number: `V/v ...` on one to three lines."""
    for i, line in enumerate(after_number):
        m = VV_CUE.match(fold(line))
        if not m:
            continue
        cue = line[: m.end()].strip()
        norm_cue = "V/v" if fold(cue).startswith(("v", "vv")) else cue.rstrip(":")
        parts = [norm_cue + " " + line[m.end() :].strip()]
        for nxt in after_number[i + 1 : i + 4]:
            if (
                not nxt.strip()
                or is_right_phrase(nxt)
                or ADDR_CUE.match(fold(nxt))
                or ends_sentence(parts[-1])
                or _DATE_PART.search(fold(nxt))
            ):
                break  # the place-and-date line read into the left column, even when its date is not
            parts.append(nxt.strip())
        return collapse_ws(" ".join(parts)).rstrip(" .;"), 0.95 if fold(cue).startswith("v") else 0.8
    return None


def parse_addressees(lines: list[str], start: int, stop: int) -> Found | None:
    for n in range(start, min(stop, len(lines))):
        m = ADDR_CUE.match(fold(lines[n]))
        if not m or (fold(lines[n]).startswith("to") and lines[n][:2] != "To"):
            continue
        rest = lines[n][m.end() :].strip()
        if rest:
            return [rest.rstrip(" .;")], 0.9
        items = []
        for line in lines[n + 1 : n + 12]:
            if not ITEM.match(line):
                break
            items.append(ITEM.sub("", line).strip().rstrip(" .;,"))
        return (items, 0.85) if items else None
    return None
