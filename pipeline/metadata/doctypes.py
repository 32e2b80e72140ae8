"""Document types of Decree 30/2020/NĐ-CP, appendix III (plus GCN/GXN, common in communes): the type
title printed above the subject, and the type code at the head of a number's symbol."""

from __future__ import annotations

import re
from functools import lru_cache

from core.doctypes import DOC_TYPES, LEGAL_TYPES
from pipeline.textnorm import collapse_ws, fold, is_upper_line, levenshtein

CV = ("CV", "Công văn", "Official letter")  # no abbreviation of its own: our internal label only
# An annex page opens with its own heading (`Phụ lục III`, `PHỤ LỤC`) and has no type code.
ANNEX = "Phụ lục"
_ANNEX_HEADING = re.compile(r"^\W{0,3}(phu luc|appendix|annex)\b(\s+[\w.]{1,6})?\s*[.:]?\s*$", re.I)
_EN_ALIASES = {
    "proposal": "TTr",
    "certification": "GCN",
    "official letter": "CV",
    "official dispatch": "CV",
    "letter of invitation": "GM",
    "announcement": "TB",
    "certificate of confirmation": "GXN",
}
TYPE_BY_CODE = {c: (c, vi, en) for c, vi, en in [*DOC_TYPES, *LEGAL_TYPES, CV]}
# Type codes a symbol may begin with. `TT` (Thông tư) only from its title: `TT-UBND` is far more often
# a `TTr-UBND` whose small `r` was lost.
_SYMBOL_CODES = {c for c in TYPE_BY_CODE if c not in ("CV", "TT")}
# Folded upper code -> canonical code, for codes whose folded form is unambiguous (QD -> QĐ).
CODE_FIX: dict[str, str] = {}
for _c in sorted(_SYMBOL_CODES):
    CODE_FIX.setdefault(fold(_c).upper(), _c)
CODE_FIX.pop("DA", None)  # Đề án (ĐA) and Dự án (DA) fold the same: keep what was read
CODE_FIX.pop("HD", None)  # Hướng dẫn (HD) and Hợp đồng (HĐ) likewise
_TITLES = [(fold(vi).upper(), code, "vi") for code, vi, _ in [*DOC_TYPES, *LEGAL_TYPES]] + [
    (en.upper(), code, "en") for code, _, en in [*DOC_TYPES, *LEGAL_TYPES]
]
_TITLES += [(k.upper(), v, "en") for k, v in _EN_ALIASES.items()]


@lru_cache(maxsize=4096)
def title_code(line: str) -> tuple[str, str] | None:
    """(code, 'vi'|'en') when the line is a document type title (`QUYẾT ĐỊNH`, `NOTICE`). Cached: the
    header parsers ask about the same line several times, and many lines recur in every document."""
    letters = re.sub(r"[^\w' ]|_", " ", line)  # `_— GIẤY MỜI`: a rule read before the title
    if not is_upper_line(letters):
        return None
    key = collapse_ws(fold(letters).upper())
    if not key or len(key) > 30:
        return None
    best: tuple[int, str, str] | None = None
    for title, code, lang in _TITLES:
        limit = 0 if len(title) <= 5 else 1 if len(title) <= 9 else 2
        if abs(len(key) - len(title)) > limit:
            continue  # more letters apart than the limit: not worth a call
        d = levenshtein(key, title, limit)
        if d <= limit and (best is None or d < best[0]):
            best = (d, code, lang)  # the closest title: `THÔNG BÁO` is one letter from `THÔNG CÁO`
    return (best[1], best[2]) if best else None


def code_of_symbol(symbol: str | None) -> str | None:
    """The type code at the head of a symbol (`QĐ-UBND` -> `QĐ`, `QD-UBND` -> `QĐ`); None for a công văn."""
    if not symbol or not re.search(r"[-/]", symbol):
        return None
    head = re.split(r"[-/]", symbol, maxsplit=1)[0]  # `/`: a Party number's `CV/TU`
    if head in _SYMBOL_CODES:
        return head
    return CODE_FIX.get(fold(head).upper())


def is_annex_heading(line: str) -> bool:
    """`Phụ lục III`, `PHỤ LỤC`, `Appendix 2`: the heading an annex page opens with."""
    return bool(_ANNEX_HEADING.match(fold(line)))
