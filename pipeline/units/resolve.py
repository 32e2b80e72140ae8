"""The old unit (before 1 July 2025) a document belongs to or concerns: named by its issuing body, or
the commune its text names most, exactly or one OCR slip away; a name several districts share is
settled by the other names of the text, else by the district office that uploaded the scan."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from pipeline.textnorm import squash
from pipeline.units.data import HANOI, Gazetteer, OldCommune, OldDistrict, gazetteer
from pipeline.units.mentions import (
    Mention,
    commune_fits,
    find_mentions,
    fuzzy_mentions,
    provinces_in,
)

DEFAULT_PROVINCE = HANOI  # the archive's own province: used only when the text names none


@dataclass(frozen=True)
class UnitEvidence:
    """What a document says about its unit."""

    bodies: tuple[str, ...]  # issuing body first, then the parent body
    text: str  # the whole text
    place: str | None = None  # the place of the date line (often the district, without its type word)
    # the slug of the former district whose office uploaded the scan (`cau-giay`): settles a name that
    # several districts share, never overrides what the text says
    district_hint: str | None = None

    @property
    def header(self) -> str:
        return " ; ".join(self.bodies)


def _dk(c: OldCommune) -> tuple[str, str]:
    return (c.district.province_key, c.district.key)


class _OldUnitSearch:
    """The evidence of one document, counted once, and the steps that turn it into a commune."""

    def __init__(self, ev: UnitEvidence, gaz: Gazetteer, default_province: str | None) -> None:
        self.gaz = gaz
        self.header = ev.header
        self.head_mentions = find_mentions(self.header, gaz)
        self.text_mentions = find_mentions(ev.text, gaz)
        prov_counts = provinces_in(self.header + " " + ev.text, gaz)
        self.old_provinces = {k for k in prov_counts if k in gaz.old_provinces}
        if not self.old_provinces and default_province in gaz.old_provinces:
            # nothing names a province (a ward's notice rarely says `Hà Nội`): the archive's own
            self.old_provinces = {str(default_province)}
        self.district_counts = self._count_districts(ev.text, ev.place)
        self.head_district = self._head_district()
        self.head_names_district = any(m.level == "district" for m in self.head_mentions)
        self.co_named = self._co_named_districts()
        hint = gaz.district_by_slug(ev.district_hint) if ev.district_hint else None
        self.hint = hint if hint and self.in_province(hint.province_key) else None
        self.hinted: set[str] = set()  # communes the hint decided (full keys)

    def in_province(self, unit_pkey: str) -> bool:
        return not self.old_provinces or unit_pkey in self.old_provinces

    def _count_districts(self, text: str, place: str | None) -> Counter[tuple[str, str]]:
        counts: Counter[tuple[str, str]] = Counter()
        for m in self.text_mentions + self.head_mentions:
            if m.level == "district":
                for d in m.candidates:
                    if self.in_province(d.province_key):
                        counts[(d.province_key, d.key)] += 1
        for d in self.gaz.district_index.get(squash(place or ""), []):
            if self.in_province(d.province_key) and self.gaz.is_primary(squash(place or ""), d):
                counts[(d.province_key, d.key)] += 1  # `Hà Đông, ngày ...`
        return counts

    def _head_district(self) -> OldDistrict | None:
        """The district the document belongs to: named by the issuing or parent body."""
        for m in self.head_mentions:
            if m.level == "district":
                ds = [d for d in m.candidates if self.in_province(d.province_key)]
                if ds:
                    return max(ds, key=lambda d: self.district_counts[(d.province_key, d.key)])
        return None

    def _co_named_districts(self) -> Counter[tuple[str, str]]:
        """Districts of the communes the text names without ambiguity: evidence for a name that
        several districts share (`phường Minh Khai` beside `phường Vĩnh Tuy` is Hai Bà Trưng's)."""
        counts: Counter[tuple[str, str]] = Counter()
        for m in self.text_mentions + self.head_mentions:
            if m.level == "commune":
                cands = {_dk(c) for c in m.candidates if self.in_province(c.district.province_key)}
                if len(cands) == 1:
                    counts[next(iter(cands))] += 1
        return counts

    def pick(self, cands: list[OldCommune]) -> OldCommune | None:
        """The one commune a name stands for, or None when the evidence cannot tell."""
        cands = [c for c in cands if self.in_province(c.district.province_key)]
        if self.head_district:
            same = [c for c in cands if c.district == self.head_district]
            if same:
                return same[0]
            if self.head_names_district:
                return None  # a district body speaks of its own communes
        if not cands:
            return None
        ranked = sorted(cands, key=lambda c: -self.district_counts[_dk(c)])
        if len(ranked) > 1 and self.district_counts[_dk(ranked[0])] == self.district_counts[_dk(ranked[1])]:
            return self._settle(
                [c for c in ranked if self.district_counts[_dk(c)] == self.district_counts[_dk(ranked[0])]]
            )
        return ranked[0]

    def _settle(self, tied: list[OldCommune]) -> OldCommune | None:
        """Same name in several districts and the districts named do not tell them apart: the other
        communes the text names, else the district office that uploaded the scan."""
        best = max(self.co_named[_dk(c)] for c in tied)
        top = [c for c in tied if self.co_named[_dk(c)] == best]
        if best and len(top) == 1:
            return top[0]
        if self.hint:
            hinted = [c for c in tied if c.district == self.hint]
            if len(hinted) == 1:
                self.hinted.add(hinted[0].full_key)
                return hinted[0]
        return None

    def ambiguous(self) -> Mention | None:
        """The commune name the header (else the text, when it names only one) gives, when several
        districts have it and nothing tells which."""
        for mentions in (self.head_mentions, self.text_mentions):
            names = {m.squashed for m in mentions if m.level == "commune"}
            for m in mentions:
                if m.level != "commune" or (mentions is self.text_mentions and len(names) != 1):
                    continue
                cands = [
                    c
                    for c in m.candidates
                    if commune_fits(c, m.type) and self.in_province(c.district.province_key)
                ]
                if len({c.district for c in cands}) > 1 and all(
                    self.gaz.is_primary(m.squashed, c) for c in cands
                ):
                    return Mention(m.level, m.type, m.squashed, m.start, cands, m.text_name, m.span)
        return None

    def _pick_mention(self, m: Mention) -> OldCommune | None:
        return self.pick([c for c in m.candidates if commune_fits(c, m.type)] or m.candidates)

    def from_header(self) -> tuple[OldCommune, Mention, float] | None:
        for m in self.head_mentions:
            if m.level == "commune":
                commune = self._pick_mention(m)
                if commune:
                    return commune, m, 0.95
        return None

    def from_text(self) -> tuple[OldCommune, Mention, float] | None:
        """The commune the text names most (the first named on a tie)."""
        votes: Counter[str] = Counter()
        first: dict[str, int] = {}
        by_key: dict[str, tuple[OldCommune, Mention]] = {}
        for m in self.text_mentions:
            if m.level != "commune":
                continue
            c = self._pick_mention(m)
            if c:
                # votes per name as written: `Sài Đồng` and `Phúc Lợi` are two old units even if the
                # gazetteer has already folded one into the other
                vkey = f"{c.full_key}|{m.squashed}"
                votes[vkey] += 1
                first.setdefault(vkey, m.start)
                by_key.setdefault(vkey, (c, m))
        if not votes:
            return None
        best = max(votes, key=lambda k: (votes[k], -first[k]))
        commune, used = by_key[best]
        return commune, used, 0.85 if votes[best] >= 2 else 0.7

    def from_slips(self, text: str) -> tuple[OldCommune, Mention, float] | None:
        """No name as printed: one OCR slip away from a commune of the known district (or, for the
        issuing body, of the province)."""
        districts = [self.head_district] if self.head_district else []
        if not districts and self.district_counts:
            top = self.district_counts.most_common(2)
            if len(top) == 1 or top[0][1] > top[1][1]:
                districts = [self.gaz.districts[top[0][0]]]
        pool = [kc for d in districts for kc in self.gaz.keys_of_district(d)]
        head_pool = pool
        if not head_pool and len(self.old_provinces) == 1:
            pk = next(iter(self.old_provinces))
            head_pool = [
                kc
                for d in self.gaz.districts.values()
                if d.province_key == pk
                for kc in self.gaz.keys_of_district(d)
            ]
        found = fuzzy_mentions(self.header, head_pool) if head_pool else []
        hit: tuple[OldCommune, Mention, float] | None = None
        if found:
            hit = found[0].candidates[0], found[0], 0.8
        via_hint = not pool and self.hint is not None
        if via_hint:
            pool = self.gaz.keys_of_district(self.hint)  # in the text: the uploading office's communes
        if not found and pool:
            votes: Counter[str] = Counter()
            seen: dict[str, Mention] = {}
            for m in fuzzy_mentions(text, pool):
                votes[m.candidates[0].full_key + "|" + m.squashed] += 1
                seen.setdefault(m.candidates[0].full_key + "|" + m.squashed, m)
            if votes:
                best = max(votes, key=lambda k: (votes[k], -seen[k].start))
                used = seen[best]
                hit = used.candidates[0], used, 0.75 if votes[best] >= 2 else 0.65
        if hit and via_hint and hit[0].district == self.hint:
            self.hinted.add(hit[0].full_key)
        return hit

    def district_only(self) -> OldDistrict | None:
        district = self.head_district
        if district is None and self.district_counts:
            district = self.gaz.districts[self.district_counts.most_common(1)[0][0]]
        return district


def _commune_unit(gaz: Gazetteer, commune: OldCommune, used: Mention) -> tuple[dict[str, Any], bool]:
    """admin_unit_old of a commune, and whether the name used is its own (not a former name)."""
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
    return unit, primary


def resolve_old_unit(
    evidence: UnitEvidence,
    gaz: Gazetteer | None = None,
    default_province: str | None = DEFAULT_PROVINCE,
) -> tuple[dict[str, Any] | None, float]:
    """The old unit the document belongs to (from its issuing/parent body) or concerns (from the text).
    Returns (admin_unit_old, confidence)."""
    gaz = gaz or gazetteer()
    search = _OldUnitSearch(evidence, gaz, default_province)
    found = search.from_header() or search.from_text() or search.from_slips(evidence.text)
    if found is not None:
        commune, used, conf = found
        unit, primary = _commune_unit(gaz, commune, used)
        if commune.full_key in search.hinted:
            unit["source"], conf = "upload_prefix", min(conf, 0.8)
        else:
            unit["source"] = "text"
        return unit, conf if primary else conf - 0.1
    source = {"source": "text"}
    district = search.district_only()
    if district is not None:
        unit = {"province": district.province, "district_type": district.type, "district": district.name}
        return {**unit, **source}, 0.6
    shared = search.ambiguous()
    if shared is not None:
        return {**_shared_name_unit(shared), **source}, 0.5
    return None, 0.0


def _shared_name_unit(m: Mention) -> dict[str, Any]:
    """A commune whose name several districts have, and nothing to tell which: every candidate."""
    first = m.candidates[0]
    return {
        "province": first.district.province,
        "commune_type": first.type,
        "commune": first.name,
        "ambiguous": True,
        "reason": "name_in_several_districts",
        "candidates": [
            {"district_type": c.district.type, "district": c.district.name, "code": c.code}
            for c in m.candidates
        ],
    }
