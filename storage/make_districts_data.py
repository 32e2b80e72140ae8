"""Regenerate `storage/data/districts.json` from the `vietnamadminunits` package.

    .venv/bin/pip install vietnamadminunits   # only needed to regenerate
    .venv/bin/python -m storage.make_districts_data

The source is the package's legacy (pre-1 July 2025, 63-province) table `admin_units_legacy`: Hanoi
(province code 01) had 30 district-level units (12 quận, 17 huyện, 1 thị xã). They no longer exist
as administrative units since the 2025 reform, but the archives are still kept by the former
district offices, which is why uploads are confined per former district. The committed file keeps
the runtime free of that package (and its geo dependencies); `tests/test_districts.py` checks the
file against the package when it is installed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from storage.districts import DATA_FILE, slugify

HANOI_CODE = "01"


def rows_from_package() -> list[dict[str, Any]]:
    from vietnamadminunits.database.main import query  # optional: only to regenerate

    rows = query(
        "SELECT DISTINCT districtCode, district, districtShort, districtType FROM admin_units_legacy "
        f"WHERE provinceCode = '{HANOI_CODE}' ORDER BY districtCode"
    )
    return [
        {
            "code": r["districtCode"],
            "name": r["district"],
            "short_name": r["districtShort"],
            "kind": r["districtType"],
            "slug": slugify(r["districtShort"]),
        }
        for r in rows
    ]


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


def render(doc: dict[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def main() -> int:
    Path(DATA_FILE).write_text(render(document()), encoding="utf-8")
    print(f"wrote {DATA_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
