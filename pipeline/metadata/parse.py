"""The whole document: every field that the text shows, each with its confidence."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from pipeline.metadata.closing import parse_closing
from pipeline.metadata.cues import Found
from pipeline.metadata.doctypes import ANNEX, TYPE_BY_CODE, code_of_symbol, title_code
from pipeline.metadata.header import Header, parse_bodies, parse_header, restore_organ_word
from pipeline.metadata.number import DocNumber, find_bare_number, fix_symbol, parse_number
from pipeline.metadata.signer import parse_signer
from pipeline.metadata.stamps import take_stamps
from pipeline.metadata.subject import parse_addressees, parse_annex, parse_subject_after_title, parse_vv
from pipeline.textnorm import fold, levenshtein
from pipeline.units.names import canonical_place, restore_unit_names

VIETNAM = timezone(timedelta(hours=7))


@dataclass
class Parsed:
    """Field values with their confidences."""

    fields: dict[str, Any] = field(default_factory=dict)
    conf: dict[str, float] = field(default_factory=dict)

    def put(self, name: str, found: Found | None) -> None:
        if found is None:
            return
        value, conf = found
        if value in (None, "", [], {}):
            return
        self.fields[name] = value
        self.conf[name] = round(max(0.0, min(1.0, conf)), 3)


def _lines(page: str) -> list[str]:
    return [ln.strip() for ln in page.split("\n") if ln.strip()]


def parse_document(pages: list[str], signed_at: datetime | None = None) -> Parsed:
    """All fields that the text shows, from the pages' text in reading order. `signed_at`: when the
    document was signed (its PDF signature), an upper bound of its date."""
    out = Parsed()
    stamps = take_stamps([_lines(p) for p in pages])
    page_lines = stamps.pages
    p1 = next((pl for pl in page_lines if pl), [])
    if not p1:
        return out
    all_lines = [ln for pl in page_lines for ln in pl]
    signed = signed_at or stamps.signed_at
    header = parse_header(p1, _local_date(signed) if signed else None)
    out.put("received_number", (stamps.received_number, 0.7))
    out.put("received_date", (stamps.received_date, 0.7))
    out.put("signature_box", (stamps.signature_box, 0.8))

    parent, issuing, body_conf = parse_bodies(header)
    num = _put_number(out, header, p1, issuing)
    parent, issuing = restore_organ_word(parent, issuing, num.symbol if num else None)
    out.put("issuing_body", (issuing, body_conf) if issuing else None)
    out.put("parent_body", (parent, body_conf) if parent else None)

    if header.date:
        out.put("issue_date", (header.date.iso, header.date.conf) if header.date.iso else None)
        if header.date.place:
            place = canonical_place(header.date.place, "\n".join(p1[:40]))
            out.put("issue_place", (place, header.date.conf - 0.05))

    title_at, title = _find_title(p1, header.end)
    _put_type(out, header, p1, num, title_at, title)
    annex = parse_annex(p1) if "doc_type" not in out.fields and not parent and not issuing else None
    if annex:
        out.put("doc_type", (ANNEX, annex[1]))
        out.put("subject", (annex[0], annex[1]) if annex[0] else None)
    else:
        out.put("subject", _subject(header, p1, title_at))
    out.put("addressees", parse_addressees(p1, header.end, header.end + 14))

    recipients, signer_block = parse_closing(all_lines[-60:])
    out.put("recipients", recipients)
    for name, found in parse_signer(signer_block).items():
        out.put(name, found)
    return out


def _local_date(at: datetime) -> date:
    """The calendar date in Vietnam of a moment (a naive time is taken as local)."""
    return at.astimezone(VIETNAM).date() if at.tzinfo else at.date()


def _put_number(out: Parsed, header: Header, p1: list[str], issuing: str | None) -> DocNumber | None:
    """The number of the number line, else the first bare number near the top of the page."""
    num = None
    if header.number_line is not None and header.left:
        num = parse_number(header.left[-1], header.after_number[0] if header.after_number else None)
    num_conf = 0.95 if num and num.cue else 0.8
    if num is None:
        num = find_bare_number(p1[: max(header.end, 1)])
        num_conf = 0.6
    if num:
        if num.repaired:
            num_conf -= 0.15  # a letter read as a digit, or a speck dropped: the repair may be wrong
        num = num.with_symbol(fix_symbol(num.symbol, issuing))
        out.put("doc_number", (num.text, num_conf))
        out.put("doc_number_seq", (num.seq, num_conf))
        out.put("doc_symbol", (num.symbol, num_conf))
    return num


def _find_title(p1: list[str], start: int) -> tuple[int | None, tuple[str, str] | None]:
    """(line index, (code, language)) of the type title just below the header."""
    for n in range(max(0, start - 2), min(len(p1), start + 8)):
        t = title_code(p1[n])
        if t:
            return n, t
    return None, None


def _put_type(
    out: Parsed,
    header: Header,
    p1: list[str],
    num: DocNumber | None,
    title_at: int | None,
    title: tuple[str, str] | None,
) -> None:
    """Type from the title and the symbol's type code, agreeing or repairing one another."""
    sym_code = code_of_symbol(out.fields.get("doc_symbol"))
    code = lang = None
    type_conf = 0.0
    if title and num and sym_code is None and "-" in out.fields.get("doc_symbol", ""):
        # `TIR-UBND` under a `TỜ TRÌNH` title: the symbol's type code was misread by a letter
        head, rest = out.fields["doc_symbol"].split("-", 1)
        if levenshtein(fold(head), fold(title[0]), 1) <= 1 and len(head) >= 2:
            fixed = num.with_symbol(f"{title[0]}-{rest}")
            out.fields["doc_symbol"] = fixed.symbol
            out.fields["doc_number"] = fixed.text
            for k in ("doc_symbol", "doc_number"):
                out.conf[k] = round(out.conf[k] * 0.9, 3)
            sym_code = title[0]
    if title:
        code, lang = title
        type_conf = 0.97 if sym_code in (None, code) else 0.75
        if sym_code and sym_code != code and title_at is not None:
            # a damaged title that fuzzily matched the wrong type: the symbol wins
            code, type_conf = sym_code, 0.8
    elif sym_code:
        code, type_conf = sym_code, 0.8
    elif num or parse_vv(header.after_number):
        code, type_conf = "CV", 0.85 if parse_vv(header.after_number) else 0.6
    if code:
        c, vi, en = TYPE_BY_CODE[code]
        if lang is None and _mostly_english(p1):
            lang = "en"  # no title (a letter): the page's language decides the name
        out.put("doc_type_code", (c, type_conf))
        out.put("doc_type", (en if lang == "en" else vi, type_conf))


def _subject(header: Header, p1: list[str], title_at: int | None) -> Found | None:
    """The trích yếu under the title, else a công văn's V/v under the number."""
    subject: Found | None = None
    if title_at is not None:
        s = title_at + 1
        while s < len(p1) and title_code(p1[s]):
            s += 1  # bilingual titles: `THÔNG BÁO` / `NOTICE`
        subject = parse_subject_after_title(p1, s)
        if subject and re.match(r"^(pursuant|can cu)", fold(subject[0])):
            subject = None
    if subject is None:
        subject = parse_vv(header.after_number)
    if subject:
        subject = (restore_unit_names(subject[0]), subject[1])
    return subject


def _mostly_english(lines: list[str]) -> bool:
    """Cheap check without langdetect: English pages have almost no Vietnamese letters."""
    text = " ".join(lines[:40])
    letters = [c for c in text if c.isalpha()]
    return len(letters) > 200 and sum(not c.isascii() for c in letters) < 0.01 * len(letters)
