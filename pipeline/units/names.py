"""Unit names with their diacritics back: in a line of the header (`PHƯỜNG CỰ KHÔI` -> `PHƯỜNG CỰ
KHỐI`) and in the place of the date line (`Cầu Giãy` -> `Cầu Giấy`)."""

from __future__ import annotations

import re
from typing import Any

from pipeline.textnorm import fold, squash
from pipeline.units.data import Gazetteer, OldCommune, gazetteer
from pipeline.units.mentions import TYPE_AFTER, find_mentions, name_after, provinces_in

_PROVINCE_BEFORE = re.compile(r"\b(thanh pho|tinh|tp\.?)\s+")


def restore_unit_names(line: str, gaz: Gazetteer | None = None) -> str:
    """Put back the diacritics OCR lost in unit names: `PHƯỜNG CỰ KHÔI` -> `PHƯỜNG CỰ KHỐI`.

    Only a name the gazetteer knows under that exact spelling without diacritics is touched, and its
    case is kept (upper case in the header)."""
    gaz = gaz or gazetteer()
    text = " ".join(line.split())
    folded = fold(text)
    fixes: list[tuple[int, int, str]] = []
    for m in find_mentions(text, gaz):
        names = {_printed_name(gaz, u, m.squashed) for u in m.candidates}
        if None in names:
            continue  # also a keyword of another unit whose printed form we do not know
        if TYPE_AFTER.match(folded, m.span[1]):
            continue  # English (`NGHIA DO WARD`) is printed without diacritics
        if len(names) == 1:
            fixes.append((*m.span, names.pop()))
    for m in _PROVINCE_BEFORE.finditer(folded):
        hit = name_after(text, folded, m.end(), gaz.province_short)
        if hit:
            fixes.append((hit[2], hit[3], gaz.province_short[hit[0]]))
    for start, stop, name in sorted(fixes, reverse=True):
        old = text[start:stop]
        if squash(old) != squash(name) or len(old.split()) != len(name.split()):
            continue
        new = name.upper() if old.isupper() else name
        text = text[:start] + new + text[stop:]
    return text


def _printed_name(gaz: Gazetteer, unit: Any, key: str) -> str | None:
    """The name `key` stands for, with diacritics: the unit's own, or a former commune merged into it."""
    if gaz.is_primary(key, unit):
        return str(unit.name)
    return gaz.former_name(unit, key) if isinstance(unit, OldCommune) else None


def canonical_place(place: str, text: str = "", gaz: Gazetteer | None = None) -> str:
    """The place of the date line with its diacritics checked against unit names: `Cầu Giãy` ->
    `Cầu Giấy`. A place printed without any diacritics (English pages: `Cau Giay`) is kept."""
    if place.isascii():
        return place
    gaz = gaz or gazetteer()
    key = squash(place)
    names: dict[str, set[str]] = {}  # name -> province keys
    for k, short in gaz.province_short.items():
        if k == key:
            names.setdefault(short, set()).update(gaz.province_names.get(k, set()))
    for d in gaz.district_index.get(key, []):
        if gaz.is_primary(key, d):
            names.setdefault(d.name, set()).add(d.province_key)
    for c in gaz.commune_index.get(key, []):
        if gaz.is_primary(key, c):
            names.setdefault(c.name, set()).add(c.district.province_key)
    if place in names or not names:
        return place
    if len(names) > 1 and text:
        provinces = set(provinces_in(text, gaz))
        names = {n: p for n, p in names.items() if p & provinces} or names
    return next(iter(names)) if len(names) == 1 else place
