"""Tesseract's CPU by the format the page is handed over in: the same pixels as PGM, BMP, TIFF and PNG.

    python benchmarks/tesseract_input.py [--corpus ../shared/corpus] [--pages 8] [--repeat 3]

Takes pages of the main DEV set (reduced by 2/3: 300-dpi pages as the engine reads them), of
`real-docs/images` (200 dpi) and of `more/dev4`'s verylow class (enlarged 2.9x, as the engine reads
them), writes each in every format, and runs `tesseract IMAGE OUT -l vie --psm 4 tsv` on them in
alternating order, `--repeat` rounds. Prints CPU seconds per page and format (the least of the
rounds: the one the shared machine disturbed least), and whether every format gave the same TSV.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import tempfile
from pathlib import Path

import cv2
import numpy as np

FORMATS = {
    ".pgm": [],
    ".bmp": [],
    ".tif": [cv2.IMWRITE_TIFF_COMPRESSION, 1],
    ".png": [cv2.IMWRITE_PNG_COMPRESSION, 1],
}
ENV = {**os.environ, "OMP_THREAD_LIMIT": "1"}


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def pages(corpus: Path, n: int) -> list[tuple[str, np.ndarray]]:
    """(name, gray page as the engine hands it to Tesseract) from three kinds of page."""
    out: list[tuple[str, np.ndarray]] = []
    for path in sorted((corpus / "images").glob("*.png"))[:n]:
        gray = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
        out.append(
            (
                f"DEV {path.stem} (reduced x2/3)",
                cv2.resize(gray, None, fx=2 / 3, fy=2 / 3, interpolation=cv2.INTER_AREA),
            )
        )
    for path in sorted((corpus / "real-docs" / "images").glob("*.png"))[:n]:
        out.append((f"real-docs {path.stem} (200 dpi)", cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)))
    dev4 = corpus / "more" / "dev4"
    if (dev4 / "manifest.json").exists():
        samples = json.loads((dev4 / "manifest.json").read_text())["samples"]
        verylow = [s["files"]["image"] for s in samples if s["degradation_class"] == "verylow_jpeg"]
        for rel in verylow[:n]:
            gray = cv2.imread(str(dev4 / rel), cv2.IMREAD_GRAYSCALE)
            enlarged = cv2.resize(gray, None, fx=2.9, fy=2.9, interpolation=cv2.INTER_CUBIC)
            out.append((f"dev4 {Path(rel).stem} (verylow, x2.9)", enlarged))
    if not out:
        raise SystemExit(f"{corpus}: no pages found under images/, real-docs/images/ or more/dev4/images/")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "corpus")
    ap.add_argument("--pages", type=int, default=8, help="pages of each kind")
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    cpu: dict[str, dict[str, list[float]]] = {}
    same = True
    with tempfile.TemporaryDirectory() as tmp:
        for name, gray in pages(a.corpus, a.pages):
            files = {ext: Path(tmp) / f"page{ext}" for ext in FORMATS}
            for ext, params in FORMATS.items():
                cv2.imwrite(str(files[ext]), gray, params)
            cpu[name] = {ext: [] for ext in FORMATS}
            digests = set()
            for rnd in range(a.repeat):
                order = list(FORMATS) if rnd % 2 == 0 else list(reversed(FORMATS))
                for ext in order:
                    c0 = children_cpu()
                    subprocess.run(
                        ["tesseract", str(files[ext]), f"{tmp}/out", "-l", "vie", "--psm", "4", "tsv"],
                        env=ENV,
                        capture_output=True,
                        check=True,
                    )
                    cpu[name][ext].append(children_cpu() - c0)
                    digests.add(hashlib.sha256(Path(f"{tmp}/out.tsv").read_bytes()).hexdigest())
            same &= len(digests) == 1
            print(
                f"{name}: {gray.shape[1]}x{gray.shape[0]}, "
                + ", ".join(f"{e} {min(v):.2f} s" for e, v in cpu[name].items()),
                flush=True,
            )
    print(f"\n| pages | {' | '.join(FORMATS)} | BMP / PGM |\n|---|{'---|' * len(FORMATS)}---|")
    for kind in ("DEV", "real-docs", "dev4"):
        rows = [v for k, v in cpu.items() if k.startswith(kind + " ")]
        if not rows:
            continue
        tot = {e: sum(min(r[e]) for r in rows) for e in FORMATS}
        print(
            f"| {kind} ({len(rows)}) | "
            + " | ".join(f"{tot[e]:.1f} s" for e in FORMATS)
            + f" | {tot['.bmp'] / tot['.pgm']:.2f} |"
        )
    print(f"\nsame TSV from every format on every page: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
