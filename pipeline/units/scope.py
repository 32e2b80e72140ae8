"""Whose document it is: a body of Hanoi's local government, of another province, or of the central
state (a ministry, the Government). Only the first has a Hanoi unit; for the others the unit mapping
says "outside Hanoi" instead of guessing one from the names the text happens to contain."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.textnorm import fold, squash
from pipeline.units.data import HANOI, Gazetteer, gazetteer
from pipeline.units.mentions import find_mentions, name_after, name_before

# `TỈNH LÂM ĐỒNG`, `UBND THÀNH PHỐ HỒ CHÍ MINH`, `TỈNH ỦY LÂM ĐỒNG`, `LAM DONG PROVINCE`
_PROVINCE_BEFORE = re.compile(r"\b(tinh uy|thanh uy|tinh|thanh pho|tp\.?)\s+")
_PROVINCE_AFTER = re.compile(r"\s+(province|city)\b")
# How the name of a central body begins (folded); `BỘ CHỈ HUY QUÂN SỰ` and `BỘ ĐỘI BIÊN PHÒNG` are local.
_CENTRAL = re.compile(
    r"^(bo (?!chi huy|doi)|chinh phu|thu tuong|van phong chinh phu|van phong quoc hoi|quoc hoi|"
    r"uy ban thuong vu quoc hoi|toa an nhan dan toi cao|vien kiem sat nhan dan toi cao|kiem toan nha nuoc|"
    r"ngan hang nha nuoc|ban chap hanh trung uong|ministry|the government|government|prime minister)"
    r"|\btrung uong\b"
)
CENTRAL_LABEL = "Trung ương"
OUTSIDE_LABEL = "ngoài Hà Nội"


@dataclass(frozen=True)
class Scope:
    kind: str  # "hanoi_or_unknown" | "province" | "central"
    province_key: str | None = None  # the old province of a provincial body

    @property
    def outside_hanoi(self) -> bool:
        return self.kind != "hanoi_or_unknown"


def body_scope(bodies: Sequence[str], gaz: Gazetteer | None = None, place: str | None = None) -> Scope:
    """The scope of the issuing body and its parent (issuing body first). Where they name no unit, the
    place of the date line settles it when it is another province's name (`Bình Thuận, ngày 16 ...`
    under a header the reading garbled)."""
    gaz = gaz or gazetteer()
    header = " ; ".join(bodies)
    provinces = _provinces_named(header, gaz)
    if provinces and HANOI not in provinces:
        old = sorted(k for k in provinces if k in gaz.old_provinces)
        return Scope("province", old[0] if len(old) == 1 else None)
    if provinces:
        return Scope("hanoi_or_unknown")
    if any(_CENTRAL.search(fold(b).strip()) for b in bodies):
        return Scope("central")
    # a district that only other provinces have (`UBND HUYỆN ĐỨC TRỌNG`); a commune's name is left out:
    # one OCR slip in a Hanoi commune's name may spell a commune elsewhere
    districts = [d for m in find_mentions(header, gaz) if m.level == "district" for d in m.candidates]
    keys = {d.province_key for d in districts}
    if districts and HANOI not in keys:
        return Scope("province", next(iter(keys)) if len(keys) == 1 else None)
    province = _province_of_place(place, gaz) if not districts else None
    return Scope("province", province) if province else Scope("hanoi_or_unknown")


def _province_of_place(place: str | None, gaz: Gazetteer) -> str | None:
    """The old province a place of issue names, when it is a province other than Hanoi and no unit of
    Hanoi has that name (a Hanoi commune's letter gives its commune's name as the place)."""
    key = squash(place or "")
    provinces = gaz.province_names.get(key, set())
    if not provinces or HANOI in provinces:
        return None
    in_hanoi = [u for u in gaz.district_index.get(key, []) if u.province_key == HANOI] + [
        c for c in gaz.commune_index.get(key, []) if c.district.province_key == HANOI
    ]
    old = sorted(k for k in provinces if k in gaz.old_provinces)
    return old[0] if len(old) == 1 and not in_hanoi else None


def _provinces_named(header: str, gaz: Gazetteer) -> set[str]:
    text = " ".join(header.split())
    folded = fold(text)
    keys: set[str] = set()
    for m in _PROVINCE_BEFORE.finditer(folded):
        hit = name_after(text, folded, m.end(), gaz.province_names)
        if hit:
            keys |= gaz.province_names[hit[0]]
    for m in _PROVINCE_AFTER.finditer(folded):
        hit = name_before(text, folded, m.start(), gaz.province_names)
        if hit:
            keys |= gaz.province_names[hit[0]]
    return keys


def outside_unit(scope: Scope, gaz: Gazetteer | None = None) -> dict[str, Any]:
    """admin_unit_old of a body outside Hanoi: its province as named before July 2025, or the central
    state; never a Hanoi unit."""
    gaz = gaz or gazetteer()
    unit: dict[str, Any] = {"outside_hanoi": True}
    if scope.kind == "central":
        unit["level"] = "central"
        unit["label"] = CENTRAL_LABEL
    elif scope.province_key:
        unit["province"] = gaz.old_provinces[scope.province_key]
    return unit
