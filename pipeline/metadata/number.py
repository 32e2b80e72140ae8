"""The number line: `Số: 123/QĐ-UBND`, `Số: 45/2024/QĐ-UBND`, `No.: 153/TB-UBND`, and its symbol."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from pipeline.metadata.doctypes import CODE_FIX, TYPE_BY_CODE
from pipeline.textnorm import fix_digits, fold

# `Số:`, `Sô :`, `S6:`, `No.:`; a separator must follow (`HÀ NỘI` folds to `ha noi`)
NUM_CUE = re.compile(r"(?:^|(?<=\s))(s[o0ô6]|no|number)(?:\s*[.:;,]{1,2}\s*|\s+)(?=[0-9oil|])", re.I)
NUM_BODY = re.compile(
    r"([0-9OoIl|]{1,6})\s*/+\s*(?:([0-9OoIl|]{4})\s*/+\s*)?"  # `306//GM-UBND`: a slash read twice
    r"([A-Za-zĐđ][A-Za-zĐđ0-9&.]*(?:\s*-\s*[A-Za-zĐđ][A-Za-zĐđ0-9&.]*)*)"
)
# `Số: 465GM-UBND`, `Số: 429 BC-STNMT`: the slash lost (a thin stroke by a digit); only right after the cue,
# and only before a code with a dash, so `Số: 12A` stays unread rather than misread.
_NUM_NO_SLASH = re.compile(r"\s*([0-9]{1,6})\s?([A-ZĐ][A-Za-zĐđ]{0,5}(?:\s*-\s*[A-ZĐ][A-Za-zĐđ0-9&.]*)+)")
_NUM_BARE = re.compile(
    r"(?<![\w/])(\d{1,6})/(?:(\d{4})/)?([A-ZĐ][A-Za-zĐ]{0,5}(?:-[A-ZĐ][A-ZĐ&]{1,10})+|[A-ZĐ]{2,10})\b"
)
# Common unit codes with Đ that OCR reads as D.
_BODY_CODES = ["UBND", "HĐND", "LĐTBXH", "QLĐT", "KHĐT", "GDĐT", "ĐTXD", "VHTTDL", "TNMT", "QHKT", "TCKH"]


@dataclass(frozen=True)
class DocNumber:
    """A document's number: running number, year (decrees of a legal kind) and symbol (ký hiệu)."""

    seq: str
    year: str | None
    symbol: str
    cue: bool  # read after its `Số:` cue

    @property
    def text(self) -> str:
        """The whole number as printed: `45/2024/QĐ-UBND`."""
        return "/".join(x for x in (self.seq, self.year, self.symbol) if x)

    def with_symbol(self, symbol: str) -> DocNumber:
        return replace(self, symbol=symbol)


def parse_number(text_line: str) -> DocNumber | None:
    """`Số: 123/2024/QĐ-UBND` -> number, running number, year and symbol."""
    cue = NUM_CUE.search(fold(text_line))  # fold keeps indices: `Số`, `Sô`, `SỐ` all read `so`
    start = cue.end() if cue else 0
    m = NUM_BODY.search(text_line, start)
    lost = _NUM_NO_SLASH.match(text_line, start) if cue and not m else None
    if lost:
        seq, year, raw_symbol = lost.group(1), None, lost.group(2)
    elif m:
        seq, year, raw_symbol = fix_digits(m.group(1)).replace("|", "1"), m.group(2), m.group(3)
        year = fix_digits(year).replace("|", "1") if year else None
    else:
        return None
    if not seq.isdigit():
        return None
    symbol = re.sub(r"\s*-\s*", "-", raw_symbol).strip(".-")
    symbol = symbol.replace("Ð", "Đ")
    return DocNumber(seq, year if year and year.isdigit() else None, symbol, bool(cue))


def find_bare_number(lines: list[str]) -> DocNumber | None:
    """A number printed without its cue (`123/QĐ-UBND` alone on a line), the first one of the lines."""
    for line in lines:
        m = _NUM_BARE.search(line)
        if m:
            return DocNumber(m.group(1), m.group(2), m.group(3), cue=False)
    return None


def _initials(body: str) -> str:
    words = [w for w in re.findall(r"[^\W\d_]+", body) if fold(w) not in ("va", "and", "of", "the")]
    # Codes keep Đ but drop the other diacritics (`ỦY BAN` -> `UB`).
    return "".join("Đ" if fold(w[0]) == "d" and w[0] in "Đđ" else fold(w[0]).upper() for w in words)


def fix_symbol(symbol: str, issuing_body: str | None) -> str:
    """Canonical type code (`QD` -> `QĐ`, `TTR` -> `TTr`) and body codes with their Đ back."""
    parts = symbol.split("-")
    out = []
    initials = _initials(issuing_body or "")
    for i, part in enumerate(parts):
        key = fold(part).upper()
        if i == 0 and len(parts) > 1:
            dedup = re.sub(r"(.)\1+", r"\1", key)  # `QĐĐ` -> `QĐ`: a letter read twice
            if key in CODE_FIX or dedup in CODE_FIX:
                out.append(CODE_FIX.get(key) or CODE_FIX[dedup])
                continue
        fixed = part.upper() if part.isalpha() and not (i == 0 and part in TYPE_BY_CODE) else part
        for code in _BODY_CODES:
            if fold(code).upper() == key:
                fixed = code
        if initials and "D" in key and key in fold(initials).upper():
            pos = fold(initials).upper().find(key)
            fixed = initials[pos : pos + len(key)]  # only to restore a Đ read as D
        out.append(fixed)
    return "-".join(out)
