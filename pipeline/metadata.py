"""Field parsers for the Decree 30/2020/NĐ-CP layout: number, type, place and date, bodies, subject,
signer, recipients. Input is text lines in reading order.

Each parser returns `(value, confidence)` or None; nothing is guessed when the cue is not there.
OCR often reads the two header columns (and the two closing columns) across, line by line, so the
parsers first split such lines at the start of the other column's known phrases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pipeline.admin_units import canonical_place, find_mentions, restore_unit_names
from pipeline.textnorm import collapse_ws, fix_digits, fold, is_upper_line, letters_share, levenshtein
from pipeline.vocab import SURNAMES, canonical_position, correct_phrases, segment_positions

Found = tuple[Any, float]


def _bars(text: str) -> tuple[str, ...]:
    return tuple(text.split("|"))


# --- document types: Decree 30/2020/NĐ-CP, appendix III (plus GCN/GXN, common in communes) ---------
DOC_TYPES: list[tuple[str, str, str]] = [
    # (code, Vietnamese name, English name)
    ("NQ", "Nghị quyết", "Resolution"),
    ("QĐ", "Quyết định", "Decision"),
    ("CT", "Chỉ thị", "Directive"),
    ("QC", "Quy chế", "Regulation"),
    ("QyĐ", "Quy định", "Regulations"),
    ("TC", "Thông cáo", "Communiqué"),
    ("TB", "Thông báo", "Notice"),
    ("HD", "Hướng dẫn", "Guidance"),
    ("CTr", "Chương trình", "Programme"),
    ("KH", "Kế hoạch", "Plan"),
    ("PA", "Phương án", "Scheme"),
    ("ĐA", "Đề án", "Project proposal"),
    ("DA", "Dự án", "Project"),
    ("BC", "Báo cáo", "Report"),
    ("BB", "Biên bản", "Minutes"),
    ("TTr", "Tờ trình", "Submission"),
    ("HĐ", "Hợp đồng", "Contract"),
    ("CĐ", "Công điện", "Official telegram"),
    ("GN", "Bản ghi nhớ", "Memorandum"),
    ("TTh", "Bản thỏa thuận", "Agreement"),
    ("GUQ", "Giấy ủy quyền", "Power of attorney"),
    ("GM", "Giấy mời", "Invitation"),
    ("GGT", "Giấy giới thiệu", "Letter of introduction"),
    ("GNP", "Giấy nghỉ phép", "Leave permit"),
    ("PG", "Phiếu gửi", "Dispatch note"),
    ("PC", "Phiếu chuyển", "Transfer note"),
    ("PB", "Phiếu báo", "Notification slip"),
    ("GCN", "Giấy chứng nhận", "Certificate"),
    ("GXN", "Giấy xác nhận", "Confirmation"),
]
CV = ("CV", "Công văn", "Official letter")  # no abbreviation of its own: our internal label only
_EN_ALIASES = {
    "proposal": "TTr",
    "certification": "GCN",
    "official letter": "CV",
    "official dispatch": "CV",
    "letter of invitation": "GM",
    "announcement": "TB",
    "certificate of confirmation": "GXN",
}
TYPE_BY_CODE = {c: (c, vi, en) for c, vi, en in [*DOC_TYPES, CV]}
# Folded upper code -> canonical code, for codes whose folded form is unambiguous (QD -> QĐ).
_CODE_FIX: dict[str, str] = {}
for _c, _vi, _en in DOC_TYPES:
    _CODE_FIX.setdefault(fold(_c).upper(), _c)
_CODE_FIX.pop("DA", None)  # Đề án (ĐA) and Dự án (DA) fold the same: keep what was read
_CODE_FIX.pop("HD", None)  # Hướng dẫn (HD) and Hợp đồng (HĐ) likewise
_TITLES = [(fold(vi).upper(), code, "vi") for code, vi, _ in DOC_TYPES] + [
    (en.upper(), code, "en") for code, _, en in DOC_TYPES
]
_TITLES += [(k.upper(), v, "en") for k, v in _EN_ALIASES.items()]
# Common unit codes with Đ that OCR reads as D.
_BODY_CODES = ["UBND", "HĐND", "LĐTBXH", "QLĐT", "KHĐT", "GDĐT", "ĐTXD", "VHTTDL", "TNMT", "QHKT", "TCKH"]

_AUTH_MARK = re.compile(r"^(tm|kt|tl|tuq|q|pp|p\.p)\s*[.,:]\s*|^(for the|on behalf of|by order of)\b", re.I)
_SIGNER_WORDS = _bars(
    "chu tich|giam doc|truong|pho |chanh|bi thu|thu truong|cuc truong|chairman|director|head|chief|"
    "committee|uy ban|hoi dong|tong"
)
# How the name of a body begins (folded): a new body starts on a line that begins like this.
_BODY_HEADS = _bars(
    "uy ban|ubnd|hdnd|hoi dong|so |phong |ban |bo |cuc |chi cuc|tong cuc|trung tam|van phong|cong an|"
    "truong |benh vien|vien |dang uy|thanh uy|quan uy|huyen uy|mat tran|doan |cong ty|chinh phu|thanh tra|"
    "kho bac|toa an|chi nhanh|doi |hanoi people|people's committee|peoples committee|department|division|"
    "office|board|ministry|hanoi department"
)
_GENERIC_HEADS = ("uy ban nhan dan", "hoi dong nhan dan", "people's committee", "peoples committee", "ubnd")
_CONNECT_END = re.compile(r"(\bva|\band|\bof|-|,|&)\s*$", re.I)
_CONNECT_START = re.compile(r"^\s*(va\b|and\b|of\b|-|&)", re.I)

# Right-column phrases (quốc hiệu, tiêu ngữ): tokens to align against.
_RIGHT_PHRASES = [
    ["cong", "hoa", "xa", "hoi", "chu", "nghia", "viet", "nam"],
    ["doc", "lap", "tu", "do", "hanh", "phuc"],
    ["socialist", "republic", "of", "vietnam"],
    ["independence", "freedom", "happiness"],
]
_WORD = re.compile(r"\S+")

_D = r"[0-9oilzsbg|]"  # digits and the letters OCR puts in their place (folded text)
_DATE_VI = re.compile(
    rf"ng[a-z]{{1,3}}\s*[:.]?\s*({_D}{{1,3}})\s+th[a-z]{{1,4}}\s*({_D}{{1,3}})\s+n[a-z]{{1,3}}\s*({_D}{{4,5}})"
)
_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december"]  # fmt: skip
_DATE_EN = re.compile(rf"\b([a-z]{{3,9}})\.?\s+({_D}{{1,2}})(?:st|nd|rd|th)?\s*,?\s*({_D}{{4,5}})\b")
_DATE_EN_DMY = re.compile(rf"\b({_D}{{1,2}})(?:st|nd|rd|th)?\s+([a-z]{{3,9}})\.?\s*,?\s*({_D}{{4,5}})\b")

# `Số:`, `Sô :`, `S6:`, `No.:`; a separator must follow (`HÀ NỘI` folds to `ha noi`)
_NUM_CUE = re.compile(r"(?:^|(?<=\s))(s[o0ô6]|no|number)(?:\s*[.:;,]{1,2}\s*|\s+)(?=[0-9oil|])", re.I)
_NUM_BODY = re.compile(
    r"([0-9OoIl|]{1,6})\s*/+\s*(?:([0-9OoIl|]{4})\s*/+\s*)?"  # `306//GM-UBND`: a slash read twice
    r"([A-Za-zĐđ][A-Za-zĐđ0-9&.]*(?:\s*-\s*[A-Za-zĐđ][A-Za-zĐđ0-9&.]*)*)"
)
# `Số: 465GM-UBND`, `Số: 429 BC-STNMT`: the slash lost (a thin stroke by a digit); only right after the cue,
# and only before a code with a dash, so `Số: 12A` stays unread rather than misread.
_NUM_NO_SLASH = re.compile(r"\s*([0-9]{1,6})\s?([A-ZĐ][A-Za-zĐđ]{0,5}(?:\s*-\s*[A-ZĐ][A-Za-zĐđ0-9&.]*)+)")
_NUM_BARE = re.compile(
    r"(?<![\w/])(\d{1,6})/(?:(\d{4})/)?([A-ZĐ][A-Za-zĐ]{0,5}(?:-[A-ZĐ][A-ZĐ&]{1,10})+|[A-ZĐ]{2,10})\b"
)
_VV_CUE = re.compile(r"^\s*(v\s*[/|l1\\]\s*[vy]|vv|v/(?=\s)|re|subject)\s*[:.]?\s+", re.I)
_ADDR_CUE = re.compile(r"^\s*(k[a-z]{2,3}\s*g[a-z]{1,3}|to)\s*[:;.]\s*", re.I)
_RECIP_CUE = re.compile(
    r"^\s*(n[o0][a-z]?\s*nh[a-z]{1,3}|recipients?)\b\s*(/\s*recipients?)?\s*[:;.]?\s*", re.I
)
_BODY_START = re.compile(
    r"^(can cu|theo de nghi|kinh gui|dieu \d|i\.|1\.|ho va ten|thoi gian|dia diem|noi dung|pursuant|to:)",
    re.I,
)
_NAME = re.compile(r"^[A-ZĐÀ-Ỹ][a-zđà-ỹ]+(?:\s+[A-ZĐÀ-Ỹ][a-zđà-ỹ]+){1,5}$")


@dataclass
class Parsed:
    """Field values with their confidences; plus what later parsers need (positions of cues)."""

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


# --- line helpers -------------------------------------------------------------------------------------


def _tokens(line: str) -> list[re.Match[str]]:
    return list(_WORD.finditer(line))


def _tok_eq(a: str, b: str) -> bool:
    a = "".join(c for c in fold(a) if c.isalnum() or c == "'")
    if not a:
        return False
    return a == b or (len(b) >= 4 and levenshtein(a, b, 1) <= 1)


def split_right_phrase(line: str) -> tuple[str, str]:
    """`ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI ...` -> (`ỦY BAN NHÂN DÂN`, `CỘNG HÒA XÃ HỘI ...`)."""
    toks = [t for t in _tokens(line) if any(c.isalnum() for c in t.group())]  # `-` is not a word
    for phrase in _RIGHT_PHRASES:
        for i in range(len(toks)):
            # two consecutive phrase tokens anywhere in the phrase, backed off to the phrase start
            for j in range(len(phrase) - 1):
                # two tokens at the phrase start, or three anywhere in it (`XÃ HỘI` alone is a body name)
                need = 2 if j == 0 else 3
                if (
                    i + need - 1 < len(toks)
                    and j + need - 1 < len(phrase)
                    and all(_tok_eq(toks[i + k].group(), phrase[j + k]) for k in range(need))
                ):
                    start_tok = max(0, i - j)
                    start = toks[start_tok].start()
                    return line[:start].strip(), line[start:].strip()
    return line, ""


def is_right_phrase(line: str) -> bool:
    left, right = split_right_phrase(line)
    return bool(right) and not left


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
    toks = _tokens(head)
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
                month = next((i + 1 for i, name in enumerate(_MONTHS) if _tok_eq(mon_word, name)), None)
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


# --- the header: bodies, number, subject of a công văn ----------------------------------------------


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
    # Rules under the body name come out as `——` or `___`; strip them and stray punctuation.
    line = collapse_ws(re.sub(r"[_—=~*•|]{2,}|^[\W_]+|[\W_]+$", " ", line).strip())
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


def parse_header(lines: list[str]) -> Header:
    """Split the top of page 1 into the left column (bodies, number, V/v) and find the date line."""
    date_hit = find_date(lines)
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
            if _NUM_CUE.search(fold(lpart)) or (_NUM_BODY.search(lpart) and not _title_code(lpart)):
                number_line = n
                left.append(lpart)
                continue
            if _title_code(lpart) or _BODY_START.match(fl):
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
            if _title_code(lpart) or _BODY_START.match(fl) or _ADDR_CUE.match(fl):
                end = n
                break
            after.append(lpart)
            # past the date, only a công văn's V/v continues in the left column
            if date_hit and n > date_hit.line_no and not _VV_CUE.match(fold(after[0])):
                after.pop()
                end = n
                break
    return Header(left, after, number_line, date_hit, end)


def parse_number(text_line: str) -> dict[str, Any] | None:
    """`Số: 123/2024/QĐ-UBND` -> number, running number, year and symbol."""
    cue = _NUM_CUE.search(fold(text_line))  # fold keeps indices: `Số`, `Sô`, `SỐ` all read `so`
    start = cue.end() if cue else 0
    m = _NUM_BODY.search(text_line, start)
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
    return {"seq": seq, "year": year if year and year.isdigit() else None, "symbol": symbol, "cue": bool(cue)}


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
            if key in _CODE_FIX or dedup in _CODE_FIX:
                out.append(_CODE_FIX.get(key) or _CODE_FIX[dedup])
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


def _title_code(line: str) -> tuple[str, str] | None:
    """(code, 'vi'|'en') when the line is a document type title (`QUYẾT ĐỊNH`, `NOTICE`)."""
    letters = re.sub(r"[^\w' ]|_", " ", line)  # `_— GIẤY MỜI`: a rule read before the title
    if not is_upper_line(letters):
        return None
    key = collapse_ws(fold(letters).upper())
    if not key or len(key) > 30:
        return None
    best: tuple[int, str, str] | None = None
    for title, code, lang in _TITLES:
        limit = 0 if len(title) <= 5 else 1 if len(title) <= 9 else 2
        d = levenshtein(key, title, limit)
        if d <= limit and (best is None or d < best[0]):
            best = (d, code, lang)  # the closest title: `THÔNG BÁO` is one letter from `THÔNG CÁO`
    return (best[1], best[2]) if best else None


# --- subject --------------------------------------------------------------------------------------------


def _ends_sentence(line: str) -> bool:
    return line.rstrip().endswith((".", ":", ";", "!", "?"))


def _continues_subject(prev: str, line: str, first_len: int) -> bool:
    fl = fold(line).strip()
    if not line.strip() or _BODY_START.match(fl) or _ADDR_CUE.match(fl) or _RECIP_CUE.match(fl):
        return False
    if is_upper_line(line) or _title_code(line) or re.match(r"^(dieu|article)\s+\d", fl):
        return False
    if line.rstrip().endswith(":") or re.match(r"^[\w ()]{2,40}:\s", line):
        return False  # `... kính mời:`, `Họ và tên: ...`: the body has begun
    if _ends_sentence(prev):
        return False
    if re.match(r"^(\d{1,2}|[IVX]{1,4}|[a-zđ])[.)]\s", line.strip()):
        return False  # a numbered heading or list item of the body
    first = line.lstrip()[:1]
    if first.islower() or first.isdigit():
        return True
    # A wrapped subject line carries the remainder of a centred line, so it is shorter than the
    # first; the body's first line runs the full width.
    return len(line.strip()) <= max(30, 0.85 * first_len) and not line.rstrip().endswith(".")


def parse_subject_after_title(lines: list[str], start: int) -> Found | None:
    if start >= len(lines):
        return None
    while start < len(lines) - 1 and sum(c.isalpha() for c in lines[start]) < 3:
        start += 1  # a rule under the title read as `_` or `—`
    first = lines[start].strip()
    fl = fold(first)
    if not first or is_upper_line(first) or _BODY_START.match(fl) or _ADDR_CUE.match(fl):
        return None
    parts = [first]
    for line in lines[start + 1 : start + 4]:
        if not _continues_subject(parts[-1], line, len(first)):
            break
        parts.append(line.strip())
    value = collapse_ws(" ".join(parts)).rstrip(" .;")
    conf = 0.95 if re.match(r"^(ve viec|v/v|on |re:)", fold(value)) else 0.85
    return value, conf


def parse_vv(after_number: list[str]) -> Found | None:
    """The trích yếu of a công văn, under the number: `V/v ...` on one to three lines."""
    for i, line in enumerate(after_number):
        m = _VV_CUE.match(fold(line))
        if not m:
            continue
        cue = line[: m.end()].strip()
        norm_cue = "V/v" if fold(cue).startswith(("v", "vv")) else cue.rstrip(":")
        parts = [norm_cue + " " + line[m.end() :].strip()]
        for nxt in after_number[i + 1 : i + 4]:
            if (
                not nxt.strip()
                or is_right_phrase(nxt)
                or _ADDR_CUE.match(fold(nxt))
                or _ends_sentence(parts[-1])
            ):
                break
            parts.append(nxt.strip())
        return collapse_ws(" ".join(parts)).rstrip(" .;"), 0.95 if fold(cue).startswith("v") else 0.8
    return None


# --- closing: recipients and signer --------------------------------------------------------------------


def _signer_like(caps: str) -> bool:
    f = fold(caps) + " "
    return bool(_AUTH_MARK.match(f)) or any(w in f for w in _SIGNER_WORDS)


def split_closing_line(line: str) -> tuple[str, str]:
    """Recipient part and signer part of a closing line that OCR read across both columns."""
    s = line.strip()
    toks = list(re.finditer(r"\S+", s))
    # the upper-case run at the end of the line (`... Hà Nội; PHÓ CHỦ TỊCH`)
    k = len(toks)
    while k > 0 and _caps_word(toks[k - 1].group()):
        k -= 1
    if 0 < k < len(toks):
        tail_toks = toks[k:]
        # an item's own end (`Lưu: VT. PHÓ CHỦ TỊCH`) is a better cut than the first capital
        for i, t in enumerate(tail_toks[:-1]):
            if t.group().endswith((";", ".")) and not _AUTH_MARK.match(fold(t.group()) + " "):
                tail_toks = tail_toks[i + 1 :]
                break
        tail = s[tail_toks[0].start() :]
        if _signer_like(tail):
            return s[: tail_toks[0].start()].strip(), tail.strip()
    # `- Lưu: VT, TNMT. Trần Minh Hằng`: a name after the item's final punctuation
    m2 = re.search(r"[;.]\s+([A-ZĐÀ-Ỹ][a-zđà-ỹ]+(?:\s+[A-ZĐÀ-Ỹ][a-zđà-ỹ]+){1,5})\s*$", s)
    if m2 and s.startswith(("-", "–", "+", "•")):
        return s[: m2.start() + 1].strip(), m2.group(1)
    return s, ""


def _caps_word(tok: str) -> bool:
    letters = [c for c in tok if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


_ITEM = re.compile(r"^\s*[-–—+•*~=»«“”\"_]+\s*")


def _is_recip_cue(line: str) -> bool:
    """`Nơi nhận:`, `Noi nhan`, `Nơi nhặn :`, `Recipients:`, `Recipienis:` (a letter or two off)."""
    toks = re.findall(r"[a-z]+", fold(line)[:40])
    if not toks:
        return False
    if len(toks) >= 2 and levenshtein(toks[0] + toks[1], "noinhan", 2) <= 2 and toks[0].startswith("n"):
        return ":" in line[:25] or len(toks) <= 3
    return levenshtein(toks[0], "recipients", 2) <= 2 and toks[0].startswith("rec")


def _is_luu(item: str) -> bool:
    """`Lưu: VT, ...` (or `Archived: VT`), also as OCR reads it (`Luu:`, `Lưu VT`)."""
    head = fold(item).lstrip(" -~=")[:9]
    return bool(re.match(r"^(l[uư]u|archived)\s*:?\s*v", head)) or bool(
        re.match(r"^\S{1,3}\s*:\s*vt\b", head)
    )


def _code_token(tok: str) -> bool:
    letters = [c for c in tok.rstrip(",.;") if c.isalpha()]
    return 2 <= len(tok.rstrip(",.;")) <= 10 and bool(letters) and all(c.isupper() for c in letters)


def clean_item(item: str) -> str:
    """One `Nơi nhận` item: punctuation, OCR specks and the `Lưu: VT, ...` line made regular."""
    item = collapse_ws(item).strip().strip(" ;.,:_-~`'\"^").strip()
    item = re.sub(r"[;,]?\s+[^\W\d]$", "", item)  # a speck read as a last letter (`...; l`)
    m = re.match(r"^(\S{1,9})\s*:\s*(.*)$", item)
    if m and (levenshtein(fold(m.group(1)), "luu", 2) <= 2 or fold(m.group(1)).startswith("archiv")):
        head = "Lưu" if not fold(m.group(1)).startswith("archiv") else "Archived"
        codes = []
        for tok in re.split(r"[,.;:\s]+", m.group(2)):
            if not tok:
                continue
            if not _code_token(tok):
                break
            code = tok.rstrip(",.;")
            if not codes and len(code) >= 5 and code.startswith("V") and _code_token(code[2:]):
                codes.append("VT")  # `VELĐTBXH`: `VT, LĐTBXH` run together
                code = code[2:]
            if (
                not codes
                and code != "VT"
                and (levenshtein(fold(code), "vt", 1) <= 1 or re.fullmatch(r"V\w{1,2}", code))
            ):
                code = "VT"  # Decree 30: the first copy is always the clerical office's (VT)
            codes.append(code)
        if codes:
            return f"{head}: {', '.join(codes)}"
    if "archived" in fold(item):
        return item
    return restore_unit_names(correct_phrases(item, "recipients")[0])


def _bulletless_item(line: str, first_item: bool, open_item: bool) -> bool:
    """A recipient whose `-` OCR lost: mixed case, not a name, first in the list or ending like an item."""
    if open_item or is_upper_line(line) or _NAME.match(line.strip()):
        return False
    if not _text_like(line):
        return False  # specks from the signature or the seal
    return first_item or line.rstrip().endswith((";", "."))


def _text_like(line: str) -> bool:
    return sum(c.isalpha() for c in line) >= 4 and letters_share(line) >= 0.7 and len(line.split()) >= 2


def parse_closing(lines: list[str]) -> tuple[Found | None, list[str]]:
    """Recipients after `Nơi nhận:`, and the lines left for the signer block (in order)."""
    cue_at = None
    for n in range(len(lines) - 1, -1, -1):
        if _is_recip_cue(lines[n]):
            cue_at = n
            break
    if cue_at is None:
        return None, lines[-12:]
    items: list[str] = []
    signer: list[str] = []
    first = lines[cue_at]
    m = _RECIP_CUE.match(fold(first))
    rest = first[m.end() :].strip() if m else first.split(":", 1)[1].strip() if ":" in first else ""
    if re.match(r"^/\s*\w+\s*:?$", rest) and levenshtein(fold(rest.strip("/: ")), "recipients", 2) <= 2:
        rest = ""  # the English half of `Nơi nhận / Recipients:`
    if rest:
        if _signer_like(rest) or is_upper_line(rest):
            signer.append(rest)
        else:
            items.append(rest)
    open_item = False
    closed = False
    expanded: list[str] = []
    for line in lines[cue_at + 1 :]:
        # two items read as one line: `- Công an phường X; - Lưu: VT.`
        expanded.extend(p for p in re.split(r"(?<=[;.:])\s+(?=[-–+•]\s)", line) if p.strip())
    for line in expanded:
        left, right = split_closing_line(line)
        if right:
            signer.append(right)
        if not left or (not items and fold(left).strip(" :;.") in ("nhan", "noi nhan")):
            continue  # a second reading of the cue (`nhận:`)
        codes = left.replace(",", " ").split()
        if (
            items
            and _is_luu(items[-1])
            and not items[-1].rstrip().endswith(".")
            and len(codes) <= 3
            and all(_code_token(t) for t in codes)
            and not _signer_like(left)
        ):
            items[-1] = items[-1].rstrip(" ,;") + ", " + left  # the codes of `Lưu:` wrapped
            closed = True
            continue
        if closed:
            signer.append(left)
            continue
        if _ITEM.match(left) and (left.lstrip()[0] in "-–" or _text_like(_ITEM.sub("", left))):
            items.append(_ITEM.sub("", left))
            open_item = not _ends_sentence(left)
        elif _bulletless_item(left, first_item=not items, open_item=open_item):
            items.append(left)  # the bullet was lost
            open_item = not _ends_sentence(left)
        elif open_item and not is_upper_line(left) and not _NAME.match(left.strip()):
            items[-1] = items[-1] + " " + left
            open_item = not _ends_sentence(left)
        else:
            signer.append(left)
            continue
        if (left.rstrip().endswith(".") and not re.search(r"\b[A-Z][a-z]?\.$", left.rstrip())) or _is_luu(
            items[-1]
        ):
            closed = True  # the last item ends with a full stop; `Lưu: VT` is always the last
    # `A; B` on one line is two items when B starts a new name (`; các PCT` is OCR for `, các PCT`)
    items = [part for i in items for part in ([i] if _is_luu(i) else re.split(r";\s+(?=[A-ZĐÀ-Ỹ])", i))]
    clean = [clean_item(i) for i in items]
    clean = [i for i in clean if sum(c.isalpha() for c in i) >= 2 and len(i) < 200]
    conf = 0.9 if clean and closed else 0.7
    return ((clean, conf) if clean else None), signer


def fix_surname(name: str) -> str:
    """`Đỉnh Công Thế Đạt` -> `Đinh Công Thế Đạt`: the first word of a Vietnamese name is a surname,
    from a short closed list. Names written without diacritics (English pages) are left alone."""
    first, _, rest = name.partition(" ")
    if not rest or fold(name) == name.lower():
        return name
    hits = SURNAMES.get(fold(first))
    return f"{hits} {rest}" if hits and hits != first else name


def parse_signer(block: list[str]) -> dict[str, Found]:
    """Authority lines (TM., KT., ...), the last position line, and the name under the signature."""
    out: dict[str, Found] = {}
    lines = [collapse_ws(x) for x in block if collapse_ws(x)]
    name_at = None
    for n in range(len(lines) - 1, -1, -1):
        cand = re.sub(r"^[^\wĐđÀ-ỹ]+|[^\wĐđÀ-ỹ]+$", "", lines[n])
        if _NAME.match(cand) and not _signer_like(cand.upper()) and len(cand) <= 40:
            name_at = n
            out["signer_name"] = (fix_surname(cand), 0.9)
            break
    caps_end = name_at if name_at is not None else len(lines)
    caps = [x for x in lines[:caps_end] if is_upper_line(x, 2) and len(x) < 70]
    # `PHÓ CHỦ TỊCH KT. CHỦ TỊCH`: OCR put an authority line beside the title; authority goes first
    split_caps: list[str] = []
    for x in caps:
        parts = segment_positions(x) or [
            p.strip() for p in re.split(r"\s+(?=(?:TM|KT|TL|TUQ)\s*\.\s)", x) if p.strip()
        ]
        marked = [p for p in parts if _AUTH_MARK.match(fold(p))]
        split_caps.extend(marked + [p for p in parts if p not in marked])
    caps = split_caps
    # the signature scribble reads as short upper-case garbage (`VẤ Z¬`): keep position-like lines
    kept: list[str] = []
    for x in caps:
        x = correct_phrases(x, "positions")[0]
        pos = canonical_position(x)
        if pos:
            kept.append(pos[0])
        elif (
            letters_share(x) >= 0.8
            and sum(c.isalpha() for c in x) >= 6
            and (kept or _AUTH_MARK.match(fold(x)))
        ):
            kept.append(x)
    caps = kept
    if not caps:
        return out
    title_at = max((i for i, x in enumerate(caps) if canonical_position(x) and not _AUTH_MARK.match(fold(x))),
                   default=len(caps) - 1)  # fmt: skip
    title = caps[title_at].rstrip(" .,:;")
    auth: list[str] = []
    for x in caps[:title_at]:
        if _AUTH_MARK.match(fold(x)) or not auth:
            auth.append(x)
        else:
            auth[-1] = auth[-1] + " " + x
    if _AUTH_MARK.match(fold(title)) and not auth:
        # `TM. ỦY BAN NHÂN DÂN` alone is not a position; no title then
        out["signer_authority"] = ([title], 0.6)
        return out
    out["signer_title"] = (title, 0.9 if "signer_name" in out else 0.7)
    out["signer_authority"] = ([a.rstrip(" .,:;") for a in auth], 0.85)
    return out


def parse_addressees(lines: list[str], start: int, stop: int) -> Found | None:
    for n in range(start, min(stop, len(lines))):
        m = _ADDR_CUE.match(fold(lines[n]))
        if not m or (fold(lines[n]).startswith("to") and lines[n][:2] != "To"):
            continue
        rest = lines[n][m.end() :].strip()
        if rest:
            return [rest.rstrip(" .;")], 0.9
        items = []
        for line in lines[n + 1 : n + 12]:
            if not _ITEM.match(line):
                break
            items.append(_ITEM.sub("", line).strip().rstrip(" .;,"))
        return (items, 0.85) if items else None
    return None


# --- the whole document ---------------------------------------------------------------------------------


def _lines(page: str) -> list[str]:
    return [ln.strip() for ln in page.split("\n") if ln.strip()]


def parse_document(pages: list[str]) -> Parsed:
    """All fields that the text shows, from the pages' text in reading order."""
    out = Parsed()
    page_lines = [_lines(p) for p in pages]
    p1 = next((pl for pl in page_lines if pl), [])
    if not p1:
        return out
    all_lines = [ln for pl in page_lines for ln in pl]
    header = parse_header(p1)

    # bodies: the left lines above the number line
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
        fix_body_line(b) for b in (_clean_body_line(x) for x in body_lines) if b and not _title_code(b)
    ]
    # Decree 30 prints body names in capitals: a prose line is not a body
    body_lines = [b for b in body_lines if b and letters_share(b) >= 0.6 and is_upper_line(b)]
    body_lines = [b for b in body_lines if not _NUM_BODY.search(b)]
    parent, issuing, body_conf = split_bodies(body_lines[-4:])
    # again on the joined name: a phrase may run over two lines (`SƠ TÀI NGUYEN` / `VÀ MÔI TRƯỜNG`)
    parent = fix_body_line(parent) if parent else None
    issuing = fix_body_line(issuing) if issuing else None
    out.put("issuing_body", (issuing, body_conf) if issuing else None)
    out.put("parent_body", (parent, body_conf) if parent else None)

    # number
    num = parse_number(header.left[-1]) if header.number_line is not None and header.left else None
    num_conf = 0.95 if num and num["cue"] else 0.8
    if num is None:
        for line in p1[:30]:
            m = _NUM_BARE.search(line)
            if m:
                num = {"seq": m.group(1), "year": m.group(2), "symbol": m.group(3), "cue": False}
                num_conf = 0.6
                break
    if num:
        symbol = fix_symbol(num["symbol"], issuing)
        number = "/".join(x for x in (num["seq"], num["year"], symbol) if x)
        out.put("doc_number", (number, num_conf))
        out.put("doc_number_seq", (num["seq"], num_conf))
        out.put("doc_symbol", (symbol, num_conf))

    # date and place
    if header.date:
        out.put("issue_date", (header.date.iso, header.date.conf))
        if header.date.place:
            place = canonical_place(header.date.place, "\n".join(p1[:40]))
            out.put("issue_place", (place, header.date.conf - 0.05))

    # type title, subject
    start = header.end
    title_at = None
    title: tuple[str, str] | None = None
    for n in range(max(0, start - 2), min(len(p1), start + 8)):
        t = _title_code(p1[n])
        if t:
            title_at, title = n, t
            break
    sym_code = _code_of_symbol(out.fields.get("doc_symbol"))
    code = lang = None
    type_conf = 0.0
    if title and num and sym_code is None and "-" in out.fields.get("doc_symbol", ""):
        # `TIR-UBND` under a `TỜ TRÌNH` title: the symbol's type code was misread by a letter
        head, rest = out.fields["doc_symbol"].split("-", 1)
        if levenshtein(fold(head), fold(title[0]), 1) <= 1 and len(head) >= 2:
            symbol = f"{title[0]}-{rest}"
            out.fields["doc_symbol"] = symbol
            out.fields["doc_number"] = "/".join(x for x in (num["seq"], num["year"], symbol) if x)
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

    subject: Found | None = None
    if title_at is not None:
        s = title_at + 1
        while s < len(p1) and _title_code(p1[s]):
            s += 1  # bilingual titles: `THÔNG BÁO` / `NOTICE`
        subject = parse_subject_after_title(p1, s)
        if subject and re.match(r"^(pursuant|can cu)", fold(subject[0])):
            subject = None
    if subject is None:
        subject = parse_vv(header.after_number)
    if subject:
        subject = (restore_unit_names(subject[0]), subject[1])
    out.put("subject", subject)

    addr = parse_addressees(p1, start, start + 14)
    out.put("addressees", addr)

    tail = all_lines[-60:]
    recipients, signer_block = parse_closing(tail)
    out.put("recipients", recipients)
    for name, found in parse_signer(signer_block).items():
        out.put(name, found)
    return out


def _mostly_english(lines: list[str]) -> bool:
    """Cheap check without langdetect: English pages have almost no Vietnamese letters."""
    text = " ".join(lines[:40])
    letters = [c for c in text if c.isalpha()]
    return len(letters) > 200 and sum(not c.isascii() for c in letters) < 0.01 * len(letters)


def _code_of_symbol(symbol: str | None) -> str | None:
    if not symbol or "-" not in symbol:
        return None
    head = symbol.split("-", 1)[0]
    if head in TYPE_BY_CODE and head != "CV":
        return head
    return _CODE_FIX.get(fold(head).upper())
