"""The gazetteer's place names for the OCR (`ocr/data/vi-places.txt`, read by `ocr.places`).

`ocr/` sits below `pipeline/` and may not import the gazetteer, so its names are handed down as a
word list, written here and checked against the gazetteer by the tests:
`python -m pipeline.units.placelist` after the `vietnamadminunits` data changes."""

from __future__ import annotations

import sys
from pathlib import Path

from ocr.places import PLACES
from pipeline.units.data import Gazetteer, gazetteer


def place_names(gaz: Gazetteer | None = None) -> list[str]:
    """Every old and new province, district and commune name of two or more words, sorted."""
    gaz = gaz or gazetteer()
    names = set(gaz.province_short.values()) | {d.name for d in gaz.districts.values()}
    names |= {c.name for c in gaz.communes.values()} | {c.name for c in gaz.new_communes.values()}
    names |= set(gaz.former_names.values())
    return sorted(n for n in names if len(n.split()) > 1 and all(w.isalpha() for w in n.split()))


def write(path: Path = PLACES) -> int:
    names = place_names()
    path.write_text("".join(f"{n}\n" for n in names), encoding="utf-8")
    return len(names)


if __name__ == "__main__":
    print(f"{write()} place names written to {PLACES}", file=sys.stderr)
