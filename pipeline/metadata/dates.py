"""The place-and-date line: `Cầu Giấy, ngày 03 tháng 4 năm 2024`, `Hanoi, October 17, 2023`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from pipeline.metadata.cues import tok_eq, tokens
from pipeline.textnorm import collapse_ws, fix_digits, fold

_D = r"[0-9oilzsbg|]"  # digits and the letters OCR puts in their place (folded text)
# `ngày 03 tháng 4 năm 2024`; the day may be glued to its words (`ngày24tháng 01`, a number written
# into the blank by hand); `ng[a-z]{1,3}?` is lazy so that `ngàyl6` keeps its `l` (16).
_DATE_VI = re.compile(
    rf"ng[a-z]{{1,3}}?\s*[:.]?\s*({_D}{{1,3}})\s*th[a-z]{{1,4}}\s*({_D}{{1,3}})\s+n[a-z]{{1,3}}\s*({_D}{{4,5}})"
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
    iso: str | None  # None: the line is the place-and-date line, but its date cannot be read
    conf: float


def _num_options(tok: str) -> list[tuple[int, bool]]:
    """Readings of an OCR'd number, most likely first, each with whether it was repaired: `O7` -> 7,
    `l6` -> 16, `Z` -> 2, `G6` -> 66 or 6; then a handwritten 1 read as 7 (`79` -> 19)."""
    opts: list[tuple[int, bool]] = []
    cands = (tok, fix_digits(tok), fix_digits(tok.upper()), "".join(c for c in tok if c.isdigit()))
    for cand in cands:
        cand = cand.replace("|", "1")
        if cand.isdigit():
            opts.append((int(cand), cand != tok))
    if len(tok) == 1 and not tok.isdigit():
        first = fix_digits(tok.upper() + "0")[0]
        if first.isdigit():
            opts.append((int(first), True))
    for value, _ in list(opts):
        digits = str(value)
        for i, c in enumerate(digits):
            if c == "7":  # the flag of a handwritten 1
                opts.append((int(digits[:i] + "1" + digits[i + 1 :]), True))
    seen: dict[int, bool] = {}
    for value, repaired in opts:
        seen.setdefault(value, repaired)
    return list(seen.items())


def _valid_any(
    y_tok: str, m: int | str | None, d_tok: str, latest: date | None = None
) -> tuple[str, bool] | None:
    """The first valid date among the readings of the three tokens (a 5-digit year: its first four),
    not after `latest`; with whether a token was repaired."""
    years = [(y if y < 10000 else y // 10, r) for y, r in _num_options(y_tok)]
    months = [(m, False)] if isinstance(m, int) else _num_options(m or "")
    for y, ry in years:
        for mo, rm in months:
            for d, rd in _num_options(d_tok):
                iso = _valid(y, mo, d)
                if iso and (latest is None or date.fromisoformat(iso) <= latest):
                    return iso, ry or rm or rd
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
    """The capitalised words just before `, ngày`: `Cầu Giấy`, `Hà Nội`, `TP. Hồ Chí Minh`, `Mỹ Đình 2`."""
    head = line[:comma].rstrip()
    toks = tokens(head)
    words: list[re.Match[str]] = []
    if len(toks) >= 2 and re.fullmatch(r"\d{1,2}", toks[-1].group()) and _PLACE_WORD.match(toks[-2].group()):
        words.append(toks.pop())  # a ward named with a number: `Mỹ Đình 2, ngày ...`
    for t in reversed(toks):
        w = t.group().strip(",;:")
        if _PLACE_WORD.match(w) and w[0].isupper() and len(words) < 5 and not _looks_like_number(w):
            words.insert(0, t)
        else:
            break
    if not words:
        return None, comma
    return collapse_ws(head[words[0].start() :]).strip(" ,"), words[0].start()


def _looks_like_number(w: str) -> bool:
    return bool(re.search(r"\d+/", w))


# The issue date may follow the signing by the registration of the number and date (Decree 30: the
# clerk numbers, dates and signs for the organisation after the signer), at most over a weekend.
SIGNING_LAG = timedelta(days=3)


_DAY_CUE_AT_END = re.compile(r",\s*ng[a-z]{1,3}\s*$")  # `Lâm Đồng, ngày` / `19 tháng 12 năm 2025`


def _is_date_line_end(rest: str) -> bool:
    """What follows the year on a date line: nothing, or punctuation and specks, never prose."""
    return sum(c.isalpha() for c in rest) <= 2


def find_date(lines: list[str], limit: int = 40, signed: date | None = None) -> DateHit | None:
    """The place and date line `Cầu Giấy, ngày 03 tháng 4 năm 2024` (or `Hanoi, October 17, 2023`).

    A date in the body (`... Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ`) is not
    one: without the comma after a place, the date must end its line. `signed` (when the document was
    signed) bounds the date: a reading later than that is a misreading."""
    latest = signed + SIGNING_LAG if signed else None
    best: DateHit | None = None
    best_rank = -1
    unread: DateHit | None = None  # `Quảng Ngãi, ngày ở tháng 01 năm 2025`: the day filled in by hand
    for n, line in enumerate(lines[:limit]):
        if _DAY_CUE_AT_END.search(fold(line)) and n + 1 < len(lines):
            line = f"{line} {lines[n + 1]}"  # the day written by hand, read as a line of its own
        fl = fold(line)
        for m in _DATE_VI.finditer(fl):
            found = _valid_any(m.group(3), m.group(2), m.group(1), latest)
            comma = fl.rfind(",", 0, m.start() + 1)
            if comma < 0 or m.start() - comma > 3:
                comma = m.start()
                has_comma = False
            else:
                has_comma = True
            place, pstart = _place_before(line, comma)
            if found is None:
                if has_comma and place and unread is None:
                    unread = DateHit(n, pstart, place, None, 0.5)
                continue
            if not (has_comma and place) and (
                not _is_date_line_end(fl[m.end() :]) or not (place or not fl[: m.start()].strip())
            ):
                continue  # a date cited in the body
            iso, repaired = found
            rank = 1 if has_comma and place else 0
            conf = 0.97 if rank else 0.75
            if repaired:
                conf -= 0.25  # a digit was read as a letter: the repair may be wrong
            hit = DateHit(n, pstart if place else m.start(), place, iso, conf)
            if best is None or (rank, hit.conf) > (best_rank, best.conf):
                best, best_rank = hit, rank
            break
        if best and best_rank == 1:
            return best  # the first place-and-date line is the document's
        for rx, order in ((_DATE_EN, "mdy"), (_DATE_EN_DMY, "dmy")):
            for m in rx.finditer(fl):
                mon_word, day_tok = (m.group(1), m.group(2)) if order == "mdy" else (m.group(2), m.group(1))
                month = next((i + 1 for i, name in enumerate(_MONTHS) if tok_eq(mon_word, name)), None)
                found = _valid_any(m.group(3), month, day_tok, latest)
                if found is None:
                    continue
                comma = fl.rfind(",", 0, m.start() + 1)
                if comma < 0 or m.start() - comma > 3:
                    continue  # an English date in the header is always `Place, Month D, YYYY`
                place, pstart = _place_before(line, comma)
                if place:
                    return DateHit(n, pstart, place, found[0], 0.95)
    # a date line whose date cannot be read still gives the place and where the header ends
    return best or unread
