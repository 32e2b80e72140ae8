"""The gazetteer: old (before 1 July 2025) and new units, and the old->new table.

The data comes from the `vietnamadminunits` package (MIT): its data files list the 63 old provinces
with their districts and communes, the 34 new provinces with their communes, and for every old commune
the new commune it went into, or, when it was split, all the new communes that received a part of it.
We read those tables directly and never call its `convert_address`: that function picks one "default"
successor for a split commune (and geocodes over the network when given a street), where we must return
every candidate and say the mapping is ambiguous. Hanoi communes merged before 2025 get their
diacritics from our own `former_names.json`.
"""

from __future__ import annotations

import importlib.metadata
import importlib.resources
import importlib.util
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pipeline.textnorm import fold, squash
from storage.districts import slugify

EFFECTIVE_DATE = "2025-07-01"
PACKAGE = "vietnamadminunits"
HANOI = "thanhphohanoi"  # the key of Hanoi, old and new, in the package's tables


@dataclass(frozen=True)
class OldDistrict:
    province_key: str
    province: str
    key: str
    name: str  # short name, e.g. "Cầu Giấy"
    type: str  # "quận", "huyện", "thị xã", "thành phố"


@dataclass(frozen=True)
class OldCommune:
    district: OldDistrict
    key: str
    name: str  # short name, e.g. "Dịch Vọng"
    type: str  # "phường", "xã", "thị trấn"
    code: str

    @property
    def full_key(self) -> str:
        return f"{self.district.province_key}_{self.district.key}_{self.key}"


@dataclass(frozen=True)
class NewCommune:
    province_key: str
    province: str
    key: str
    name: str
    type: str
    code: str

    def as_dict(self) -> dict[str, Any]:
        return {"province": self.province, "commune_type": self.type, "commune": self.name, "code": self.code}


def _data_dir() -> Path:
    # find_spec locates the package without importing it: its __init__ pulls in shapely and geopy,
    # which we do not need to read three JSON files.
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the {PACKAGE} package is not installed: pip install {PACKAGE}")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


_PAREN_TYPE = re.compile(r"\s*\((?:Phường|Xã|Thị trấn|Quận|Huyện|Thị xã|Thành phố)\)\s*$", re.I)
_TYPE_PREFIXES = ("phuong", "xa", "thitran", "quan", "huyen", "thixa", "thanhpho", "tinh")


def _load_former_names() -> tuple[str, dict[str, tuple[str, ...]]]:
    """(province, {old district: former commune names}) of `former_names.json` (package data)."""
    raw = json.loads(
        importlib.resources.files("pipeline.units").joinpath("former_names.json").read_text(encoding="utf-8")
    )
    return raw["province"], {district: tuple(names) for district, names in raw["districts"].items()}


# Hanoi communes merged into a neighbour before the July 2025 reorganisation, by old district: the
# package keeps them only without diacritics (see former_names.json).
FORMER_PROVINCE, FORMER_NAMES = _load_former_names()


def _ltype(value: object) -> str:
    # A few entries of the data (special zones) carry NaN instead of a type.
    return value.strip().lower() if isinstance(value, str) else ""


class Gazetteer:
    """Old and new units, indexed by squashed name (`caugiay`), and the old->new table."""

    def __init__(self, data_dir: Path | None = None) -> None:
        data_dir = data_dir or _data_dir()
        legacy = json.loads((data_dir / "parser_legacy.json").read_text(encoding="utf-8"))
        new = json.loads((data_dir / "parser_from_2025.json").read_text(encoding="utf-8"))
        conv = json.loads((data_dir / "converter_2025.json").read_text(encoding="utf-8"))
        try:
            self.version = importlib.metadata.version(PACKAGE)
        except importlib.metadata.PackageNotFoundError:
            self.version = "unknown"

        self.primary: set[tuple[str, int]] = set()
        self.old_provinces: dict[str, str] = {}
        self.province_names: dict[str, set[str]] = {}  # squashed short name -> old/new province keys
        self.province_short: dict[str, str] = {}
        for key, p in legacy["DICT_PROVINCE"].items():
            self.old_provinces[key] = p["province"]
            self.province_short[squash(p["provinceShort"])] = p["provinceShort"]
            self.province_names.setdefault(squash(p["provinceShort"]), set()).add(key)
        self.new_provinces: dict[str, str] = {k: p["province"] for k, p in new["DICT_PROVINCE"].items()}
        for key, p in new["DICT_PROVINCE"].items():
            self.province_names.setdefault(squash(p["provinceShort"]), set()).add(key)

        self.districts: dict[tuple[str, str], OldDistrict] = {}
        self.district_index: dict[str, list[OldDistrict]] = {}
        for pkey, dists in legacy["DICT_PROVINCE_DISTRICT"].items():
            for dkey, d in dists.items():
                od = OldDistrict(
                    pkey, self.old_provinces[pkey], dkey, d["districtShort"], _ltype(d["districtType"])
                )
                self.districts[(pkey, dkey)] = od
                self._index(self.district_index, squash(od.name), od, primary=True)
                for kw in d.get("districtKeywords") or []:
                    if isinstance(kw, str) and kw.isalnum() and not kw.startswith(_TYPE_PREFIXES):
                        self._index(self.district_index, fold(kw), od, primary=False)

        self.communes: dict[str, OldCommune] = {}
        self.commune_index: dict[str, list[OldCommune]] = {}
        for table in ("DICT_PROVINCE_DISTRICT_WARD_NO_ACCENTED", "DICT_PROVINCE_DISTRICT_WARD_ACCENTED"):
            for pkey, dists in legacy[table].items():
                for dkey, wards in dists.items():
                    od = self.districts.get((pkey, dkey))
                    if od is None:
                        continue
                    for wkey, w in wards.items():
                        if not isinstance(w.get("wardShort"), str):
                            continue  # island districts without communes carry NaN here
                        short = _PAREN_TYPE.sub("", w["wardShort"]).strip()
                        oc = OldCommune(od, wkey, short, _ltype(w["wardType"]), w.get("wardCode", ""))
                        if oc.full_key in self.communes:
                            continue
                        self.communes[oc.full_key] = oc
                        self._index(self.commune_index, squash(oc.name), oc, primary=True)
                        for kw in w.get("wardKeywords") or []:
                            # Keywords also carry the names of communes merged into this one before
                            # 2025 (`saidong` under Phúc Lợi): documents still use those names.
                            if isinstance(kw, str) and kw.isalnum() and not kw.startswith(_TYPE_PREFIXES):
                                self._index(self.commune_index, fold(kw), oc, primary=False)
        self.communes_of_district: dict[tuple[str, str], list[OldCommune]] = {}
        for oc in self.communes.values():
            self.communes_of_district.setdefault((oc.district.province_key, oc.district.key), []).append(oc)
        # (province key, district key, squashed former name) -> the name with its diacritics
        self.former_names: dict[tuple[str, str, str], str] = {}
        for dname, names in FORMER_NAMES.items():
            for od in self.district_index.get(squash(dname), []):
                if od.province_key == squash(FORMER_PROVINCE) and self.is_primary(squash(dname), od):
                    for name in names:
                        self.former_names[(od.province_key, od.key, squash(name))] = name

        self.new_communes: dict[tuple[str, str], NewCommune] = {}
        self.new_index: dict[str, list[NewCommune]] = {}
        for table in ("DICT_PROVINCE_WARD_NO_ACCENTED", "DICT_PROVINCE_WARD_ACCENTED"):
            for pkey, wards in new[table].items():
                for wkey, w in wards.items():
                    if not isinstance(w.get("wardShort"), str):
                        continue
                    nc = NewCommune(
                        pkey,
                        self.new_provinces[pkey],
                        wkey,
                        w["wardShort"],
                        _ltype(w["wardType"]),
                        w["wardCode"],
                    )
                    self.new_communes.setdefault((pkey, wkey), nc)
                    self.new_index.setdefault(squash(nc.name), []).append(nc)

        # old full key -> (new province key, [new ward keys], split?)
        self.old_to_new: dict[str, tuple[str, list[str], bool]] = {}
        for new_pkey, wards in conv["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
            for new_wkey, old_keys in wards.items():
                for old_key in old_keys:
                    self.old_to_new[old_key] = (new_pkey, [new_wkey], False)
        for new_pkey, olds in conv["DICT_PROVINCE_WARD_DIVIDED"].items():
            for old_key, cands in olds.items():
                keys = sorted({c["newWardKey"] for c in cands})
                self.old_to_new[old_key] = (new_pkey, keys, len(keys) > 1)

    @property
    def source(self) -> str:
        """The data's origin, as the records name it: `vietnamadminunits 1.0.4`."""
        return f"{PACKAGE} {self.version}"

    def _index(self, index: dict[str, list[Any]], key: str, unit: Any, primary: bool) -> None:
        bucket = index.setdefault(key, [])
        if unit not in bucket:
            bucket.append(unit)
        if primary:
            self.primary.add((key, id(unit)))

    def is_primary(self, key: str, unit: Any) -> bool:
        """True when `key` is the unit's own name, not a former name merged into it or a variant."""
        return (key, id(unit)) in self.primary

    def former_name(self, commune: OldCommune, key: str) -> str | None:
        """The printed name (with diacritics) of a former commune merged into `commune`, by its key."""
        return self.former_names.get((commune.district.province_key, commune.district.key, key))

    def keys_of_district(self, district: OldDistrict) -> list[tuple[str, OldCommune]]:
        """Every (squashed name, commune) of a district: own names and former names merged into them."""
        cache = self.__dict__.get("_district_keys")
        if cache is None:
            # every district in one pass over the index (a pass per district cost as much as this,
            # and the province fallback of `resolve` asks for all the districts of a province)
            cache = self.__dict__["_district_keys"] = {}
            for key, units in self.commune_index.items():
                for c in units:
                    if self.is_primary(key, c) or len(key) >= 5:
                        cache.setdefault((c.district.province_key, c.district.key), []).append((key, c))
        return cache.setdefault((district.province_key, district.key), [])

    def district_by_slug(self, slug: str) -> OldDistrict | None:
        """The former Hanoi district of an upload prefix's slug (`cau-giay`), or None."""
        key = slugify(slug)
        return next(
            (d for d in self.districts.values() if d.province_key == HANOI and slugify(d.name) == key), None
        )

    def new_provinces_of(self, old_province_key: str) -> set[str]:
        """Names of the new provinces that received the communes of an old province (`tinhbinhthuan` ->
        {`Tỉnh Lâm Đồng`})."""
        cache = self.__dict__.setdefault("_new_provinces", {})
        if old_province_key not in cache:
            cache[old_province_key] = {
                self.new_provinces[self.old_to_new[c.full_key][0]]
                for c in self.communes.values()
                if c.district.province_key == old_province_key and c.full_key in self.old_to_new
            }
        return set(cache[old_province_key])

    def new_units_of(self, commune: OldCommune) -> tuple[list[NewCommune], bool]:
        entry = self.old_to_new.get(commune.full_key)
        if not entry:
            return [], False
        pkey, keys, split = entry
        units = [self.new_communes[(pkey, k)] for k in keys if (pkey, k) in self.new_communes]
        return units, split


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """Loaded once per process (about 0.3 s): the CLI and the flows reuse it for every document."""
    return Gazetteer()
