"""Regenerate `storage/data/districts.json` and `storage/data/communes.json` from `vietnamadminunits`.

    .venv/bin/python -m storage.make_districts_data

Two tables of the package, province code 01 (Hanoi):
- `admin_units`: the 126 commune-level units (51 phường, 75 xã) in force since 1 July 2025, when the
  district level was abolished. Their offices upload new scans.
- `admin_units_legacy` (pre-July-2025, 63 provinces): the 30 former district-level units (12 quận,
  17 huyện, 1 thị xã). They no longer exist as administrative units, but their offices still hold
  the backlog, which is why uploads are also confined per former district.

The committed files keep the runtime free of the package's loader (and its geo dependencies);
`tests/test_districts.py` checks them against the package.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from storage.districts import COMMUNES_FILE, DATA_FILE, slugify

HANOI_CODE = "01"


def _units_from_package(table: str, column: str, slug_of_full_name: bool) -> list[dict[str, Any]]:
    """Hanoi's units of one table; `column` is the package's column prefix (`district` or `ward`)."""
    from vietnamadminunits.database.main import query  # optional: only to regenerate

    rows = query(
        f"SELECT DISTINCT {column}Code, {column}, {column}Short, {column}Type FROM {table} "
        f"WHERE provinceCode = '{HANOI_CODE}' ORDER BY {column}Code"
    )
    return [
        {
            "code": r[f"{column}Code"],
            "name": r[column],
            "short_name": r[f"{column}Short"],
            "kind": r[f"{column}Type"],
            "slug": slugify(r[column] if slug_of_full_name else r[f"{column}Short"]),
        }
        for r in rows
    ]


def rows_from_package() -> list[dict[str, Any]]:
    """The former districts; slug: the short name ("cau-giay")."""
    return _units_from_package("admin_units_legacy", "district", slug_of_full_name=False)


def communes_from_package() -> list[dict[str, Any]]:
    """The current communes; slug: the full name with its kind ("phuong-cau-giay"), so that it never
    equals a former district's slug."""
    return _units_from_package("admin_units", "ward", slug_of_full_name=True)


def package_version() -> str:
    from importlib.metadata import version

    return version("vietnamadminunits")


def document() -> dict[str, Any]:
    return {
        "source": (
            f"vietnamadminunits {package_version()}, table admin_units_legacy, provinceCode {HANOI_CODE}"
        ),
        "province": "Thành phố Hà Nội",
        "districts": rows_from_package(),
    }


def communes_document() -> dict[str, Any]:
    return {
        "source": f"vietnamadminunits {package_version()}, table admin_units, provinceCode {HANOI_CODE}",
        "province": "Thành phố Hà Nội",
        "effective": "2025-07-01",
        "communes": communes_from_package(),
    }


def render(doc: dict[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def main() -> int:
    for path, doc in ((DATA_FILE, document()), (COMMUNES_FILE, communes_document())):
        Path(path).write_text(render(doc), encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
