"""A generated set of main-kind pages under the corpus's hardest classes, drawn afresh, for checking
the engine on pages it was not tuned on.

    python benchmarks/scan_set.py --out DIR [--corpus ../shared/corpus] [--seed 41]
    python benchmarks/ocr.py --set "$PWD/DIR" --tools tesseract,sohoa

Each source is an undamaged page (`clean` or `seal`) of the main DEV set or `more/dev3`, whose exact
text is known. Each goes through three chains, following the operations the corpus records for its
own pages (`uneven_illumination`, `combo`), with new draws:
- `illumination`: light falling to a gain of 0.45-0.65 across the page in any direction, a soft round
  shadow, JPEG q90;
- `combo_scan`: a bad scan, skewed 0.5-2.5 degrees, shrunk and shifted on a dark scanner bed, light
  salt and pepper, PNG;
- `combo_photo`: a phone photo, corners moved 1.5-6 % onto a brown table, strong shading, blur,
  JPEG q55-75.
The ground truth is the source's, so `score.py` scores the set as it scores the corpus.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks import derived_set

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
SOURCE_CLASSES = ("clean", "seal")
SOURCE_SETS = (".", "more/dev3")


def _gain(shape: tuple[int, int], rng: random.Random, min_gain: float, shadow: bool) -> np.ndarray:
    """Light falling linearly to `min_gain` in a random direction, with an optional soft round shadow."""
    h, w = shape
    a = math.radians(rng.uniform(0, 360))
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    t = x * math.cos(a) + y * math.sin(a)
    t = (t - t.min()) / max(float(t.max() - t.min()), 1.0)
    gain = 1.0 - (1.0 - min_gain) * t
    if shadow:
        cy, cx = rng.uniform(0.1, 0.9) * h, rng.uniform(0.1, 0.9) * w
        r = rng.uniform(0.12, 0.3) * max(h, w)
        depth = rng.uniform(0.15, 0.35)
        gain *= 1.0 - depth * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * r * r))
    return gain


def _shade(rgb: np.ndarray, gain: np.ndarray) -> np.ndarray:
    return np.clip(rgb.astype(np.float32) * gain[..., None], 0, 255).astype(np.uint8)


def illumination(rgb: np.ndarray, rng: random.Random) -> tuple[np.ndarray, dict]:
    p = {"min_gain": round(rng.uniform(0.45, 0.65), 3), "quality": 90}
    return _shade(rgb, _gain(rgb.shape[:2], rng, p["min_gain"], shadow=True)), p


def bad_scan(rgb: np.ndarray, rng: random.Random) -> tuple[np.ndarray, dict]:
    h, w = rgb.shape[:2]
    p = {
        "angle_deg": round(rng.choice([-1, 1]) * rng.uniform(0.5, 2.5), 2),
        "scale": round(rng.uniform(0.93, 0.97), 3),
        "salt_pepper": round(rng.uniform(0.001, 0.003), 4),
        "specks": rng.randint(100, 250),
    }
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), p["angle_deg"], 1.0)
    page = cv2.warpAffine(rgb, turn, (w, h), borderValue=(255, 255, 255))
    small = cv2.resize(page, (round(w * p["scale"]), round(h * p["scale"])), interpolation=cv2.INTER_AREA)
    bed = np.full_like(rgb, rng.randint(20, 60))
    dx, dy = rng.randint(0, w - small.shape[1]), rng.randint(0, h - small.shape[0])
    bed[dy : dy + small.shape[0], dx : dx + small.shape[1]] = small
    nrng = np.random.default_rng(rng.randrange(2**32))
    hit = nrng.random((h, w)) < p["salt_pepper"]
    bed[hit] = np.where(nrng.random(int(hit.sum())) < 0.5, 0, 255)[:, None]
    for _ in range(p["specks"]):
        cv2.circle(bed, (rng.randrange(w), rng.randrange(h)), rng.randint(1, 3), (0, 0, 0), -1)
    return bed, p


def phone_photo(rgb: np.ndarray, rng: random.Random) -> tuple[np.ndarray, dict]:
    h, w = rgb.shape[:2]
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    inward = np.float32([[1, 1], [-1, 1], [-1, -1], [1, -1]])
    moved = [[rng.uniform(0.015, 0.06) * w, rng.uniform(0.015, 0.06) * h] for _ in range(4)]
    dst = src + inward * np.float32(moved)
    p = {
        "corners_dst": [[round(float(v), 1) for v in corner] for corner in dst],
        "min_gain": round(rng.uniform(0.45, 0.65), 3),
        "sigma_px": round(rng.uniform(1.0, 1.6), 2),
        "quality": rng.randint(55, 75),
    }
    table = np.array([rng.randint(70, 110), rng.randint(55, 80), rng.randint(40, 60)], np.uint8)  # RGB brown
    photo = cv2.warpPerspective(
        rgb, cv2.getPerspectiveTransform(src, dst), (w, h), borderValue=table.tolist()
    )
    photo = _shade(photo, _gain((h, w), rng, p["min_gain"], shadow=False))
    return cv2.GaussianBlur(photo, (0, 0), p["sigma_px"]), p


CHAINS = {
    "illumination": (illumination, "jpg"),
    "combo_scan": (bad_scan, "png"),
    "combo_photo": (phone_photo, "jpg"),
}


def sources(corpus: Path) -> list[tuple[Path, dict]]:
    found = []
    for name in SOURCE_SETS:
        root = corpus / name
        manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
        for s in manifest["samples"]:
            if s["kind"] == "single" and s["degradation_class"] in SOURCE_CLASSES:
                found.append((root, s))
    return found


def build(corpus: Path, out: Path, seed: int) -> list[dict]:
    if not (corpus / "manifest.json").is_file():
        raise SystemExit(f"{corpus}: no manifest.json here (the DEV corpus; see --corpus)")
    rng = random.Random(seed)
    derived_set.start(out)
    rows, manifest = [], json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    for root, src in sources(corpus):
        rgb = np.asarray(Image.open(root / src["files"]["image"]).convert("RGB"))
        for cls, (chain, ext) in CHAINS.items():
            page, params = chain(rgb, rng)
            nid = f"ss{seed}-{src['id']}-{cls.removeprefix('combo_')[:5]}"
            kw = {"quality": params["quality"]} if ext == "jpg" else {}
            Image.fromarray(page).save(out / "images" / f"{nid}.{ext}", **kw)
            image = f"images/{nid}.{ext}"
            rows.append(derived_set.add_page(out, root, src, nid, cls, image, [{"op": cls, **params}]))
            print(f"{nid}: {params}", flush=True)
    derived_set.finish(out, manifest, rows)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--seed", type=int, default=41)
    a = ap.parse_args()
    rows = build(a.corpus.resolve(), a.out.resolve(), a.seed)
    print(f"{len(rows)} pages in {a.out}")


if __name__ == "__main__":
    main()
