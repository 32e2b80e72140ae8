"""What is printed or stamped on a page without being the document's own text: the box of a digital
signature (signing agency, e-mail, `24.01.2025 20:01:14 +07:00`) and the incoming-document stamp
(`ĐẾN Số: … Ngày: …`, Decree 30 appendix IV). Each is read into its own fields, and its lines are taken
out before the layout is parsed, so that neither becomes part of a body, the subject or the number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from pipeline.metadata.cues import is_right_phrase
from pipeline.textnorm import collapse_ws, fold, is_upper_line

# `09.01.2025 10:21:11`, `04.05.2026 09:44:21`, `24/01/2025 20:01` (a date, then a time)
_STAMP_TIME = re.compile(
    r"\b(\d{1,2})[./-](\d{1,2})[./-](\d{4})\D{0,3}?(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([+-])\s?(\d{2}):?(\d{2}))?"
)
_ZONE = re.compile(r"(?:^|\s)[+]\s?0\d:?00\b")  # `+07:00` on a line of its own
_EMAIL = re.compile(r"[\w.-]+@[\w-]+(?:\.[\w-]+)+|[\w-]+(?:\.[\w-]+)*\.(?:gov|edu|com|org|net)\.vn\b")
_LABELS = re.compile(r"\b(nguoi ky|ky boi|co quan|to chuc|thoi gian ky|email)\s*:", re.I)
_SIGN_LABELS = re.compile(r"\b(nguoi ky|ky boi|thoi gian ky)\s*:", re.I)  # only a signature box has these
_LABEL_VALUE = {
    "nguoi ky": "signer",
    "ky boi": "signer",
    "co quan": "organization",
    "to chuc": "organization",
}
# Lines above a box that begin like a unit's name belong to the header, not to the box.
_UNIT_START = re.compile(r"^(tinh|thanh pho|quan|huyen|thi xa|xa|phuong|thi tran|uy ban|ubnd|so:)\b")
_DATE_LINE = re.compile(r"ng[a-z]{1,3}\s*\d")

# The incoming stamp: `ĐẾN` first on its line, with its `Số:` and `Ngày:` on that line or the next two.
_INCOMING = re.compile(r"^\W{0,2}(den)\b(?!\s+nam\b)")
_IN_NUMBER = re.compile(r"\bs[o0ô6]\s*[:.]?\s*(\d{1,7})\b")
_IN_DATE = re.compile(r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4}|\d{2})\b")
_IN_CUE = re.compile(r"\b(s[o0ô6]|ngay|nga y)\b\s*[:.]?")
# A line of the stamp under `ĐẾN`: its `Số:` or `Ngày:` first, and no symbol (`Số: 788/STP-HCBT` is the
# document's own number line).
_IN_LINE = re.compile(r"^\W{0,2}(s[o0ô6]|ngay|nga y)\s*[:.\d](?!.*/\s*[a-z])")
_IN_LABELS = re.compile(r"^\W{0,2}(chuyen|so va ky hieu hs|luu ho so so|so ho so)\s*[:.]?\s*", re.I)
_STAMP_ZONE = 15  # the stamp is put in the top left corner, above or over the header


@dataclass
class Stamps:
    """What was read from the stamps of a document, and its pages without their lines."""

    pages: list[list[str]]
    signature_box: dict[str, Any] = field(default_factory=dict)
    received_number: str | None = None
    received_date: str | None = None

    @property
    def signed_at(self) -> datetime | None:
        time = self.signature_box.get("time")
        return datetime.fromisoformat(time) if time else None


def take_stamps(pages: list[list[str]]) -> Stamps:
    """Read and remove the signature boxes and the incoming stamp from the pages' lines."""
    out = Stamps([])
    for n, lines in enumerate(pages):
        lines, box = _take_signature_box(lines)
        if box and not out.signature_box:
            out.signature_box = box
        if n == 0:
            lines, number, received = _take_incoming(lines)
            out.received_number, out.received_date = number, received
        out.pages.append(lines)
    return out


def _anchor(line: str) -> bool:
    """A line only a signature box has: a time with seconds or a time zone, or the box's labels."""
    m = _STAMP_TIME.search(line)
    if m and (m.group(6) or m.group(7)):
        return True
    return bool(_ZONE.search(line) or _SIGN_LABELS.search(fold(line)))


def _take_signature_box(lines: list[str]) -> tuple[list[str], dict[str, Any]]:
    """The first box of the page read, every box's lines removed."""
    box: dict[str, Any] = {}
    while True:
        at = [i for i, line in enumerate(lines) if _anchor(line)]
        if not at:
            return lines, box
        first = last = at[0]
        # the time zone may be read on a line of its own, a short line apart
        while last + 1 < len(lines) and (last + 1 in at or (last + 2 in at and len(lines[last + 1]) < 40)):
            last += 1
        while (
            first > 0
            and first > at[0] - 2
            and (_EMAIL.search(lines[first - 1]) or _STAMP_TIME.search(lines[first - 1]))
        ):
            first -= 1  # the box's e-mail, or its time read without the seconds, just above
        agency: list[str] = []
        while first > 0 and len(agency) < 2 and _agency_line(lines[first - 1]):
            first -= 1  # the signing agency's name, on one or two lines
            agency.insert(0, lines[first])
        box = box or _read_box(lines[first : last + 1], agency)
        rest = [r for r in (_beside_the_box(x) for x in lines[first + len(agency) : last + 1]) if r]
        lines = lines[:first] + rest + lines[last + 1 :]


def _beside_the_box(line: str) -> str:
    """What a line of the box shares with the other column (a text layer's `-layout` line: the columns
    three spaces or more apart): `ỦY BAN NHÂN DÂN      09.01.2025 10:21:11 +07:00` keeps its body."""
    parts = re.split(r"\s{3,}", line.strip())
    if len(parts) < 2:
        return ""
    return "   ".join(p for p in parts if not (_anchor(p) or _EMAIL.search(p) or _STAMP_TIME.search(p)))


def _agency_line(line: str) -> bool:
    fl = fold(line).strip(" -_*.,'\"\\|")
    if not is_upper_line(line) or _UNIT_START.match(fl) or is_right_phrase(line) or _DATE_LINE.search(fl):
        return False
    return not re.search(r"\bso\s*[:.]", fl)


def _read_box(box_lines: list[str], agency: list[str]) -> dict[str, Any]:
    box: dict[str, Any] = {}
    if agency:
        # specks of the box's logo read before the name (`2-0 TRƯNG TÂM`): the upper-case words only
        words = [
            w for line in agency for w in line.split() if is_upper_line(w, 1) and sum(map(str.isalpha, w)) > 1
        ]
        if words:
            box["organization"] = " ".join(words)
    text = " ".join(box_lines)
    for m in _LABELS.finditer(fold(text)):
        key = _LABEL_VALUE.get(m.group(1))
        if key and key not in box:
            rest = text[m.end() :]
            stop = _LABELS.search(fold(rest))
            value = collapse_ws(rest[: stop.start()] if stop else rest).strip(" ,;")
            value = _STAMP_TIME.split(value)[0].strip(" ,;")
            if value:
                box[key] = value
    email = _EMAIL.search(text)
    if email:
        box["email"] = email.group()
    time = _STAMP_TIME.search(text)
    if time:
        at = _stamp_datetime(time)
        if at:
            box["time"] = at.isoformat()
    return box


def _stamp_datetime(m: re.Match[str]) -> datetime | None:
    d, mo, y, hh, mm, ss, sign, zh, zm = m.groups()
    zone = timezone(timedelta(hours=7))  # Vietnam; the boxes print it as +07:00
    if sign and zh:
        offset = timedelta(hours=int(zh), minutes=int(zm or 0))
        zone = timezone(offset if sign == "+" else -offset)
    try:
        return datetime(int(y), int(mo), int(d), int(hh), int(mm), int(ss or 0), tzinfo=zone)
    except ValueError:
        return None


def _take_incoming(lines: list[str]) -> tuple[list[str], str | None, str | None]:
    """The incoming stamp in the top of page 1: (lines without it, received number, received date)."""
    for i, line in enumerate(lines[:_STAMP_ZONE]):
        fl = fold(line)
        head = _INCOMING.match(fl)
        if not head or not line[head.start(1) : head.end(1)].isupper():
            continue  # `ĐẾN` in capitals, not the `Đến ngày ...` of a sentence
        zone = [i]
        while len(zone) < 3 and zone[-1] + 1 < len(lines):
            nxt = fold(lines[zone[-1] + 1])
            if not (_IN_LINE.match(nxt) or _IN_LABELS.match(nxt)):
                break
            zone.append(zone[-1] + 1)
        stamp_text = fold(" ".join(lines[j] for j in zone))
        if not (_IN_CUE.search(stamp_text) or any(c.isdigit() for c in fl)):
            continue
        number = received = None
        drop = {j for j in zone if not _IN_LABELS.match(fold(lines[j]))}
        m = _IN_NUMBER.search(stamp_text)
        if m:
            number = m.group(1)
        d = _IN_DATE.search(stamp_text)
        if d:
            received = _iso(d)
        # the office's name on the stamp, when it opens the page (with marks of the stamp's frame or
        # of the pen between: `^Z„„`)
        above = [j for j in range(i) if sum(c.isalpha() for c in lines[j]) >= 3]
        if above == [0] and is_upper_line(lines[0]):
            drop.update(range(i))
        kept = []
        for j, other in enumerate(lines):
            if j in drop:
                continue
            label = _IN_LABELS.match(fold(other)) if j <= i + 4 else None
            if label:
                rest = other[label.end() :].strip()  # the header read across the label's line
                if sum(c.isalpha() for c in rest) >= 3:
                    kept.append(rest)
                continue
            kept.append(other)
        return kept, number, received
    return lines, None, None


def _iso(m: re.Match[str]) -> str | None:
    d, mo, y = (int(g) for g in m.groups())
    if y < 100:
        y += 2000
    try:
        return datetime(y, mo, d).date().isoformat()
    except ValueError:
        return None
