"""The unit after 1 July 2025 of an old unit: the new commune it went into, or every candidate."""

from __future__ import annotations

from typing import Any

from pipeline.textnorm import squash
from pipeline.units.data import EFFECTIVE_DATE, Gazetteer, NewCommune, OldCommune, OldDistrict, gazetteer
from pipeline.units.scope import OUTSIDE_LABEL


def map_to_new(
    unit_old: dict[str, Any] | None, gaz: Gazetteer | None = None
) -> tuple[dict[str, Any] | None, float]:
    """The unit after 1 July 2025. A commune split between several new ones, or a bare district, gives
    `{"ambiguous": true, "candidates": [...]}` with every candidate, never a silent pick."""
    if not unit_old:
        return None, 0.0
    gaz = gaz or gazetteer()
    source = gaz.source
    if unit_old.get("outside_hanoi"):
        return _outside(unit_old, gaz), 0.8
    if unit_old.get("ambiguous") and unit_old.get("candidates"):
        return _of_shared_name(unit_old, gaz)
    commune = _lookup_old(unit_old, gaz)
    if commune is None and unit_old.get("merged_into"):
        kind, _, name = str(unit_old["merged_into"]).partition(" ")
        if kind == "thị":  # "thị trấn X"
            kind, name = "thị trấn", name.partition(" ")[2]
        commune = _lookup_old({**unit_old, "commune": name, "commune_type": kind}, gaz)
    if commune is not None:
        units, _ = gaz.new_units_of(commune)
        if not units:
            return None, 0.0
        if len(units) == 1:
            return {
                **units[0].as_dict(),
                "ambiguous": False,
                "effective": EFFECTIVE_DATE,
                "source": source,
            }, 0.95
        return {
            "province": units[0].province,
            "ambiguous": True,
            "reason": "split",
            "note": f"{commune.type} {commune.name} was divided between {len(units)} new units",
            "candidates": [u.as_dict() for u in units],
            "effective": EFFECTIVE_DATE,
            "source": source,
        }, 0.5
    district = _lookup_district(unit_old, gaz)
    if district is None:
        return None, 0.0
    seen: dict[tuple[str, str], NewCommune] = {}
    for oc in gaz.communes_of_district.get((district.province_key, district.key), []):
        for u in gaz.new_units_of(oc)[0]:
            seen.setdefault((u.province_key, u.key), u)
    if not seen:
        return None, 0.0
    units = sorted(seen.values(), key=lambda u: u.name)
    if len(units) == 1:
        return {**units[0].as_dict(), "ambiguous": False, "effective": EFFECTIVE_DATE, "source": source}, 0.8
    return {
        "province": units[0].province,
        "ambiguous": True,
        "reason": "district_only",
        "note": f"only the former {district.type} {district.name} is known; "
        f"its area went to {len(units)} new units",
        "candidates": [u.as_dict() for u in units],
        "effective": EFFECTIVE_DATE,
        "source": source,
    }, 0.3


def _lookup_district(unit: dict[str, Any], gaz: Gazetteer) -> OldDistrict | None:
    name = unit.get("district")
    if not name:
        return None
    cands = gaz.district_index.get(squash(str(name)), [])
    prov = squash(str(unit.get("province") or ""))
    if prov:
        cands = [d for d in cands if squash(d.province) == prov] or cands
    return cands[0] if len(cands) == 1 else None


def _lookup_old(unit: dict[str, Any], gaz: Gazetteer) -> OldCommune | None:
    name = unit.get("commune")
    if not name:
        return None
    cands = gaz.commune_index.get(squash(str(name)), [])
    district = unit.get("district")
    if district:
        cands = [c for c in cands if squash(c.district.name) == squash(str(district))]
    prov = squash(str(unit.get("province") or ""))
    if prov:
        cands = [c for c in cands if squash(c.district.province) == prov] or cands
    if unit.get("commune_type"):
        cands = [c for c in cands if c.type == unit["commune_type"]] or cands
    return cands[0] if len(cands) == 1 else None


def _outside(unit_old: dict[str, Any], gaz: Gazetteer) -> dict[str, Any]:
    """The new unit of a body outside Hanoi: no Hanoi unit; the new province its old one went into."""
    unit: dict[str, Any] = {
        "outside_hanoi": True,
        "ambiguous": False,
        "reason": "outside_hanoi",
        "label": OUTSIDE_LABEL,
    }
    old_province = unit_old.get("province")
    provinces = sorted(gaz.new_provinces_of(squash(str(old_province)))) if old_province else []
    if len(provinces) == 1:
        unit["province"] = provinces[0]
    elif provinces:
        unit["provinces"] = provinces
    central = "issued by a central body, not a unit of Hanoi"
    unit["note"] = f"issued outside Hanoi ({old_province})" if old_province else central
    return {**unit, "effective": EFFECTIVE_DATE, "source": gaz.source}


def _of_shared_name(unit_old: dict[str, Any], gaz: Gazetteer) -> tuple[dict[str, Any] | None, float]:
    """An old commune whose district is unknown among several: every new unit any of them went into."""
    seen: dict[tuple[str, str], NewCommune] = {}
    for cand in unit_old["candidates"]:
        commune = _lookup_old({**unit_old, **cand, "candidates": None}, gaz)
        for u in gaz.new_units_of(commune)[0] if commune else []:
            seen.setdefault((u.province_key, u.key), u)
    if not seen:
        return None, 0.0
    units = sorted(seen.values(), key=lambda u: u.name)
    return {
        "province": units[0].province,
        "ambiguous": True,
        "reason": "name_in_several_districts",
        "note": f"{unit_old.get('commune_type', '')} {unit_old.get('commune', '')} exists in "
        f"{len(unit_old['candidates'])} former districts".strip(),
        "candidates": [u.as_dict() for u in units],
        "effective": EFFECTIVE_DATE,
        "source": gaz.source,
    }, 0.3
