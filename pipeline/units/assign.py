"""The units of one document: whose it is (Hanoi, another province, the central state), its old unit,
and its new one, named by the issuing commune itself from 1 July 2025 or mapped from the old one."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from pipeline.textnorm import fold
from pipeline.units.data import EFFECTIVE_DATE, Gazetteer, gazetteer
from pipeline.units.mapping import map_to_new
from pipeline.units.mentions import name_after, provinces_in
from pipeline.units.resolve import UnitEvidence, resolve_old_unit
from pipeline.units.scope import body_scope, outside_unit

_NEW_TYPE = re.compile(r"\b(phuong|xa|dac khu)\s+")


def resolve_new_unit(evidence: UnitEvidence, gaz: Gazetteer | None = None) -> dict[str, Any] | None:
    """The post-July-2025 commune that issued the document, named by its body (`UBND PHƯỜNG CẦU GIẤY`).

    Used for documents issued on or after the reorganisation, whose bodies are the new units."""
    gaz = gaz or gazetteer()
    header = evidence.header
    folded = fold(" ".join(header.split()))
    collapsed = " ".join(header.split())
    provinces = {k for k in provinces_in(header + " " + evidence.text, gaz) if k in gaz.new_provinces}
    for m in _NEW_TYPE.finditer(folded):
        hit = name_after(collapsed, folded, m.end(), gaz.new_index)
        if not hit:
            continue
        kind = {"phuong": "phường", "xa": "xã", "dac khu": "đặc khu"}[m.group(1)]
        units = [
            u
            for u in gaz.new_index[hit[0]]
            if u.type == kind and (not provinces or u.province_key in provinces)
        ]
        if len(units) == 1:
            return {
                **units[0].as_dict(),
                "ambiguous": False,
                "effective": EFFECTIVE_DATE,
                "source": "issuing body",
            }
    return None


@dataclass(frozen=True)
class Units:
    """The old and the new unit of a document, each with its confidence."""

    old: dict[str, Any] | None
    old_conf: float
    new: dict[str, Any] | None
    new_conf: float


def resolve_units(evidence: UnitEvidence, issued_after_reform: bool, gaz: Gazetteer | None = None) -> Units:
    """The document's old unit, and the new one: named by the issuing commune itself when the document
    was issued from 1 July 2025 (a new unit), else mapped from the old one. A body outside Hanoi gets no
    Hanoi unit, only the mark that it is outside."""
    gaz = gaz or gazetteer()
    named_new = resolve_new_unit(evidence, gaz) if issued_after_reform else None
    scope = body_scope(evidence.bodies, gaz, evidence.place)
    if scope.outside_hanoi:
        old, c_old = outside_unit(scope, gaz), 0.8
    else:
        # the issuing commune is a new unit: the old unit can only come from what the text says
        text_only = replace(evidence, bodies=()) if named_new else evidence
        old, c_old = resolve_old_unit(text_only, gaz)
    if named_new:
        return Units(old, c_old, named_new, 0.9)
    new, c_new = map_to_new(old, gaz)
    return Units(old, c_old, new, c_new * max(c_old, 0.5))
