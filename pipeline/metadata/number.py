"""The number line: `Số: 123/QĐ-UBND`, `Số: 45/2024/QĐ-UBND`, `No.: 153/TB-UBND`, and its symbol."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from pipeline.metadata.doctypes import CODE_FIX, TYPE_BY_CODE
from pipeline.textnorm import as_digits, fix_digits, fold

# `Số:`, `Sô :`, `S6:`, `No.:`; a separator must follow (`HÀ NỘI` folds to `ha noi`), then the number or,
# when the number was never filled in (or could not be read), the slash of the symbol.
NUM_CUE = re.compile(
    r"(?:^|(?<=\s))(s[o0ô6]|no|number)(?:\s*[.:;,]{1,2}\s*|\s+)(?=[0-9oil|/_]|\S{1,8}\s*[-/])", re.I
)
_SYMBOL = r"[A-Za-zĐđ][A-Za-zĐđ0-9&.]*(?:\s*-\s*[A-Za-zĐđ][A-Za-zĐđ0-9&.]*)*"
NUM_BODY = re.compile(
    r"([0-9OoIl|]{1,6})\s*/+\s*(?:([0-9OoIl|]{4})\s*/+\s*)?"  # `306//GM-UBND`: a slash read twice
    rf"({_SYMBOL})"
)
# Right after the cue: the running number, filled in by hand or stamped into a blank, may be followed by
# specks of the blank's rule (`329_ /BC-UBND`), be unreadable (`23§ÿ /C04-P6`) or missing
# (`Số:     /TTg-CĐS`): the symbol is still the document's.
_NUM_AFTER_CUE = re.compile(
    rf"\s*([^\s/]{{0,8}}?)([\s_.,'`~…]*)/+\s*(?:([0-9OoIl|]{{4}})\s*/+\s*)?({_SYMBOL})"
)
# Party and Youth Union documents: `Số 12-CV/BTGDVTU`, `Số: 45-KH/ĐTN` (number-type/issuer).
_NUM_PARTY = re.compile(r"\s*([^\s/-]{1,8})\s*-\s*([A-ZĐ][A-Za-zĐđ]{0,5})\s*/\s*([A-ZĐ][A-Za-zĐđ0-9&.-]*)")
# `Số: 465GM-UBND`, `Số: 429 BC-STNMT`: the slash lost (a thin stroke by a digit); only right after the cue,
# and only before a code with a dash, so `Số: 12A` stays unread rather than misread.
_NUM_NO_SLASH = re.compile(r"\s*([0-9]{1,6})\s?([A-ZĐ][A-Za-zĐđ]{0,5}(?:\s*-\s*[A-ZĐ][A-Za-zĐđ0-9&.]*)+)")
_NUM_BARE = re.compile(
    r"(?<![\w/])(\d{1,6})/(?:(\d{4})/)?([A-ZĐ][A-Za-zĐ]{0,5}(?:-[A-ZĐ][A-ZĐ&]{1,10})+|[A-ZĐ]{2,10})\b"
)
# A number cited in the text: `Công văn số 4625/BNV-CCHC ngày 02/7/2025`.
_CITED_BEFORE = re.compile(r"\bso\s*$")
_CITED_AFTER = re.compile(r"^\s*,?\s*ngay\b")
# Common unit codes with Đ that OCR reads as D, and the Prime Minister's `TTg` (mixed case as printed).
_BODY_CODES = ["UBND", "HĐND", "LĐTBXH", "QLĐT", "KHĐT", "GDĐT", "ĐTXD", "VHTTDL", "TNMT", "QHKT", "TCKH",
               "TTg"]  # fmt: skip


@dataclass(frozen=True)
class DocNumber:
    """A document's number: running number, year (decrees of a legal kind) and symbol (ký hiệu)."""

    seq: str | None  # None: the blank was not filled in, or what was written could not be read
    year: str | None
    symbol: str
    cue: bool  # read after its `Số:` cue
    repaired: bool = False  # letters read as digits, or a speck dropped
    sep: str = "/"  # `-` in Party and Youth Union numbers (`12-CV/TU`)

    @property
    def text(self) -> str:
        """The whole number as printed: `45/2024/QĐ-UBND`; empty without a running number."""
        if not self.seq:
            return ""
        if self.sep != "/":
            return f"{self.seq}{self.sep}{self.symbol}"
        return "/".join(x for x in (self.seq, self.year, self.symbol) if x)

    def with_symbol(self, symbol: str) -> DocNumber:
        return replace(self, symbol=symbol)


def _symbol(raw: str) -> str:
    return re.sub(r"\s*-\s*", "-", raw).strip(".-").replace("Ð", "Đ")


def _running_number(raw: str, gap: str) -> tuple[str | None, bool]:
    """(running number, repaired) of what stands between the cue and the slash."""
    if not raw or not re.fullmatch(r"[0-9OoIl|]+", raw):
        return None, False  # not filled in, or written so that it cannot be read
    if raw.isdigit():
        return raw, False
    if re.fullmatch(r"\d{2,}[Il|]", raw) and gap.strip(" ") == "" and gap:
        return raw[:-1], True  # `95I /`: the stroke that ends a number written by hand
    seq = fix_digits(raw).replace("|", "1")
    if not seq.isdigit():
        seq = as_digits(raw).replace("|", "1")  # `II /TB-UBND`: the whole token is the number
    return (seq, True) if seq.isdigit() else (None, False)


def parse_number(text_line: str, next_line: str | None = None) -> DocNumber | None:
    """`Số: 123/2024/QĐ-UBND` -> number, running number, year and symbol. `next_line`: the left column's
    next line, where the symbol goes when a number written by hand pushed it down (`Số: 507` /
    `/UBND-KGVX`)."""
    cue = NUM_CUE.search(fold(text_line))  # fold keeps indices: `Số`, `Sô`, `SỐ` all read `so`
    if cue:
        found = _after_cue(text_line, cue.end())
        if found is None and next_line and next_line.lstrip().startswith("/"):
            found = _after_cue(text_line + " " + next_line, cue.end())
        if found is not None:
            return found
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
    return DocNumber(seq, year if year and year.isdigit() else None, _symbol(raw_symbol), bool(cue))


def _after_cue(line: str, start: int) -> DocNumber | None:
    party = _NUM_PARTY.match(line, start)
    if party:
        seq, repaired = _running_number(party.group(1), "")
        return DocNumber(seq, None, f"{party.group(2)}/{party.group(3)}", True, repaired, sep="-")
    m = _NUM_AFTER_CUE.match(line, start)
    if m is None:
        return None
    seq, repaired = _running_number(m.group(1) or "", m.group(2))
    year = as_digits(m.group(3)).replace("|", "1") if m.group(3) else None
    year = year if year and year.isdigit() else None
    return DocNumber(seq, year, _symbol(m.group(4)), True, repaired)


def find_bare_number(lines: list[str]) -> DocNumber | None:
    """A number printed without its cue (`123/QĐ-UBND` alone on a line), the first one of the lines;
    never one the text cites (`Công văn số 4625/BNV-CCHC ngày ...`)."""
    for line in lines:
        for m in _NUM_BARE.finditer(line):
            folded = fold(line)
            if _CITED_BEFORE.search(folded[: m.start()]) or _CITED_AFTER.match(folded[m.end() :]):
                continue
            return DocNumber(m.group(1), m.group(2), m.group(3), cue=False)
    return None


def body_initials(body: str) -> str:
    """The letters a body's name gives its code in a symbol (`SỞ GIÁO DỤC VÀ ĐÀO TẠO` -> `SGDĐT`)."""
    words = [w for w in re.findall(r"[^\W\d_]+", body) if fold(w) not in ("va", "and", "of", "the")]
    # Codes keep Đ but drop the other diacritics (`ỦY BAN` -> `UB`).
    return "".join("Đ" if fold(w[0]) == "d" and w[0] in "Đđ" else fold(w[0]).upper() for w in words)


def fix_symbol(symbol: str, issuing_body: str | None) -> str:
    """Canonical type code (`QD` -> `QĐ`, `TTR` -> `TTr`) and body codes with their Đ back."""
    parts = symbol.split("-")
    out = []
    initials = body_initials(issuing_body or "")
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
