"""A generated set of very-low-resolution JPEG scans, for tuning the engine on pages other than the
ones it is checked on.

    python benchmarks/verylow_set.py --out DIR [--corpus ../shared/corpus] [--sources dev-007,...]
                                     [--variants 4] [--seed 11]
    python benchmarks/ocr.py --set "$PWD/DIR" --tools tesseract,sohoa

Each source is a 300-dpi (or 150-dpi `lowres`) page of the main DEV set, whose exact text is known;
each variant of it goes through the corpus's own `verylow_jpeg` chain (read from the degradations its
`extra/` and `more/dev4` pages record): scanner levels, ink spread, blur, area downsampling to
60-100 dpi, a tone curve, JPEG at quality 50-75, and a resolution header that is true, missing or a
program's 72/96. The ground truth is the source's, so `score.py` scores the set as it scores the corpus.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks import derived_set

# Pages without geometric damage, in the corpus's three faces: Liberation Serif (clean, seal), DejaVu
# Serif (faded, lowres), DejaVu Sans (salt_pepper: its specks fade in the downsampling).
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
DEFAULT_SOURCES = "dev-007,dev-035,dev-046,dev-009,dev-043,dev-005,dev-020,dev-008"


def degrade(gray: np.ndarray, src_dpi: float, rng: random.Random) -> tuple[np.ndarray, dict, int | None]:
    """One page through the verylow_jpeg chain; returns it, the parameters drawn and the header."""
    lo, hi = np.percentile(gray, 0.2), np.percentile(gray, 99)  # faded ink back to black on white
    g = np.clip((gray.astype(np.float32) - lo) * 255.0 / max(hi - lo, 1.0), 0, 255)
    p = {
        "dpi": rng.uniform(60, 100),
        "paper": rng.uniform(238, 254),
        "ink": rng.uniform(20, 46),
        "spread_px_at_300dpi": rng.choice([0, 2, 4]),
        "sigma_px_at_output": rng.choice([0.0, rng.uniform(0.5, 0.8)]),
        "gamma": rng.uniform(1.05, 2.15),
        "quality": rng.randint(50, 75),
        "header": rng.choice(["true", "missing", "72_96"]),
    }
    g = p["ink"] + (p["paper"] - p["ink"]) * g / 255.0
    if p["spread_px_at_300dpi"]:
        k = max(1, round(p["spread_px_at_300dpi"] * src_dpi / 300)) + 1
        g = cv2.erode(g, np.ones((k, k), np.uint8))  # dark ink grows
    if p["sigma_px_at_output"]:
        g = cv2.GaussianBlur(g, (0, 0), p["sigma_px_at_output"] * src_dpi / p["dpi"])
    h, w = g.shape
    scale = p["dpi"] / src_dpi
    g = cv2.resize(g, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    g = 255.0 * (np.clip(g, 0, 255) / 255.0) ** (1.0 / p["gamma"])
    header = {"true": round(p["dpi"]), "missing": None, "72_96": rng.choice([72, 96])}[p["header"]]
    return np.clip(g + 0.5, 0, 255).astype(np.uint8), p, header


def build(corpus: Path, out: Path, sources: list[str], variants: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    if not (corpus / "manifest.json").is_file():
        raise SystemExit(f"{corpus}: no manifest.json here (the DEV corpus; see --corpus)")
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    by_id = {s["id"]: s for s in manifest["samples"]}
    unknown = [sid for sid in sources if sid not in by_id]
    if unknown:
        raise SystemExit(f"{corpus / 'manifest.json'}: no sample {', '.join(unknown)}")
    derived_set.start(out)
    rows = []
    for sid in sources:
        src = by_id[sid]
        if src["kind"] != "single":
            raise SystemExit(f"{sid}: only single-page samples can be sources")
        image = Image.open(corpus / src["files"]["image"])
        src_dpi = float(image.info.get("dpi", (300, 300))[0])
        gray = np.asarray(image.convert("L"))
        for v in range(variants):
            page, params, header = degrade(gray, src_dpi, rng)
            nid = f"vl-{sid.removeprefix('dev-')}{chr(ord('a') + v)}"
            kw: dict = {"quality": params["quality"]}
            if header:
                kw["dpi"] = (header, header)
            Image.fromarray(page).save(out / "images" / f"{nid}.jpg", "JPEG", **kw)
            degradations = [{"op": "downsample", **params}]
            rows.append(
                derived_set.add_page(out, corpus, src, nid, "verylow_jpeg", f"images/{nid}.jpg", degradations)
            )
            print(f"{nid}: {params['dpi']:.0f} dpi, header {header}, q{params['quality']}")
    derived_set.finish(out, manifest, rows)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--sources", default=DEFAULT_SOURCES, help="main-DEV sample ids, comma-separated")
    ap.add_argument("--variants", type=int, default=4, help="pages drawn per source")
    ap.add_argument("--seed", type=int, default=11)
    a = ap.parse_args()
    rows = build(a.corpus.resolve(), a.out.resolve(), a.sources.split(","), a.variants, a.seed)
    print(f"{len(rows)} pages in {a.out}")


if __name__ == "__main__":
    main()
