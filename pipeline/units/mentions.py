"""Unit names in text: `phường X`, `quận Y`, `X Ward`, `P. X`, exactly as the gazetteer knows them or one
OCR slip away; and the provinces a text names."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from pipeline.textnorm import fold, levenshtein
from pipeline.units.data import Gazetteer, OldCommune, gazetteer

_VI_COMMUNE = r"phuong|xa|thi tran"
_VI_DISTRICT = r"quan|huyen|thi xa"
# Type words before the name (Vietnamese) or after it (English). Longest alternatives first. The
# abbreviations of addresses (`P. Dịch Vọng`, `P.Dịch Vọng`, `TT. Trâu Quỳ`, `X. Kiêu Kỵ`, `Q.Cầu Giấy`,
# `H. Gia Lâm`, `TX. Sơn Tây`) may be glued to the name.
_TYPE_BEFORE = re.compile(
    rf"\b(?:(thi tran|thi xa|{_VI_COMMUNE}|{_VI_DISTRICT}|tt)\s+|(tt\.|tx\.|p\.|q\.|x\.|h\.)\s*)", re.UNICODE
)
TYPE_AFTER = re.compile(r"\s+(ward|commune|township|town|district)\b")
TOKEN = re.compile(r"[^\W_]+", re.UNICODE)

_COMMUNE_TYPES = {"phuong": "phường", "xa": "xã", "thi tran": "thị trấn", "p.": "phường", "x.": "xã",
                  "tt": "thị trấn", "tt.": "thị trấn",
                  "ward": "phường", "commune": "xã", "town": "thị trấn", "township": "thị trấn"}  # fmt: skip
_DISTRICT_TYPES = {"quan": "quận", "huyen": "huyện", "thi xa": "thị xã", "q.": "quận", "h.": "huyện",
                   "tx.": "thị xã", "district": None}  # fmt: skip


@dataclass
class Mention:
    level: str  # "commune" | "district"
    type: str | None  # as written ("phường"), None when the text does not say
    squashed: str
    start: int
    candidates: list[Any]
    text_name: str = ""  # the name as the document writes it
    span: tuple[int, int] = (0, 0)  # of the name, in the whitespace-collapsed text


# Words that fold like a unit type but are common in personal names (`Lê Phương Mai`, `Trần Quân`) or
# prose (`xa trung tâm`). Written in capitals (a header: `XA KIÊU KỴ`) they are OCR'd type words.
_NOT_TYPES = {"phương", "quân", "xa"}


def _kind(m: re.Match[str]) -> str:
    return m.group(1) or m.group(2)


def _not_a_type(text: str, m: re.Match[str]) -> bool:
    g = 1 if m.group(1) else 2
    word = text[m.start(g) : m.end(g)]
    return word.lower() in _NOT_TYPES and not word.isupper()


def name_after(text: str, folded: str, pos: int, index: dict[str, Any]) -> tuple[str, str, int, int] | None:
    """Longest known name made of the 1-5 tokens from `pos`; the first must be capitalised in `text`.
    Returns (squashed key, the name as the text writes it, start, end)."""
    tokens = list(TOKEN.finditer(folded, pos, min(len(folded), pos + 60)))[:5]
    if not tokens or (not text[tokens[0].start()].isupper() and not text[tokens[0].start()].isdigit()):
        return None
    for k in range(len(tokens), 0, -1):
        key = "".join(t.group() for t in tokens[:k])
        if key in index:
            start, stop = tokens[0].start(), tokens[k - 1].end()
            return key, as_name(text[start:stop]), start, stop
    return None


def name_before(
    text: str, folded: str, end: int, index: dict[str, list[Any]]
) -> tuple[str, str, int, int] | None:
    tokens = list(TOKEN.finditer(folded, max(0, end - 50), end))[-4:]
    for k in range(len(tokens), 0, -1):
        key = "".join(t.group() for t in tokens[-k:])
        if key in index:
            start, stop = tokens[-k].start(), tokens[-1].end()
            return key, as_name(text[start:stop]), start, stop
    return None


def as_name(span: str) -> str:
    """`SÀI ĐỒNG` -> `Sài Đồng`; a name already in mixed case is kept."""
    span = " ".join(span.split())
    return span.title() if span.isupper() else span


def find_mentions(text: str, gaz: Gazetteer | None = None) -> list[Mention]:
    """Every `phường X`, `quận Y`, `X Ward`, `Y District` whose name is a known old unit."""
    gaz = gaz or gazetteer()
    text = " ".join(text.split())
    folded = fold(text)
    out: list[Mention] = []
    for m in _TYPE_BEFORE.finditer(folded):
        if _not_a_type(text, m):
            continue
        kind = _kind(m)
        levels = (
            ("commune", _COMMUNE_TYPES, gaz.commune_index),
            ("district", _DISTRICT_TYPES, gaz.district_index),
        )
        for level, types, index in levels:  # `xa`, `tt`: a commune's name first, else a district's
            hit = name_after(text, folded, m.end(), index) if kind in types else None
            if hit:
                out.append(Mention(level, types[kind], hit[0], m.start(), index[hit[0]], hit[1], hit[2:]))
                break
    for m in TYPE_AFTER.finditer(folded):
        kind = m.group(1)
        if kind in ("district", "town"):
            # `X Town` is a thị trấn (a commune) or a thị xã (a district: `SON TAY TOWN`)
            hit = name_before(text, folded, m.start(), gaz.district_index)
            if hit:
                dtype = "thị xã" if kind == "town" else None
                out.append(
                    Mention("district", dtype, hit[0], m.start(), gaz.district_index[hit[0]], hit[1], hit[2:])
                )
        if kind != "district":
            hit = name_before(text, folded, m.start(), gaz.commune_index)
            if hit:
                cands = gaz.commune_index[hit[0]]
                out.append(
                    Mention("commune", _COMMUNE_TYPES[kind], hit[0], m.start(), cands, hit[1], hit[2:])
                )
    return out


def _token_run(text: str, folded: str, start: int, end: int, forward: bool, n: int) -> list[re.Match[str]]:
    """Up to `n` tokens next to a type word, stopping at punctuation (`xã Đông Dư, huyện ...`)."""
    toks = list(TOKEN.finditer(folded, start, end))
    if not forward:
        toks.reverse()
    run: list[re.Match[str]] = []
    for t in toks[:n]:
        if run:
            gap = folded[run[-1].end() : t.start()] if forward else folded[t.end() : run[-1].start()]
            if gap.strip():
                break
        run.append(t)
    return run if forward else run[::-1]


def _ocr_key(tokens: list[re.Match[str]]) -> str:
    # a lone `l` or `I` after a name is the digit one (`Mỹ Đình l`)
    return "".join("1" if t.group() in ("l", "i") else t.group() for t in tokens)


def fuzzy_mentions(
    text: str, pool: list[tuple[str, OldCommune]], max_dist: int = 1, english: bool = True
) -> list[Mention]:
    """Commune mentions whose name is one OCR slip away from a name in `pool` (the communes of the
    district the document is known to belong to): `phường Dịch Vọngg`, `phường Mỹ Đình l`,
    `Dich Vonq Ward`. A mention counts only when a single commune of the pool is nearest; the name must
    start with a capital and its first letter must agree, and names shorter than 5 letters are left out."""
    text = " ".join(text.split())
    folded = fold(text)
    out: list[Mention] = []
    spans: list[tuple[str | None, int, list[re.Match[str]]]] = []
    for m in _TYPE_BEFORE.finditer(folded):
        kind = _kind(m)
        if kind in _COMMUNE_TYPES and not _not_a_type(text, m):
            run = _token_run(text, folded, m.end(), min(len(folded), m.end() + 60), True, 5)
            if run and text[run[0].start()].isupper() and run[0].group() != "hoi":  # `XÃ HỘI`
                spans.append((_COMMUNE_TYPES[kind], m.start(), run))
    if english:
        for m in TYPE_AFTER.finditer(folded):
            if m.group(1) != "district":
                run = _token_run(text, folded, max(0, m.start() - 50), m.start(), False, 4)
                spans.append((_COMMUNE_TYPES[m.group(1)], m.start(), run))
    for kind, at, run in spans:
        fits = [(k, c) for k, c in pool if commune_fits(c, kind)] or pool
        best: dict[int, dict[str, tuple[str, list[re.Match[str]]]]] = {}
        for k in range(1, len(run) + 1):
            part = run[:k] if at < run[0].start() else run[-k:]
            key = _ocr_key(part)
            for pkey, c in fits:
                limit = max_dist if len(pkey) < 10 else max_dist + 1
                if len(pkey) < 5 or pkey[0] != key[0] or abs(len(pkey) - len(key)) > limit:
                    continue
                d = levenshtein(key, pkey, limit)
                if d <= limit:
                    best.setdefault(d, {}).setdefault(c.full_key, (pkey, part))
        if not best:
            continue
        hits = best[min(best)]
        if len(hits) != 1:
            continue  # `Mỹ Đình I`: 1 or 2? nothing to tell them apart
        full_key, (pkey, part) = next(iter(hits.items()))
        commune = next(c for k, c in fits if c.full_key == full_key)
        a, b = part[0].start(), part[-1].end()
        out.append(Mention("commune", kind, pkey, at, [commune], as_name(text[a:b]), (a, b)))
    return out


# Words before a name that make it a district's or a commune's (`phường Điện Biên`, `Q. Ba Đình`), and after
# it in English (`Dien Bien Ward`): such a name is not the province of the same name.
_UNIT_WORD_BEFORE = {"phuong", "xa", "quan", "huyen", "tran", "p", "q", "x", "h", "tt", "tx"}
_UNIT_WORD_AFTER = {"ward", "commune", "district", "town", "township"}


def provinces_in(text: str, gaz: Gazetteer | None = None) -> Counter[str]:
    """Old/new province keys whose short name the text gives as whole words (`Hà Nội`, `HANOI`), with
    counts; a district's or commune's name that is also a province's (`phường Điện Biên`) is not one."""
    gaz = gaz or gazetteer()
    toks = [t.group() for t in TOKEN.finditer(fold(text))]
    counts: Counter[str] = Counter()
    for i in range(len(toks)):
        for k in range(4, 0, -1):
            name = "".join(toks[i : i + k])
            if len(name) < 4 or name not in gaz.province_names or i + k > len(toks):
                continue
            before = toks[i - 1] if i else ""
            after = toks[i + k] if i + k < len(toks) else ""
            if before not in _UNIT_WORD_BEFORE and after not in _UNIT_WORD_AFTER:
                for key in gaz.province_names[name]:
                    counts[key] += 1
            break
    return counts


def commune_fits(c: OldCommune, mention_type: str | None) -> bool:
    return mention_type is None or c.type == mention_type
