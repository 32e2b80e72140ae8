"""The left header column: parent and issuing body, the number line, and a công văn's V/v lines."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from pipeline.metadata.cues import ADDR_CUE, BODY_START, VV_CUE, bars, split_right_phrase
from pipeline.metadata.dates import DateHit, find_date
from pipeline.metadata.doctypes import title_code
from pipeline.metadata.number import NUM_BODY, NUM_CUE, body_initials
from pipeline.textnorm import collapse_ws, fold, is_upper_line, letters_share
from pipeline.units.mentions import find_mentions
from pipeline.units.names import restore_unit_names
from pipeline.vocab import correct_phrases

# How the name of a body begins (folded): a new body starts on a line that begins like this.
_BODY_HEADS = bars(
    "uy ban|ubnd|hdnd|hoi dong|so |phong |ban |bo |cuc |chi cuc|tong cuc|trung tam|van phong|cong an|"
    "truong |benh vien|vien |dang uy|thanh uy|quan uy|huyen uy|mat tran|doan |cong ty|chinh phu|thanh tra|"
    "kho bac|toa an|chi nhanh|doi |hanoi people|people's committee|peoples committee|department|division|"
    "office|board|ministry|hanoi department|"
    "tinh uy|thi uy|dang bo|chi bo|bch |thanh doan|quan doan|huyen doan|thu tuong|hoi |lien doan"
)
_GENERIC_HEADS = ("uy ban nhan dan", "hoi dong nhan dan", "people's committee", "peoples committee", "ubnd")
# Organ words a stamp or a fold can take off the front of a body's name, and the letters they give the
# body's code in the document's symbol (`SỞ TƯ PHÁP` -> `STP`, `CHI CỤC THUẾ` -> `CCT`). `BAN` and `BỘ`
# share a letter and are left out.
_ORGAN_CODES = {"SỞ": "S", "PHÒNG": "P", "CỤC": "C", "CHI CỤC": "CC", "TRUNG TÂM": "TT", "VĂN PHÒNG": "VP"}
_CONNECT_END = re.compile(r"(\bva|\band|\bof|-|,|&)\s*$", re.I)
_CONNECT_START = re.compile(r"^\s*(va\b|and\b|of\b|-|&)", re.I)


@dataclass
class Header:
    left: list[str]  # left column lines, top to bottom, until the number line (inclusive)
    after_number: list[str]  # left column lines after the number line (V/v of a công văn)
    number_line: int | None
    date: DateHit | None
    end: int  # index in `lines` of the first line after the header


def _is_body_head(fl: str) -> bool:
    return fl.startswith(_BODY_HEADS)


def split_bodies(left: list[str]) -> tuple[str | None, str | None, float]:
    """Parent body and issuing body from the left header lines above the number line."""
    units: list[list[str]] = []
    for line in left:
        fl = fold(line).strip()
        if not units:
            units.append([line])
            continue
        prev = fold(" ".join(units[-1])).strip()
        starts_new = _is_body_head(fl) and prev not in _GENERIC_HEADS and not _CONNECT_END.search(prev)
        if starts_new and not _CONNECT_START.match(fl):
            units.append([line])
        else:
            units[-1].append(line)
    if not units:
        return None, None, 0.0
    joined = [collapse_ws(" ".join(u)) for u in units]
    if len(joined) == 1:
        return None, joined[0], 0.9
    return joined[-2], joined[-1], 0.85 if len(joined) == 2 else 0.6


def _clean_body_line(line: str) -> str:
    # Rules under the body name come out as `——` or `___`, a column rule or a stamp's edge as `|` between
    # words (`UBND|TÏNH`); strip them and stray punctuation.
    line = collapse_ws(re.sub(r"[_—=~*•]{2,}|\||^[\W_]+|[\W_]+$", " ", line).strip())
    toks = line.split()
    if is_upper_line(line) or (len(toks) >= 3 and all(_caps_token(t) for t in toks[:2])):
        # specks read as letters at either end of an upper-case line (`... MÔI TRƯỜNG l`)
        while toks and not _caps_token(toks[-1]):
            toks.pop()
        while toks and not _caps_token(toks[0]):
            toks.pop(0)
    return " ".join(toks)


def _caps_token(tok: str) -> bool:
    letters = [c for c in tok if c.isalpha()]
    return (bool(letters) and all(c.isupper() for c in letters)) or tok in ("-", "&") or tok.isdigit()


def fix_body_line(line: str) -> str:
    """Unit names from the gazetteer, agency words from the vocabulary (`SƠ TÀI NGUYEN` -> `SỞ TÀI NGUYÊN`).
    The words of a place name are left to the gazetteer (`XUÂN PHƯƠNG` is not `XUÂN PHƯỜNG`)."""
    line = restore_unit_names(line)
    protected: set[int] = set()
    starts = [m.start() for m in re.finditer(r"\S+", line)]
    for m in find_mentions(line):
        protected |= {i for i, st in enumerate(starts) if m.span[0] <= st < m.span[1]}
    return correct_phrases(line, "agency", protected)[0]


def parse_header(lines: list[str], signed: date | None = None) -> Header:
    """Split the top of page 1 into the left column (bodies, number, V/v) and find the date line
    (not later than `signed`, the day the document was signed, when it is known)."""
    date_hit = find_date(lines, signed=signed)
    left: list[str] = []
    after: list[str] = []
    number_line: int | None = None
    end = 0
    limit = min(len(lines), (date_hit.line_no + 8) if date_hit else 25)
    for n in range(limit):
        line = lines[n]
        if date_hit and n == date_hit.line_no:
            line = line[: date_hit.start]
        lpart, _ = split_right_phrase(line)
        lpart = lpart.strip()
        end = n + 1
        fl = fold(lpart)
        if number_line is None:
            if NUM_CUE.search(fold(lpart)) or (NUM_BODY.search(lpart) and not title_code(lpart)):
                number_line = n
                left.append(lpart)
                continue
            if title_code(lpart) or BODY_START.match(fl):
                end = n
                break
            if lpart:
                left.append(lpart)
            elif date_hit and n >= date_hit.line_no:
                break
        else:
            if not lpart:
                if date_hit and n >= date_hit.line_no:
                    end = n + 1
                    continue
                continue
            if title_code(lpart) or BODY_START.match(fl) or ADDR_CUE.match(fl):
                end = n
                break
            after.append(lpart)
            # past the date, only a công văn's V/v continues in the left column
            if date_hit and n > date_hit.line_no and not VV_CUE.match(fold(after[0])):
                after.pop()
                end = n
                break
    return Header(left, after, number_line, date_hit, end)


def parse_bodies(header: Header) -> tuple[str | None, str | None, float]:
    """(parent body, issuing body, confidence) from the left header lines above the number line."""
    if header.number_line is not None:
        body_lines = header.left[:-1]  # the lines just above `Số:`
    else:
        # no number line: the upper-case run at the top of the page, if any
        body_lines = []
        for x in header.left[:6]:
            if not is_upper_line(x):
                break
            body_lines.append(x)
    body_lines = [
        fix_body_line(b) for b in (_clean_body_line(x) for x in body_lines) if b and not title_code(b)
    ]
    # Decree 30 prints body names in capitals: a prose line is not a body
    body_lines = [b for b in body_lines if b and letters_share(b) >= 0.6 and is_upper_line(b)]
    body_lines = [b for b in body_lines if not NUM_BODY.search(b)]
    parent, issuing, body_conf = split_bodies(body_lines[-4:])
    # again on the joined name: a phrase may run over two lines (`SƠ TÀI NGUYEN` / `VÀ MÔI TRƯỜNG`)
    parent = fix_body_line(parent) if parent else None
    issuing = fix_body_line(issuing) if issuing else None
    return parent, issuing, body_conf


def restore_organ_word(
    parent: str | None, issuing: str | None, symbol: str | None
) -> tuple[str | None, str | None]:
    """(parent, issuing) with the issuing body's organ word put back when it was not read (a received
    stamp printed over `SỞ`) and the symbol spells it: the symbol's body code is the organ word's letters
    and the initials of the name read (`TƯ PHÁP` under `Số: 788/STP-HCBT` -> `SỞ TƯ PHÁP`). A parent read
    into the same line (`UBND TỈNH BÌNH THUẬN TƯ PHÁP`) is split off."""
    if not issuing or not symbol:
        return parent, issuing
    codes = {fold(part).upper() for part in symbol.split("-")}
    words = issuing.split()
    for k in range(len(words)):
        head, tail = " ".join(words[:k]), " ".join(words[k:])
        if _is_body_head(fold(tail)) or (head and (parent or not _is_body_head(fold(head)))):
            continue  # the name has its organ word, or what is left before it is not a body
        initials = fold(body_initials(tail)).upper()
        for word, letters in _ORGAN_CODES.items():
            if letters + initials in codes:
                return parent or head or None, f"{word} {tail}"
    return parent, issuing
