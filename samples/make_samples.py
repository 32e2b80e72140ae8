"""Write the bundled sample scans to samples/scans/ (run again only when the specs change)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from samples.render import render, save_jpeg, save_pdf, save_png, save_tiff, worn
from samples.specs import SAMPLES

SAVERS = {
    "png": save_png,
    "jpeg": save_jpeg,
    "pdf": save_pdf,
    "tiff": save_tiff,
    "worn-jpeg": lambda pages, path: save_jpeg([worn(p) for p in pages], path, quality=40, dpi=150),
}


def main(out: Path) -> None:
    for key, (spec, fmt) in SAMPLES.items():
        path = out / key
        path.parent.mkdir(parents=True, exist_ok=True)
        SAVERS[fmt](render(spec), path)
    # a sidecar with what the office knows, and a broken upload that must end quarantined
    (out / "cau-giay/2024/qd-123-thu-hoi-dat.json").write_text(
        json.dumps(
            {"file_code": "HS-CG-2024-015", "box_number": "12", "retention_period": "Vĩnh viễn"},
            ensure_ascii=False,
            indent=2,
        )
        + "\n"
    )
    full = (out / "hoan-kiem/2025/tb-07-tiep-cong-dan.pdf").read_bytes()
    (out / "hoan-kiem/2025/scan-bi-loi.pdf").write_bytes(full[: len(full) // 3])


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "scans")
