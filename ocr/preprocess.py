"""Page preprocessing: one small function per step, each gated on a measurement.

Every step takes an image and returns `(new_image, measurements)`; `measurements["applied"]` says
whether it changed the image. Real scans differ from rendered pages (no dpi header, 70-dpi JPEGs,
1-bit faxes), so nothing trusts the file header and nothing destructive runs without evidence:
the page stays grayscale (Tesseract binarises it itself), resolution is estimated from the text.
"""

from __future__ import annotations

import math
from typing import Any

import cv2
import numpy as np

Measures = dict[str, Any]

# Steps that move pixels (crop, turn, deskew, rescale) put the 3x3 matrix that maps the coordinates of
# their input to those of their output under this key; the engine pops and composes them, so that the
# words can be put back on the scan as it was uploaded (the archival PDF's text layer).
MATRIX = "matrix"


def scale_matrix(sx: float, sy: float) -> np.ndarray:
    return np.diag([sx, sy, 1.0])


def rotate90_matrix(shape: tuple[int, ...], degrees_cw: int) -> np.ndarray:
    """Coordinates before -> after `rotate90s(image of this shape, degrees_cw)` (pixel-edge convention)."""
    h, w = shape[:2]
    d = degrees_cw % 360
    table = {
        0: [[1, 0, 0], [0, 1, 0]],
        90: [[0, -1, h], [1, 0, 0]],
        180: [[-1, 0, w], [0, -1, h]],
        270: [[0, 1, 0], [-1, 0, w]],
    }
    return np.array([*table[d], [0, 0, 1]], dtype=np.float64)


def affine3(m: np.ndarray) -> np.ndarray:
    """A 2x3 OpenCV affine matrix as 3x3."""
    return np.vstack([np.asarray(m, dtype=np.float64), [0.0, 0.0, 1.0]])


TARGET_CHAR_H = (
    34.0  # median height (px) of text components (local threshold) on a 300-dpi page of 13 pt text
)
STRETCH_INK = 70  # ink lighter than this (0.5th percentile) is stretched to black


def _small(gray: np.ndarray, max_side: int, *, exact: bool = False) -> tuple[np.ndarray, float]:
    """A reduced copy for measuring, and its scale factor. By default the page is reduced by the whole
    factor nearest to `max_side` (the copy's long side lands within ~15 % of it): area averaging by a
    whole factor costs a fifth of a non-integer one (~20 ms on a 300-dpi page whatever the target size),
    and it mixes no neighbouring pixels the way a second, fractional resampling would (thin coloured
    strokes keep their saturation). `exact` gives `max_side` exactly (calibrated measurements)."""
    h, w = gray.shape[:2]
    f = min(1.0, max_side / max(h, w))
    if f >= 1.0:
        return gray, 1.0
    k = round(1.0 / f)
    if exact or k < 2:
        return cv2.resize(gray, (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA), f
    # Crop to a multiple of k (at most k-1 edge pixels) so OpenCV takes its fast integer path.
    return cv2.resize(gray[: h - h % k, : w - w % k], (w // k, h // k), interpolation=cv2.INTER_AREA), 1.0 / k


def _ink_mask(gray: np.ndarray) -> np.ndarray:
    """Dark pixels (text) as 255: a local threshold, so shading and shadows do not count as ink."""
    block = max(15, (max(gray.shape) // 40) | 1)
    smooth = cv2.GaussianBlur(gray, (3, 3), 0)
    return cv2.adaptiveThreshold(smooth, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 15)


# ---------------------------------------------------------------- colour


def to_gray(image: np.ndarray) -> tuple[np.ndarray, Measures]:
    """Gray page. When coloured ink is present (red seal, blue signature), take the brightest channel:
    red and blue ink are bright in their own channel and vanish, black text stays dark in all three."""
    if image.ndim == 2:
        return image, {"step": "gray", "applied": False, "colour": False}
    small, _ = _small(image, 800)
    hsv = cv2.cvtColor(small, cv2.COLOR_RGB2HSV)
    sat, val, hue = hsv[..., 1], hsv[..., 2], hsv[..., 0]
    inky = (sat > 90) & (val > 50)
    red = inky & ((hue < 12) | (hue > 165))
    blue = inky & (hue > 95) & (hue < 135)
    red_share, blue_share = float(red.mean()), float(blue.mean())
    colour_ink = red_share > 0.0005 or blue_share > 0.0005
    if colour_ink:
        r, g, b = cv2.split(image)
        gray = cv2.max(cv2.max(r, g), b)
    else:
        gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    return gray, {
        "step": "remove_colour_ink" if colour_ink else "gray",
        "applied": colour_ink,
        "colour": True,
        "red_share": round(red_share, 5),
        "blue_share": round(blue_share, 5),
    }


# ---------------------------------------------------------------- resolution


def measure_text_height(gray: np.ndarray) -> tuple[float | None, int]:
    """Median height of character-sized connected components, and how many there were."""
    small, f = _small(gray, 2000, exact=True)  # calibrated at this size: smaller copies merge glyphs
    mask = _ink_mask(small)
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if n < 2:
        return None, 0
    hs = stats[1:, cv2.CC_STAT_HEIGHT].astype(np.float32)
    ws = stats[1:, cv2.CC_STAT_WIDTH].astype(np.float32)
    area = stats[1:, cv2.CC_STAT_AREA].astype(np.float32)
    big = max(small.shape) / 20
    keep = (hs >= 4) & (hs < big) & (ws < big) & (ws >= 2) & (area >= 6)
    if keep.sum() < 30:
        return None, int(keep.sum())
    return float(np.median(hs[keep])) / f, int(keep.sum())


def rescale_to_300dpi(gray: np.ndarray, *, max_factor: float = 4.0) -> tuple[np.ndarray, Measures]:
    """Upscale pages whose text is small (low-resolution scans and photos) to about 300 dpi.
    The scale comes from the text itself, never from the file header."""
    char_h, n = measure_text_height(gray)
    m: Measures = {"step": "rescale", "applied": False, "char_h": char_h and round(char_h, 1), "n_cc": n}
    if char_h is None:
        m["est_dpi"] = None
        return gray, m
    est_dpi = 300.0 * char_h / TARGET_CHAR_H
    m["est_dpi"] = round(est_dpi)
    factor = min(max_factor, TARGET_CHAR_H / char_h)
    if factor < 1.6:  # 12-14 pt text at 190 dpi or more reads fine as it is
        return gray, m
    h, w = gray.shape
    out = cv2.resize(gray, (round(w * factor), round(h * factor)), interpolation=cv2.INTER_CUBIC)
    m.update(applied=True, factor=round(factor, 3))
    m[MATRIX] = scale_matrix(out.shape[1] / w, out.shape[0] / h)
    return out, m


# ---------------------------------------------------------------- geometry


def _profile_score(points: np.ndarray, angle: float, height: int) -> float:
    """Sharpness of the row profile of ink points rotated by `angle`: high when lines are level."""
    a = math.radians(angle)
    ys = points[:, 1] * math.cos(a) - points[:, 0] * math.sin(a)
    rows = np.bincount((ys + height).astype(np.int32), minlength=3 * height).astype(np.float64)
    return float(np.square(np.diff(rows)).sum())


def _ink_points(gray: np.ndarray, max_side: int) -> tuple[np.ndarray, int]:
    small, _ = _small(gray, max_side)
    ys, xs = np.nonzero(_ink_mask(small))
    cy, cx = small.shape[0] / 2, small.shape[1] / 2
    pts = np.stack([xs - cx, ys - cy], axis=1).astype(np.float32)
    if len(pts) > 120_000:  # a random subset keeps the profile and bounds the cost
        pts = pts[np.random.default_rng(0).choice(len(pts), 120_000, replace=False)]
    return pts, max(small.shape)


def estimate_skew(gray: np.ndarray, *, max_angle: float = 15.0) -> tuple[float, float]:
    """Skew angle (degrees, counter-clockwise positive as cv2) by projection-profile search, and a
    sharpness ratio: best score over the median score (near 1: no line structure found)."""
    pts, size = _ink_points(gray, 1200)
    if len(pts) < 100:
        return 0.0, 1.0
    coarse = np.arange(-max_angle, max_angle + 0.01, 0.5)
    scores = [_profile_score(pts, a, size) for a in coarse]
    best = float(coarse[int(np.argmax(scores))])
    fine = np.arange(best - 0.5, best + 0.51, 0.05)
    fscores = [_profile_score(pts, a, size) for a in fine]
    angle = float(fine[int(np.argmax(fscores))])
    ratio = max(scores) / (float(np.median(scores)) or 1.0)
    return angle, ratio


def rotation_matrix(shape: tuple[int, ...], angle: float) -> tuple[np.ndarray, tuple[int, int]]:
    """The 2x3 matrix and output size (w, h) of `rotate`: around the centre, canvas grown to fit."""
    h, w = shape[:2]
    rot = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    cos, sin = abs(rot[0, 0]), abs(rot[0, 1])
    nw, nh = int(h * sin + w * cos), int(h * cos + w * sin)
    rot[0, 2] += nw / 2 - w / 2
    rot[1, 2] += nh / 2 - h / 2
    return rot, (nw, nh)


def rotate(gray: np.ndarray, angle: float) -> np.ndarray:
    """Rotate around the centre by `angle` degrees (cv2 convention), growing the canvas, white fill."""
    rot, size = rotation_matrix(gray.shape, angle)
    return cv2.warpAffine(gray, rot, size, flags=cv2.INTER_LINEAR, borderValue=255)


def deskew(
    gray: np.ndarray, *, max_angle: float = 15.0, min_angle: float = 0.1
) -> tuple[np.ndarray, Measures]:
    angle, ratio = estimate_skew(gray, max_angle=max_angle)
    m: Measures = {
        "step": "deskew",
        "applied": False,
        "angle": round(angle, 2),
        "peak_ratio": round(ratio, 2),
    }
    if abs(angle) < min_angle or ratio < 2.0:
        return gray, m
    m["applied"] = True
    m[MATRIX] = affine3(rotation_matrix(gray.shape, angle)[0])
    return rotate(gray, angle), m


def is_sideways(gray: np.ndarray) -> tuple[bool, Measures]:
    """Text lines run vertically (a page rotated by 90 or 270): compare line-structure scores."""
    pts, size = _ink_points(gray, 800)
    if len(pts) < 100:
        return False, {"step": "sideways_check", "ratio": None}
    upright = max(_profile_score(pts, a, size) for a in (-4.0, -2.0, 0.0, 2.0, 4.0))
    side = max(_profile_score(pts[:, ::-1].copy(), a, size) for a in (-4.0, -2.0, 0.0, 2.0, 4.0))
    ratio = side / (upright or 1.0)
    return ratio > 1.5, {"step": "sideways_check", "ratio": round(ratio, 2)}


def rotate90s(gray: np.ndarray, degrees_cw: int) -> np.ndarray:
    codes = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    d = degrees_cw % 360
    return gray if d == 0 else cv2.rotate(gray, codes[d])


def _order_quad(pts: np.ndarray) -> np.ndarray:
    s, d = pts.sum(axis=1), np.diff(pts, axis=1).ravel()
    return np.array([pts[np.argmin(s)], pts[np.argmin(d)], pts[np.argmax(s)], pts[np.argmax(d)]], np.float32)


def _page_masks(image: np.ndarray, max_side: int) -> tuple[list[tuple[str, np.ndarray]], np.ndarray, float]:
    """Candidate masks of paper-like pixels on a reduced copy: not very dark and not strongly coloured
    (robust to shadows on the page), and Otsu's bright class (robust to a grey desk)."""
    small, f = _small(image, max_side)
    gray = small if small.ndim == 2 else cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
    gray = cv2.GaussianBlur(gray, (5, 5), 0)
    paper = float(np.percentile(gray, 90))
    loose = gray > 0.4 * paper  # scanner bed and black margins are far darker than shaded paper
    if small.ndim == 3:
        sat = cv2.cvtColor(cv2.GaussianBlur(small, (5, 5), 0), cv2.COLOR_RGB2HSV)[..., 1]
        loose &= sat < 80  # a wooden or coloured desk is saturated; paper, even in a shadow, is not
    _, otsu = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    # The page edge as a closed outline of strong edges: robust when paper and desk are both grey.
    edges = cv2.dilate(cv2.Canny(gray, 30, 90), np.ones((5, 5), np.uint8))
    outline = np.zeros_like(edges)
    contours, _ = cv2.findContours(edges, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if contours:
        cv2.drawContours(outline, [max(contours, key=cv2.contourArea)], -1, 255, -1)
    return [("loose", loose.astype(np.uint8) * 255), ("otsu", otsu), ("edges", outline)], gray, f


def _quad_of(mask: np.ndarray, gray: np.ndarray, detail: np.ndarray) -> tuple[np.ndarray | None, Measures]:
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((9, 9), np.uint8))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    m: Measures = {}
    if not contours:
        return None, m
    cnt = max(contours, key=cv2.contourArea)
    area = cv2.contourArea(cnt)
    area_share = area / float(gray.shape[0] * gray.shape[1])
    m["area_share"] = round(area_share, 3)
    if not 0.3 < area_share < 0.985:
        return None, m
    page = np.zeros_like(mask)
    cv2.drawContours(page, [cnt], -1, 255, -1)
    outside = page == 0
    # Text outside the "page" means we cut through a shadow on the paper, not along the page edge.
    m["outside_detail"] = round(float(detail[outside].mean()) if outside.any() else 0.0, 4)
    if m["outside_detail"] > 0.02:
        return None, m
    hull = cv2.convexHull(cnt)
    peri = cv2.arcLength(hull, True)
    quad = None
    for eps in (0.01, 0.02, 0.03, 0.05):
        approx = cv2.approxPolyDP(hull, eps * peri, True)
        if len(approx) == 4:
            quad = approx.reshape(4, 2).astype(np.float32)
            break
    if quad is None:
        quad = cv2.boxPoints(cv2.minAreaRect(hull)).astype(np.float32)
    # A sheet of paper is a quadrilateral: a mask that leaked into the background is not.
    m["fit"] = round(area / max(cv2.contourArea(quad), 1.0), 3)
    if m["fit"] < 0.93:
        return None, m
    return quad, m


def find_page(image: np.ndarray) -> tuple[np.ndarray | None, Measures]:
    """Quadrilateral of the page on a darker or coloured background (scanner bed, desk), in full-res
    coordinates; None when there is no such background (the usual scan)."""
    masks, gray, f = _page_masks(image, 800)
    detail = cv2.absdiff(gray, cv2.medianBlur(gray, 7)) > 25
    m: Measures = {"found": False}
    best: tuple[tuple[float, bool, float, float], np.ndarray] | None = None
    for name, mask in masks:
        quad, mm = _quad_of(mask, gray, detail)
        m[name] = mm
        # Cutting through text is the worst error; then a clean quadrilateral (a mask that leaked
        # into the desk, or lost a shadowed strip of page, is not one), the cleaner the better (to
        # 1 %); then the larger page.
        key = (
            -round(mm.get("outside_detail", 1.0), 2),
            abs(1 - mm.get("fit", 0.0)) < 0.03,
            -round(abs(1 - mm.get("fit", 0.0)), 2),
            mm.get("area_share", 0.0),
        )
        if quad is not None and (best is None or key > best[0]):
            best = (key, quad)
            m["mask"] = name
    if best is None:
        return None, m
    m["found"] = True
    return _order_quad(best[1] / f), m


def crop_to_page(gray: np.ndarray, colour: np.ndarray | None = None) -> tuple[np.ndarray, Measures]:
    """Crop scanner borders and straighten phone photos: warp the page quadrilateral to a rectangle.
    The page is found on `colour` (the original, when it has colour) and `gray` is warped."""
    quad, m = find_page(colour if colour is not None and colour.shape[:2] == gray.shape[:2] else gray)
    m["step"] = "crop_page"
    m["applied"] = False
    if quad is None:
        return gray, m
    tl, tr, br, bl = quad
    w = int(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)))
    h = int(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))
    if w < 100 or h < 100:
        return gray, m
    # Shrink the target slightly so no background sliver survives along the edges.
    inset = max(2, round(0.004 * max(w, h)))
    dst = np.array(
        [[-inset, -inset], [w + inset, -inset], [w + inset, h + inset], [-inset, h + inset]], np.float32
    )
    warp = cv2.getPerspectiveTransform(quad, dst)
    out = cv2.warpPerspective(gray, warp, (w, h), flags=cv2.INTER_CUBIC, borderValue=255)
    skew = [math.degrees(math.atan2(float(tr[1] - tl[1]), float(tr[0] - tl[0])))]
    m.update(
        applied=True,
        quad=[[round(float(x)), round(float(y))] for x, y in quad],
        top_edge_deg=round(skew[0], 2),
    )
    m[MATRIX] = np.asarray(warp, dtype=np.float64)
    return out, m


def whiten_dark_edges(gray: np.ndarray) -> tuple[np.ndarray, Measures]:
    """Black margins left at the image edge (a page scanned crooked or shifted): paint them paper-white."""
    small, _ = _small(gray, 800)
    paper = float(np.percentile(small, 90))
    dark = (small < 0.5 * paper).astype(np.uint8)
    # An opening drops text strokes that touch the dark area, so only the area itself is painted.
    dark = cv2.morphologyEx(dark, cv2.MORPH_OPEN, np.ones((7, 7), np.uint8))
    if not (dark[0].any() or dark[-1].any() or dark[:, 0].any() or dark[:, -1].any()):
        return gray, {"step": "whiten_edges", "applied": False, "share": 0.0}  # nothing dark at the edge
    _, labels, stats, _ = cv2.connectedComponentsWithStats(dark, connectivity=4)
    h, w = small.shape
    x, y, bw, bh, area = (stats[1:, k] for k in range(5))
    touches = (x == 0) | (y == 0) | (x + bw == w) | (y + bh == h)
    # Large dark regions glued to the edge are scanner bed, not text (text never touches the edge)...
    cand = 1 + np.nonzero(touches & (area > 0.002 * h * w) & ((bw > 0.3 * w) | (bh > 0.3 * h)))[0]
    # ...unless they hold text: then it is a shadow on the paper, which even_lighting handles.
    detail = cv2.absdiff(small, cv2.medianBlur(small, 7)) > 25
    ids = [i for i in cand if float(detail[labels == i].mean()) < 0.02]
    fill = np.isin(labels, ids).astype(np.uint8) if ids else np.zeros_like(dark)
    share = float(fill.mean())
    m: Measures = {"step": "whiten_edges", "applied": share > 0, "share": round(share, 4)}
    if share == 0:
        return gray, m
    big = cv2.resize(fill, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_NEAREST)
    big = cv2.dilate(big, np.ones((9, 9), np.uint8))
    out = gray.copy()
    out[big > 0] = 255
    return out, m


# ---------------------------------------------------------------- tone


def background(gray: np.ndarray) -> np.ndarray:
    """Paper brightness estimated at low resolution: text removed by a max filter, then smoothed."""
    small, _ = _small(gray, 400)
    k = max(3, (max(small.shape) // 60) | 1)
    bg = cv2.dilate(small, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    bg = cv2.medianBlur(bg, 5)
    bg = cv2.GaussianBlur(bg, (0, 0), 3)
    return cv2.resize(bg, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_LINEAR)


def even_lighting(gray: np.ndarray) -> tuple[np.ndarray, Measures]:
    """Divide by the estimated background: removes shading, gradients, yellowed or grey paper."""
    bg = background(gray)
    p5, p50, p95 = (float(v) for v in np.percentile(bg[::8, ::8], (5, 50, 95)))
    spread = (p95 - p5) / max(p50, 1.0)
    m: Measures = {
        "step": "even_lighting",
        "applied": False,
        "bg_median": round(p50, 1),
        "bg_spread": round(spread, 3),
    }
    if spread < 0.06 and p50 > 235:
        return gray, m
    out = cv2.divide(gray, np.maximum(bg, 1), scale=255)
    m["applied"] = True
    return out, m


def stretch_contrast(gray: np.ndarray) -> tuple[np.ndarray, Measures]:
    """Faded ink: map the ink level to black and the paper to white when the ink is too light."""
    sample = gray[::4, ::4]
    ink = float(np.percentile(sample, 0.5))
    paper = float(np.percentile(sample, 60))
    m: Measures = {
        "step": "stretch_contrast",
        "applied": False,
        "ink": round(ink, 1),
        "paper": round(paper, 1),
    }
    if ink < STRETCH_INK or paper - ink < 20:
        return gray, m
    lut = np.clip((np.arange(256, dtype=np.float32) - ink) * (255.0 / (paper - ink)), 0, 255).astype(np.uint8)
    m["applied"] = True
    return cv2.LUT(gray, lut), m


def sauvola(gray: np.ndarray, window: int, k: float = 0.2, r: float = 128.0) -> np.ndarray:
    """Sauvola's local threshold: ink where the pixel is darker than mean * (1 + k (std / r - 1)) of
    its `window` x `window` neighbourhood. Returns a black-on-white uint8 page (0 ink, 255 paper)."""
    window = max(3, window | 1)
    g = gray.astype(np.float32)
    mean = cv2.boxFilter(g, cv2.CV_32F, (window, window), borderType=cv2.BORDER_REFLECT)
    sq = cv2.sqrBoxFilter(g, cv2.CV_32F, (window, window), borderType=cv2.BORDER_REFLECT)
    std = cv2.sqrt(cv2.max(sq - mean * mean, 0.0))
    thr = mean * (1.0 + k * (std / r - 1.0))
    return np.where(g > thr, 255, 0).astype(np.uint8)


BINARIZE_SPREAD = 0.10  # background still this uneven after `even_lighting`: a local threshold helps


def binarize(
    gray: np.ndarray, *, est_dpi: float | None = None, char_h: float | None = None
) -> tuple[np.ndarray, Measures]:
    """Sauvola binarisation, only where the page measurably needs a local threshold (a background that
    stays uneven after `even_lighting`: stains, mottling, a shadow edge) and never on low-resolution
    text, where thresholding erases tone marks (a 70-dpi scan went from 0.08 to 0.43 word error).
    Elsewhere the page stays grayscale: Tesseract's own threshold does better on clean grey levels."""
    bg = background(gray)
    p5, p50, p95 = (float(v) for v in np.percentile(bg[::8, ::8], (5, 50, 95)))
    spread = (p95 - p5) / max(p50, 1.0)
    m: Measures = {"step": "binarize", "applied": False, "bg_spread": round(spread, 3)}
    if est_dpi is not None and est_dpi < 200:
        m["skipped"] = "low resolution"
        return gray, m
    if spread < BINARIZE_SPREAD:
        return gray, m
    window = round(1.5 * (char_h or TARGET_CHAR_H))
    m.update(applied=True, window=window | 1)
    return sauvola(gray, window), m


# ---------------------------------------------------------------- noise

BITONAL_SIGMA = 1.2


def smooth_bitonal(gray: np.ndarray) -> tuple[np.ndarray, Measures]:
    """1-bit scans (fax, CCITT G4, dithered): ragged edges and dither dots; a light blur gives
    Tesseract's own thresholding back the grey levels it needs."""
    sample = gray[::3, ::3]
    share = float(((sample == 0) | (sample == 255)).mean())
    m: Measures = {"step": "smooth_bitonal", "applied": False, "bitonal_share": round(share, 4)}
    if share < 0.995 or BITONAL_SIGMA <= 0:
        return gray, m
    m.update(applied=True, sigma=BITONAL_SIGMA)
    return cv2.GaussianBlur(gray, (0, 0), BITONAL_SIGMA), m


def _centre(gray: np.ndarray, side: int) -> np.ndarray:
    """A central window: noise measures need a sample of the page, not all of it."""
    h, w = gray.shape[:2]
    y, x = max(0, (h - side) // 2), max(0, (w - side) // 2)
    return gray[y : y + side, x : x + side]


def impulse_noise_share(gray: np.ndarray) -> float:
    """Share of isolated pixels: dark on a light neighbourhood or light on a dark one (salt and pepper).
    Text edges do not count: a stroke pixel has dark neighbours."""
    sample = _centre(gray, 1200)
    med = cv2.medianBlur(sample, 3)
    isolated = ((sample < 60) & (med > 200)) | ((sample > 200) & (med < 60))
    return float(isolated.mean())


def noise_sigma(gray: np.ndarray) -> float:
    """Gaussian noise level of the paper, from the Laplacian in flat regions (robust median estimate)."""
    sample = _centre(gray, 1200).astype(np.float32)
    kernel = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], np.float32)
    lap = np.abs(cv2.filter2D(sample, -1, kernel))
    return float(np.median(lap)) * math.sqrt(math.pi / 2) / 6.0 * 1.4826 * 1.2


def edge_sharpness(gray: np.ndarray) -> float | None:
    """Steepest edges over the ink-to-paper contrast, in a central window: about 1 for crisp print,
    0.5 or less for text blurred over several pixels (an out-of-focus photo, a soft scan). None when
    the window holds no ink to measure."""
    sample = _centre(gray, 800)
    ink, paper = (float(v) for v in np.percentile(sample[::2, ::2], (1, 60)))
    if paper - ink < 40:
        return None
    gx, gy = cv2.Sobel(sample, cv2.CV_32F, 1, 0, ksize=3), cv2.Sobel(sample, cv2.CV_32F, 0, 1, ksize=3)
    return float(np.percentile(cv2.magnitude(gx, gy), 99.5)) / (4.0 * (paper - ink))  # Sobel's gain: 4


SPECK_AREA = 10  # px at 300 dpi: dust and impulse noise; a dot below (the smallest mark of 12-14 pt
# text) is about twice as large, and it sits next to its letter, so it is never isolated
SPECK_RADIUS = 8  # px at 300 dpi: a speck has no other ink this close (tone marks sit 3-6 px from theirs)
SPECK_GATE = 3.0  # isolated specks per megapixel (after `denoise`) before a page counts as speckled


def find_specks(gray: np.ndarray, max_area: int, radius: int) -> np.ndarray:
    """Boxes (x0, y0, x1, y1, exclusive) of isolated tiny dark components: at most `max_area` pixels,
    no other ink within `radius` px, not touching the image edge. Ink: darker than Otsu's threshold."""
    _, dark = cv2.threshold(gray, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    _, _, stats, _ = cv2.connectedComponentsWithStats(dark, connectivity=8)
    x, y, w, h, area = (stats[1:, k] for k in range(5))
    hh, ww = dark.shape
    inner = (x > 0) & (y > 0) & (x + w < ww) & (y + h < hh)  # a mark cut by the edge may be bigger
    tiny = np.nonzero((area <= max_area) & inner)[0]
    if len(tiny) == 0:
        return np.zeros((0, 4), np.int32)
    integ = cv2.integral(dark)  # ink count in the box around each speck: its own pixels only, or more
    x0, y0 = np.clip(x[tiny] - radius, 0, ww), np.clip(y[tiny] - radius, 0, hh)
    x1 = np.clip(x[tiny] + w[tiny] + radius, 0, ww)
    y1 = np.clip(y[tiny] + h[tiny] + radius, 0, hh)
    ink = integ[y1, x1] - integ[y0, x1] - integ[y1, x0] + integ[y0, x0]
    iso = tiny[ink == area[tiny]]
    return np.stack([x[iso], y[iso], x[iso] + w[iso], y[iso] + h[iso]], axis=1)


def remove_specks(gray: np.ndarray, *, est_dpi: float | None = None) -> tuple[np.ndarray, Measures]:
    """Dust and impulse noise that Tesseract reads as punctuation (or that stretches a word's box into
    the next line): remove isolated components far smaller than the text's smallest marks, when the
    page is measurably speckled. Diacritics and dots are never isolated: they sit next to their letter.
    Sizes scale with the measured resolution; never on low-res text (a tone mark is a few pixels)."""
    m: Measures = {"step": "remove_specks", "applied": False}
    if est_dpi is not None and est_dpi < 200:
        m["skipped"] = "low resolution"
        return gray, m
    scale = (est_dpi or 300.0) / 300.0
    max_area, radius = max(2, round(SPECK_AREA * scale**2)), max(2, round(SPECK_RADIUS * scale))
    sample = _centre(gray, 1200)
    density = len(find_specks(sample, max_area, radius)) / (sample.size / 1e6)
    m["specks_per_mpx"] = round(density, 1)
    if density < SPECK_GATE:
        return gray, m
    boxes = find_specks(gray, max_area, radius)
    out = gray.copy()
    hh, ww = gray.shape
    for x0, y0, x1, y1 in boxes.tolist():  # nothing else is dark around a speck: paint its box paper
        ys, xs = slice(max(0, y0 - 1), min(hh, y1 + 1)), slice(max(0, x0 - 1), min(ww, x1 + 1))
        out[ys, xs] = out[ys, xs].max()
    m.update(applied=len(boxes) > 0, removed=len(boxes), max_area=max_area, radius=radius)
    return out, m


def denoise(gray: np.ndarray, *, est_dpi: float | None = None) -> tuple[np.ndarray, Measures]:
    """Median filter for salt-and-pepper, light smoothing for Gaussian noise; never on low-res text,
    where a median filter erases tone marks."""
    impulse = impulse_noise_share(gray)
    sigma = noise_sigma(gray)
    m: Measures = {
        "step": "denoise",
        "applied": False,
        "impulse_share": round(impulse, 5),
        "sigma": round(sigma, 2),
    }
    low_res = est_dpi is not None and est_dpi < 200
    if low_res:
        m["skipped"] = "low resolution"
        return gray, m
    out = gray
    if impulse > 0.002:
        out = cv2.medianBlur(out, 3)
        m["median"] = True
    if sigma > 6:
        out = cv2.GaussianBlur(out, (0, 0), 0.8)
        m["gauss"] = True
    m["applied"] = out is not gray
    return out, m
