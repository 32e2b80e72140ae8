"""A generated set of phone photos of printed real documents, for checking the engine on the kind of
page a unit office takes with a phone: the real layouts of `corpus/real-docs`, photographed.

    python benchmarks/photo_set.py --out DIR [--corpus ../shared/corpus] [--seed 5] [--variants 1]
                                  [--sent-at LONG_SIDE] [--curl] [--desk pale]
    python benchmarks/ocr.py --docs DIR --tools tesseract,sohoa

Each source is a 200-dpi page of `real-docs/images`, whose exact text is known. Each variant is that
page printed and photographed with a 12-megapixel phone: enlarged to 230-310 dpi (the page fills 70-92 %
of the frame's height), grey paper and ink, a perspective and a turn of up to 6 degrees, a desk around
it (wood, grey or a pale table), light falling off across the page, sometimes the shadow of the phone,
lens blur, sensor noise, and JPEG at quality 70-92 with no resolution in the header (phones write 72).
`--curl` bends each sheet as a page lifted at its sides bends (its lines curve by 0.5-1.5 % of the page's
height, most near the top and bottom), which no flat outline or one skew angle undoes.
`--sent-at 2048` reduces each photo to that long side first, as a messaging app (Zalo, e-mail) sends it:
the page then lands at about 100-170 dpi.
The set has the layout of `real-docs` (images/, gt/), so `benchmarks/ocr.py --docs` scores it the same
way: order-free word error against the page's text.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
FRAME = (3000, 4000)  # (w, h) of a 12-megapixel photo held upright
DESKS = {"wood": (118, 84, 52), "grey": (92, 92, 98), "pale": (206, 204, 198)}


def bent(page: np.ndarray, sag: float) -> np.ndarray:
    """`page` bent around an upright axis, as a sheet lifted at its sides: each row curves, by `sag`
    (a share of the page's height) at the top and bottom edges, in opposite ways, and not at all
    halfway down. Paper beyond the sheet is -1 (left for the desk)."""
    ph, pw = page.shape
    ys, xs = np.mgrid[0:ph, 0:pw].astype(np.float32)
    across = (2.0 * xs / pw - 1.0) ** 2  # 0 in the middle, 1 at the sides
    down = (ys - ph / 2) / (ph / 2)  # -1 at the top, 1 at the bottom
    src_y = ys - sag * ph * across * down
    return cv2.remap(page, xs, src_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=-1.0)


def photograph(
    gray: np.ndarray, rng: random.Random, curl: bool = False, desk: str | None = None
) -> tuple[np.ndarray, dict]:
    """One page through the phone-photo chain; returns the RGB photo and the parameters drawn
    (`desk`: that desk, not one drawn)."""
    p = {
        "fill": rng.uniform(0.70, 0.92),
        "paper": rng.uniform(200, 240),
        "ink": rng.uniform(25, 60),
        "turn_deg": rng.uniform(-6, 6),
        "corner_jitter": rng.uniform(0.0, 0.04),
        "desk": desk or rng.choice(sorted(DESKS)),
        "light_min": rng.uniform(0.55, 0.85),
        "shadow": rng.random() < 0.5,
        "blur_sigma": rng.uniform(0.5, 1.6),
        "noise_sigma": rng.uniform(2.0, 6.0),
        "quality": rng.randint(70, 92),
    }
    fw, fh = FRAME
    h, w = gray.shape
    scale = p["fill"] * fh / h
    p["page_dpi"] = round(200 * scale)  # the sources are 200-dpi renders
    page = cv2.resize(gray, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_CUBIC)
    page = p["ink"] + (p["paper"] - p["ink"]) * page.astype(np.float32) / 255.0
    if curl:
        p["sag"] = rng.uniform(0.005, 0.015) * rng.choice((-1, 1))
        page = bent(page, p["sag"])
    ph, pw = page.shape
    # Where the page's corners land: centred, turned, each corner moved a little (perspective).
    centre = np.float32([fw / 2 + rng.uniform(-0.03, 0.03) * fw, fh / 2 + rng.uniform(-0.03, 0.03) * fh])
    a = np.radians(p["turn_deg"])
    rot = np.float32([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    corners = np.float32([[-pw / 2, -ph / 2], [pw / 2, -ph / 2], [pw / 2, ph / 2], [-pw / 2, ph / 2]])
    jitter = np.float32([[rng.uniform(-1, 1), rng.uniform(-1, 1)] for _ in range(4)])
    jitter *= p["corner_jitter"] * pw
    dst = corners @ rot.T + centre + jitter
    src = np.float32([[0, 0], [pw, 0], [pw, ph], [0, ph]])
    warp = cv2.getPerspectiveTransform(src, dst)
    paper = cv2.warpPerspective(page, warp, FRAME, flags=cv2.INTER_LINEAR, borderValue=-1.0)
    on_page = paper >= 0
    desk = np.float32(DESKS[p["desk"]])
    noise = np.random.default_rng(rng.randrange(2**32))
    grain = cv2.GaussianBlur(noise.normal(0, 12, (fh, fw)).astype(np.float32), (0, 0), 3)
    photo = np.empty((fh, fw, 3), np.float32)
    for c in range(3):
        tint = (1.0, 0.97, 0.92)[c]  # warm light on white paper
        photo[..., c] = np.where(on_page, paper * tint, desk[c] + grain)
    # Light falls off from one side to the other, and towards the corners.
    ys, xs = np.mgrid[0:fh, 0:fw].astype(np.float32)
    d = np.float32([rng.uniform(-1, 1), rng.uniform(-1, 1)])
    ramp = (xs / fw - 0.5) * d[0] + (ys / fh - 0.5) * d[1]
    ramp = (ramp - ramp.min()) / max(float(ramp.max() - ramp.min()), 1e-6)
    vignette = ((xs / fw - 0.5) ** 2 + (ys / fh - 0.5) ** 2) / 0.5
    light = 1.0 - (1.0 - p["light_min"]) * np.clip(0.7 * ramp + 0.3 * vignette, 0, 1)
    if p["shadow"]:  # the phone's shadow: a soft-edged darker half-plane across a part of the page
        across = rng.random() < 0.5
        along, side = (xs, fw) if across else (ys, fh)
        edge = rng.uniform(0.15, 0.45) * side
        soft = 1.0 / (1.0 + np.exp((along - edge) / 60.0))
        light *= 1.0 - rng.uniform(0.15, 0.35) * soft
    photo *= light[..., None]
    photo = cv2.GaussianBlur(photo, (0, 0), p["blur_sigma"])
    photo += noise.normal(0, p["noise_sigma"], photo.shape).astype(np.float32)
    return np.clip(photo + 0.5, 0, 255).astype(np.uint8), p


def sent(photo: np.ndarray, long_side: int) -> np.ndarray:
    """The photo as a messaging app sends it: reduced to `long_side` pixels (never enlarged)."""
    h, w = photo.shape[:2]
    f = long_side / max(h, w)
    if f >= 1.0:
        return photo
    return cv2.resize(photo, (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA)


def build(
    corpus: Path,
    out: Path,
    variants: int,
    seed: int,
    long_side: int = 0,
    curl: bool = False,
    desk: str | None = None,
) -> list[str]:
    rng = random.Random(seed)
    src_root = corpus / "real-docs"
    sources = sorted((src_root / "images").glob("*.png"))
    if not sources:
        raise SystemExit(f"{src_root / 'images'}: no pages here (the real-docs set; see --corpus)")
    (out / "images").mkdir(parents=True, exist_ok=True)
    (out / "gt").mkdir(exist_ok=True)
    names = []
    params = {}
    for src in sources:
        gray = np.asarray(Image.open(src).convert("L"))
        for v in range(variants):
            photo, p = photograph(gray, rng, curl, desk)
            if long_side:
                photo = sent(photo, long_side)
                p["page_dpi"] = round(p["page_dpi"] * long_side / max(FRAME))
            name = f"ph{seed}-{src.stem}{chr(ord('a') + v)}"
            Image.fromarray(photo).save(out / "images" / f"{name}.jpg", "JPEG", quality=p["quality"])
            shutil.copy(src_root / "gt" / f"{src.stem}.txt", out / "gt" / f"{name}.txt")
            params[name] = p
            names.append(name)
            print(f"{name}: {p['page_dpi']} dpi, turn {p['turn_deg']:.1f}, desk {p['desk']}, q{p['quality']}")
    (out / "params.json").write_text(json.dumps(params, indent=1), encoding="utf-8")
    return names


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--variants", type=int, default=1, help="photos drawn per source page")
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--sent-at", type=int, default=0, metavar="LONG_SIDE", help="reduce each photo to this")
    ap.add_argument("--curl", action="store_true", help="bend each sheet (lines curve)")
    ap.add_argument("--desk", choices=sorted(DESKS), help="every sheet on this desk (default: drawn)")
    a = ap.parse_args()
    names = build(a.corpus.resolve(), a.out.resolve(), a.variants, a.seed, a.sent_at, a.curl, a.desk)
    print(f"{len(names)} photos in {a.out}")


if __name__ == "__main__":
    main()
