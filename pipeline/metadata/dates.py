"""The place-and-date line: `Cầu Giấy, ngày 03 tháng 4 năm 2024`, `Hanoi, October 17, 2023`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from pipeline.metadata.cues import tok_eq, tokens
from pipeline.textnorm import collapse_ws, fix_digits, fold

_D = r"[0-9oilzsbg|]"  # digits and the letters OCR puts in their place (folded text)
_DATE_VI = re.compile(
    rf"ng[a-z]{{1,3}}\s*[:.]?\s*({_D}{{1,3}})\s+th[a-z]{{1,4}}\s*({_D}{{1,3}})\s+n[a-z]{{1,3}}\s*({_D}{{4,5}})"
)
_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december"]  # fmt: skip
_DATE_EN = re.compile(rf"\b([a-z]{{3,9}})\.?\s+({_D}{{1,2}})(?:st|nd|rd|th)?\s*,?\s*({_D}{{4,5}})\b")
_DATE_EN_DMY = re.compile(rf"\b({_D}{{1,2}})(?:st|nd|rd|th)?\s+([a-z]{{3,9}})\.?\s*,?\s*({_D}{{4,5}})\b")


@dataclass
class DateHit:
    line_no: int
    start: int  # where the place starts in the line
    place: str | None
    iso: str
    conf: float


def _num_options(tok: str) -> list[int]:
    """Readings of an OCR'd number, most likely first: `O7` -> 7, `Z` -> 2, `G6` -> 66 or 6."""
    opts = []
    for cand in (tok, fix_digits(tok.upper()).replace("|", "1"), "".join(c for c in tok if c.isdigit())):
        if cand.isdigit():
            opts.append(int(cand))
    if len(tok) == 1 and not tok.isdigit():
        opts.append(
            int(fix_digits(tok.upper() + "0")[0]) if fix_digits(tok.upper() + "0")[0].isdigit() else -1
        )
    return [o for o in dict.fromkeys(opts) if o >= 0]


def _valid_any(y_tok: str, m: int | str | None, d_tok: str) -> str | None:
    """The first valid date among the readings of the three tokens (a 5-digit year: its first four)."""
    years = [y if y < 10000 else y // 10 for y in _num_options(y_tok)]
    months = [m] if isinstance(m, int) else _num_options(m or "")
    for y in years:
        for mo in months:
            for d in _num_options(d_tok):
                iso = _valid(y, mo, d)
                if iso:
                    return iso
    return None


def _valid(y: int | None, m: int | None, d: int | None) -> str | None:
    if not (y and m and d) or not 1900 <= y <= 2100:
        return None
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


_PLACE_WORD = re.compile(r"^[A-ZĐÀ-Ỹ][\wÀ-ỹđĐ'.-]*$")


def _place_before(line: str, comma: int) -> tuple[str | None, int]:
    """The capitalised words just before `, ngày`: `Cầu Giấy`, `Hà Nội`, `TP. Hồ Chí Minh`."""
    head = line[:comma].rstrip()
    toks = tokens(head)
    words: list[re.Match[str]] = []
    for t in reversed(toks):
        w = t.group().strip(",;:")
        if _PLACE_WORD.match(w) and len(words) < 5 and not _looks_like_number(w):
            words.insert(0, t)
        else:
            break
    if not words:
        return None, comma
    return collapse_ws(head[words[0].start() :]).strip(" ,"), words[0].start()


def _looks_like_number(w: str) -> bool:
    return bool(re.search(r"\d+/", w))


def find_date(lines: list[str], limit: int = 40) -> DateHit | None:
    """The place and date line `Cầu Giấy, ngày 03 tháng 4 năm 2024` (or `Hanoi, October 17, 2023`)."""
    best: DateHit | None = None
    for n, line in enumerate(lines[:limit]):
        fl = fold(line)
        for m in _DATE_VI.finditer(fl):
            iso = _valid_any(m.group(3), m.group(2), m.group(1))
            comma = fl.rfind(",", 0, m.start() + 1)
            if comma < 0 or m.start() - comma > 3:
                comma = m.start()
                has_comma = False
            else:
                has_comma = True
            place, pstart = _place_before(line, comma)
            if iso is None:
                continue
            conf = 0.97 if has_comma and place else 0.75
            if not all(g.isdigit() for g in m.groups()):
                conf -= 0.25  # a digit was read as a letter: the repair may be wrong
            hit = DateHit(n, pstart if place else m.start(), place, iso, conf)
            if best is None or hit.conf > best.conf:
                best = hit
            break
        if best and best.conf >= 0.97:
            return best
        for rx, order in ((_DATE_EN, "mdy"), (_DATE_EN_DMY, "dmy")):
            for m in rx.finditer(fl):
                mon_word, day_tok = (m.group(1), m.group(2)) if order == "mdy" else (m.group(2), m.group(1))
                month = next((i + 1 for i, name in enumerate(_MONTHS) if tok_eq(mon_word, name)), None)
                iso = _valid_any(m.group(3), month, day_tok)
                if iso is None:
                    continue
                comma = fl.rfind(",", 0, m.start() + 1)
                if comma < 0 or m.start() - comma > 3:
                    continue  # an English date in the header is always `Place, Month D, YYYY`
                place, pstart = _place_before(line, comma)
                if place:
                    return DateHit(n, pstart, place, iso, 0.95)
    return best
