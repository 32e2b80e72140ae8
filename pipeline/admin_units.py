"""Administrative units: which pre-July-2025 unit a document concerns, and what it became.

The gazetteer and the old->new mapping come from the `vietnamadminunits` package (MIT): its data files
list the 63 old provinces with their districts and communes, the 34 new provinces with their communes,
and for every old commune the new commune it went into, or, when it was split, all the new communes
that received a part of it. We read those tables directly and never call its `convert_address`: that
function picks one "default" successor for a split commune (and geocodes over the network when given a
street), where we must return every candidate and say the mapping is ambiguous.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pipeline.textnorm import fold, levenshtein, squash

EFFECTIVE_DATE = "2025-07-01"
_PACKAGE = "vietnamadminunits"


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
    spec = importlib.util.find_spec(_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the {_PACKAGE} package is not installed: pip install {_PACKAGE}")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


_PAREN_TYPE = re.compile(r"\s*\((?:Phường|Xã|Thị trấn|Quận|Huyện|Thị xã|Thành phố)\)\s*$", re.I)
_TYPE_PREFIXES = ("phuong", "xa", "thitran", "quan", "huyen", "thixa", "thanhpho", "tinh")


# Hanoi communes merged into a neighbour before the July 2025 reorganisation (Resolutions
# 818/NQ-UBTVQH14, 2019, and 1286/NQ-UBTVQH15, 2024), by old district. The package keeps these names
# only as folded keywords of the commune that absorbed them (`dongdu` under Bát Tràng), so a name printed
# without its diacritics (English pages: `DONG DU COMMUNE`, or OCR: `Sai Đồng`) could not get them
# back. Each name must fold to a keyword of a commune of its district (tests/test_admin_units.py).
FORMER_NAMES: dict[str, tuple[str, ...]] = {
    "Ba Vì": ("Châu Sơn", "Phú Phương", "Tân Hồng"),
    "Ba Đình": ("Nguyễn Trung Trực",),
    "Chương Mỹ": ("Đồng Phú", "Hòa Chính", "Hồng Phong", "Phú Nam An"),
    "Gia Lâm": ("Đình Xuyên", "Dương Hà", "Đông Dư", "Kim Lan", "Văn Đức", "Kim Sơn", "Phú Thị", "Trung Mầu"),
    "Hai Bà Trưng": ("Bùi Thị Xuân", "Cầu Dền", "Đồng Mác", "Ngô Thì Nhậm", "Quỳnh Lôi"),
    "Hà Đông": ("Nguyễn Trãi", "Yết Kiêu"),
    "Long Biên": ("Sài Đồng",),
    "Mê Linh": ("Vạn Yên",),
    "Mỹ Đức": ("Bột Xuyên", "Đốc Tín", "Mỹ Thành", "Vạn Kim"),
    "Phú Xuyên": ("Đại Thắng", "Nam Triều", "Sơn Hà", "Thụy Phú", "Tri Trung", "Văn Nhân"),
    "Phúc Thọ": (
        "Cẩm Đình", "Long Xuyên", "Sen Chiểu", "Thọ Lộc", "Thượng Cốc", "Tích Giang", "Vân Hà", "Vân Nam",
        "Xuân Phú",
    ),
    "Quốc Oai": ("Đại Thành", "Liệp Tuyết", "Nghĩa Hương", "Tân Hòa", "Tân Phú", "Yên Sơn"),
    "Sơn Tây": ("Lê Lợi",),
    "Thanh Oai": ("Cao Dương", "Xuân Dương"),
    "Thanh Xuân": ("Kim Giang", "Thanh Xuân Nam"),
    "Thường Tín": ("Thống Nhất", "Thư Phú", "Vạn Điểm"),
    "Thạch Thất": ("Bình Phú", "Cánh Nậu", "Chàng Sơn", "Dị Nậu", "Hữu Bằng"),
    "Đống Đa": ("Ngã Tư Sở", "Trung Phụng", "Trung Tự", "Văn Miếu", "Quốc Tử Giám"),
    "Ứng Hòa": (
        "Cao Thành", "Đội Bình", "Đồng Tiến", "Hòa Lâm", "Hòa Nam", "Hoa Sơn", "Hòa Xá", "Hồng Quang",
        "Lưu Hoàng", "Sơn Công", "Vạn Thái", "Viên An", "Viên Nội",
    ),
}  # fmt: skip
_FORMER_PROVINCE = "thanhphohanoi"


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
            self.version = importlib.metadata.version(_PACKAGE)
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
                if od.province_key == _FORMER_PROVINCE and self.is_primary(squash(dname), od):
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
        cache = self.__dict__.setdefault("_district_keys", {})
        dk = (district.province_key, district.key)
        if dk not in cache:
            own = {id(c) for c in self.communes_of_district.get(dk, [])}
            cache[dk] = [
                (key, c)
                for key, units in self.commune_index.items()
                for c in units
                if id(c) in own and (self.is_primary(key, c) or len(key) >= 5)
            ]
        return cache[dk]

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


# --- finding unit mentions in text -------------------------------------------------------------------

_VI_COMMUNE = r"phuong|xa|thi tran"
_VI_DISTRICT = r"quan|huyen|thi xa"
# Type words before the name (Vietnamese) or after it (English). Longest alternatives first. The
# abbreviations of addresses (`P. Dịch Vọng`, `P.Dịch Vọng`, `TT. Trâu Quỳ`, `X. Kiêu Kỵ`, `Q.Cầu Giấy`,
# `H. Gia Lâm`, `TX. Sơn Tây`) may be glued to the name.
_TYPE_BEFORE = re.compile(
    rf"\b(?:(thi tran|thi xa|{_VI_COMMUNE}|{_VI_DISTRICT}|tt)\s+|(tt\.|tx\.|p\.|q\.|x\.|h\.)\s*)", re.UNICODE
)
_TYPE_AFTER = re.compile(r"\s+(ward|commune|township|town|district)\b")
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)

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


def _name_after(text: str, folded: str, pos: int, index: dict[str, Any]) -> tuple[str, str, int, int] | None:
    """Longest known name made of the 1-5 tokens from `pos`; the first must be capitalised in `text`.
    Returns (squashed key, the name as the text writes it, start, end)."""
    tokens = list(_TOKEN.finditer(folded, pos, min(len(folded), pos + 60)))[:5]
    if not tokens or (not text[tokens[0].start()].isupper() and not text[tokens[0].start()].isdigit()):
        return None
    for k in range(len(tokens), 0, -1):
        key = "".join(t.group() for t in tokens[:k])
        if key in index:
            start, stop = tokens[0].start(), tokens[k - 1].end()
            return key, _as_name(text[start:stop]), start, stop
    return None


def _name_before(
    text: str, folded: str, end: int, index: dict[str, list[Any]]
) -> tuple[str, str, int, int] | None:
    tokens = list(_TOKEN.finditer(folded, max(0, end - 50), end))[-4:]
    for k in range(len(tokens), 0, -1):
        key = "".join(t.group() for t in tokens[-k:])
        if key in index:
            start, stop = tokens[-k].start(), tokens[-1].end()
            return key, _as_name(text[start:stop]), start, stop
    return None


def _as_name(span: str) -> str:
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
        if kind in _COMMUNE_TYPES:
            hit = _name_after(text, folded, m.end(), gaz.commune_index)
            if hit:
                cands = gaz.commune_index[hit[0]]
                out.append(
                    Mention("commune", _COMMUNE_TYPES[kind], hit[0], m.start(), cands, hit[1], hit[2:])
                )
                continue
        if kind in _DISTRICT_TYPES:
            hit = _name_after(text, folded, m.end(), gaz.district_index)
            if hit:
                cands = gaz.district_index[hit[0]]
                out.append(
                    Mention("district", _DISTRICT_TYPES[kind], hit[0], m.start(), cands, hit[1], hit[2:])
                )
    for m in _TYPE_AFTER.finditer(folded):
        kind = m.group(1)
        if kind == "district":
            hit = _name_before(text, folded, m.start(), gaz.district_index)
            if hit:
                out.append(
                    Mention("district", None, hit[0], m.start(), gaz.district_index[hit[0]], hit[1], hit[2:])
                )
        else:
            hit = _name_before(text, folded, m.start(), gaz.commune_index)
            if hit:
                cands = gaz.commune_index[hit[0]]
                out.append(
                    Mention("commune", _COMMUNE_TYPES[kind], hit[0], m.start(), cands, hit[1], hit[2:])
                )
    return out


def _token_run(text: str, folded: str, start: int, end: int, forward: bool, n: int) -> list[re.Match[str]]:
    """Up to `n` tokens next to a type word, stopping at punctuation (`xã Đông Dư, huyện ...`)."""
    toks = list(_TOKEN.finditer(folded, start, end))
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
        for m in _TYPE_AFTER.finditer(folded):
            if m.group(1) != "district":
                run = _token_run(text, folded, max(0, m.start() - 50), m.start(), False, 4)
                spans.append((_COMMUNE_TYPES[m.group(1)], m.start(), run))
    for kind, at, run in spans:
        fits = [(k, c) for k, c in pool if _commune_fits(c, kind)] or pool
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
        out.append(Mention("commune", kind, pkey, at, [commune], _as_name(text[a:b]), (a, b)))
    return out


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
        if _TYPE_AFTER.match(folded, m.span[1]):
            continue  # English (`NGHIA DO WARD`) is printed without diacritics
        if len(names) == 1:
            fixes.append((*m.span, names.pop()))
    for m in _PROVINCE_BEFORE.finditer(folded):
        hit = _name_after(text, folded, m.end(), gaz.province_short)
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


def provinces_in(text: str, gaz: Gazetteer | None = None) -> Counter[str]:
    """Old/new province keys whose short name appears in the text (`Hà Nội`, `HANOI`), with counts."""
    gaz = gaz or gazetteer()
    squashed_words = " ".join(t.group() for t in _TOKEN.finditer(fold(text)))
    joined = squashed_words.replace(" ", "")
    counts: Counter[str] = Counter()
    for name, keys in gaz.province_names.items():
        if len(name) < 4:
            continue
        n = joined.count(name)
        if n:
            for k in keys:
                counts[k] += n
    return counts


# --- deciding the old unit -----------------------------------------------------------------------------


def _commune_fits(c: OldCommune, mention_type: str | None) -> bool:
    return mention_type is None or c.type == mention_type


DEFAULT_PROVINCE = "thanhphohanoi"  # the archive's own province: used only when the text names none


def resolve_old_unit(
    body_lines: list[str],
    text: str,
    gaz: Gazetteer | None = None,
    place: str | None = None,
    default_province: str | None = DEFAULT_PROVINCE,
) -> tuple[dict[str, Any] | None, float]:
    """The old unit the document belongs to (from its issuing/parent body) or concerns (from the text).

    `body_lines`: issuing body first, then the parent body; `place`: the place of the date line (often
    the district, printed without its type word). Returns (admin_unit_old, confidence).
    """
    gaz = gaz or gazetteer()
    header = " ; ".join(body_lines)
    head_mentions = find_mentions(header, gaz)
    text_mentions = find_mentions(text, gaz)
    prov_counts = provinces_in(header + " " + text, gaz)
    old_provinces = {k for k in prov_counts if k in gaz.old_provinces}
    if not old_provinces and default_province in gaz.old_provinces:
        # nothing names a province (a ward's notice rarely says `Hà Nội`): the archive's own
        old_provinces = {str(default_province)}

    def in_province(unit_pkey: str) -> bool:
        return not old_provinces or unit_pkey in old_provinces

    district_counts: Counter[tuple[str, str]] = Counter()
    for m in text_mentions + head_mentions:
        if m.level == "district":
            for d in m.candidates:
                if in_province(d.province_key):
                    district_counts[(d.province_key, d.key)] += 1
    for d in gaz.district_index.get(squash(place or ""), []):
        if in_province(d.province_key) and gaz.is_primary(squash(place or ""), d):
            district_counts[(d.province_key, d.key)] += 1  # `Hà Đông, ngày ...`

    # The district the document belongs to: named by the issuing or parent body.
    head_district: OldDistrict | None = None
    for m in head_mentions:
        if m.level == "district":
            ds = [d for d in m.candidates if in_province(d.province_key)]
            if ds:
                head_district = max(ds, key=lambda d: district_counts[(d.province_key, d.key)])
                break

    def pick(cands: list[OldCommune]) -> OldCommune | None:
        cands = [c for c in cands if in_province(c.district.province_key)]
        if head_district:
            same = [c for c in cands if c.district == head_district]
            if same:
                return same[0]
            if head_mentions and any(m.level == "district" for m in head_mentions):
                return None  # a district body speaks of its own communes
        if not cands:
            return None
        ranked = sorted(cands, key=lambda c: -district_counts[(c.district.province_key, c.district.key)])
        if len(ranked) > 1 and district_counts[_dk(ranked[0])] == district_counts[_dk(ranked[1])]:
            return None  # same name in two districts and nothing to tell them apart
        return ranked[0]

    commune: OldCommune | None = None
    used: Mention | None = None
    conf = 0.0
    for m in head_mentions:
        if m.level == "commune":
            commune = pick([c for c in m.candidates if _commune_fits(c, m.type)] or m.candidates)
            if commune:
                conf, used = 0.95, m
                break
    if commune is None:
        votes: Counter[str] = Counter()
        first: dict[str, int] = {}
        by_key: dict[str, tuple[OldCommune, Mention]] = {}
        for m in text_mentions:
            if m.level != "commune":
                continue
            c = pick([c for c in m.candidates if _commune_fits(c, m.type)] or m.candidates)
            if c:
                # votes per name as written: `Sài Đồng` and `Phúc Lợi` are two old units even if the
                # gazetteer has already folded one into the other
                vkey = f"{c.full_key}|{m.squashed}"
                votes[vkey] += 1
                first.setdefault(vkey, m.start)
                by_key.setdefault(vkey, (c, m))
        if votes:
            best = max(votes, key=lambda k: (votes[k], -first[k]))
            commune, used = by_key[best]
            conf = 0.85 if votes[best] >= 2 else 0.7
    if commune is None:
        # no name as printed: one OCR slip away from a commune of the known district (or, for the
        # issuing body, of the province)
        districts = [head_district] if head_district else []
        if not districts and district_counts:
            top = district_counts.most_common(2)
            if len(top) == 1 or top[0][1] > top[1][1]:
                districts = [gaz.districts[top[0][0]]]
        pool = [kc for d in districts for kc in gaz.keys_of_district(d)]
        head_pool = pool
        if not head_pool and len(old_provinces) == 1:
            pk = next(iter(old_provinces))
            head_pool = [
                kc for d in gaz.districts.values() if d.province_key == pk for kc in gaz.keys_of_district(d)
            ]
        found = fuzzy_mentions(header, head_pool) if head_pool else []
        if found:
            commune, used, conf = found[0].candidates[0], found[0], 0.8
        elif pool:
            votes2: Counter[str] = Counter()
            seen: dict[str, Mention] = {}
            for m in fuzzy_mentions(text, pool):
                votes2[m.candidates[0].full_key + "|" + m.squashed] += 1
                seen.setdefault(m.candidates[0].full_key + "|" + m.squashed, m)
            if votes2:
                best = max(votes2, key=lambda k: (votes2[k], -seen[k].start))
                used = seen[best]
                commune, conf = used.candidates[0], 0.75 if votes2[best] >= 2 else 0.65
    if commune is not None and used is not None:
        d = commune.district
        primary = gaz.is_primary(used.squashed, commune)
        unit = {
            "province": d.province,
            "district_type": d.type,
            "district": d.name,
            "commune_type": used.type or commune.type if not primary else commune.type,
            # a former name: as the gazetteer writes it (`DONG DU COMMUNE` -> Đông Dư), else as printed
            "commune": commune.name if primary else gaz.former_name(commune, used.squashed) or used.text_name,
        }
        if primary:
            unit["code"] = commune.code
        else:
            # a name the gazetteer keeps only as an alias: merged into `commune` before 2025
            unit["merged_into"] = f"{commune.type} {commune.name}"
        return unit, conf if primary else conf - 0.1
    district = head_district
    if district is None and district_counts:
        pk, dk = district_counts.most_common(1)[0][0]
        district = gaz.districts[(pk, dk)]
    if district is not None:
        return {"province": district.province, "district_type": district.type, "district": district.name}, 0.6
    return None, 0.0


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


_NEW_TYPE = re.compile(r"\b(phuong|xa|dac khu)\s+")


def resolve_new_unit(
    body_lines: list[str], text: str = "", gaz: Gazetteer | None = None
) -> dict[str, Any] | None:
    """The post-July-2025 commune that issued the document, named by its body (`UBND PHƯỜNG CẦU GIẤY`).

    Used for documents issued on or after the reorganisation, whose bodies are the new units."""
    gaz = gaz or gazetteer()
    header = " ; ".join(body_lines)
    folded = fold(" ".join(header.split()))
    collapsed = " ".join(header.split())
    provinces = {k for k in provinces_in(header + " " + text, gaz) if k in gaz.new_provinces}
    for m in _NEW_TYPE.finditer(folded):
        hit = _name_after(collapsed, folded, m.end(), gaz.new_index)
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


def _dk(c: OldCommune) -> tuple[str, str]:
    return (c.district.province_key, c.district.key)


def map_to_new(
    unit_old: dict[str, Any] | None, gaz: Gazetteer | None = None
) -> tuple[dict[str, Any] | None, float]:
    """The unit after 1 July 2025. A commune split between several new ones, or a bare district, gives
    `{"ambiguous": true, "candidates": [...]}` with every candidate, never a silent pick."""
    if not unit_old:
        return None, 0.0
    gaz = gaz or gazetteer()
    source = f"{_PACKAGE} {gaz.version}"
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
