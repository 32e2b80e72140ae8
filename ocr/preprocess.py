"""Page preprocessing: one small function per step, each gated on a measurement.

Every step takes an image and returns `(new_image, measurements)`; `measurements["applied"]` says
whether it changed the image. Real scans differ from rendered pages (no dpi header, 70-dpi JPEGs,
1-bit faxes), so nothing trusts the file header and nothing destructive runs without evidence:
the page stays grayscale (Tesseract binarises it itself), resolution is estimated from the text.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
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


def ink_mask(gray: np.ndarray) -> np.ndarray:
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


def _measure_mask(gray: np.ndarray) -> np.ndarray:
    """Ink mask for measuring: a local threshold whose margin follows the page's own contrast, so the
    dots of a dithered grey background or JPEG ringing (far lighter than ink) do not count as ink."""
    sample = gray[::4, ::4]
    ink, paper = (float(v) for v in np.percentile(sample, (1, 60)))
    margin = max(15.0, 0.3 * (paper - ink))
    block = max(15, (max(gray.shape) // 40) | 1)
    smooth = cv2.GaussianBlur(gray, (3, 3), 0)
    return cv2.adaptiveThreshold(
        smooth, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, margin
    )


def _measuring_copy(gray: np.ndarray) -> tuple[np.ndarray, float]:
    """The copy every resolution measure works on (calibrated at this size: smaller ones merge glyphs).
    A 1-bit page is blurred first: a dithered grey paper becomes a flat grey again (a symmetric blur
    keeps the edges of letters where they were, at mid-level)."""
    small, f = _small(gray, 2000, exact=True)
    sample = small[::3, ::3]
    if float(((sample == 0) | (sample == 255)).mean()) > 0.99:
        small = cv2.GaussianBlur(small, (0, 0), 1.2)
    return small, f


def _char_components(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Stats and centroids of character-sized connected components of an ink mask."""
    _, _, stats, centroids = cv2.connectedComponentsWithStats(mask, connectivity=8)
    hs, ws, area = stats[1:, cv2.CC_STAT_HEIGHT], stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_AREA]
    big = max(mask.shape) / 20
    keep = (hs >= 4) & (hs < big) & (ws < big) & (ws >= 2) & (area >= 6)
    return stats[1:][keep], centroids[1:][keep]


def _typical_height(stats: np.ndarray) -> float | None:
    """Mean height of the middle half of the components: the median's robustness without its
    whole-pixel steps (6 % apart on a 300-dpi page measured at 2000 px)."""
    if len(stats) < 30:
        return None
    hs = np.sort(stats[:, cv2.CC_STAT_HEIGHT].astype(np.float64))
    q = len(hs) // 4
    return float(hs[q : len(hs) - q].mean())


def measure_text_height(gray: np.ndarray) -> tuple[float | None, int]:
    """Typical height of character-sized connected components, and how many there were."""
    small, f = _measuring_copy(gray)
    stats, _ = _char_components(_measure_mask(small))
    h = _typical_height(stats)
    return (h / f if h else None), len(stats)


def measure_stroke_width(gray: np.ndarray, mask: np.ndarray | None = None, f: float = 1.0) -> float | None:
    """Mean stroke width of the character-sized ink: twice its area over its boundary length (a
    stroke of width w and length L has area wL and two edges of length L)."""
    if mask is None:
        small, f = _measuring_copy(gray)
        mask = _measure_mask(small)
    ink = mask > 0
    area = int(ink.sum())
    boundary = area - int((cv2.erode(mask, np.ones((3, 3), np.uint8)) > 0).sum())
    if area < 500 or boundary <= 0:
        return None
    return 2.0 * area / boundary / f


def measure_line_pitch(gray: np.ndarray, mask: np.ndarray | None = None, f: float = 1.0) -> float | None:
    """Distance between text lines: the strongest period of the page's row profile of ink."""
    if mask is None:
        small, f = _measuring_copy(gray)
        mask = _measure_mask(small)
    rows = (mask > 0).sum(axis=1).astype(np.float64)
    if rows.sum() < 100:
        return None
    rows -= rows.mean()
    n = len(rows)
    spec = np.fft.rfft(rows, 2 * n)
    ac = np.fft.irfft(spec * np.conj(spec))[:n]
    if ac[0] <= 0:
        return None
    ac /= ac[0]
    below = np.nonzero(ac < 0)[0]  # past the first dip: the peak after it is one line pitch
    if len(below) == 0:
        return None
    lo, hi = int(below[0]), n // 3
    if hi <= lo + 2:
        return None
    window = ac[lo:hi]
    top = float(window.max())
    if top < 0.1:  # no periodic line structure
        return None
    # The first strong peak: later ones are multiples of the pitch (or the layout's sections).
    peaks = np.nonzero((window[1:-1] >= window[:-2]) & (window[1:-1] >= window[2:]))[0] + 1
    strong = [int(i) for i in peaks if window[i] >= 0.5 * top]
    return (lo + (strong[0] if strong else int(np.argmax(window)))) / f


# Calibration at 300 dpi on 13-pt Liberation Serif body text (the DEV clean pages): median height of
# character components, median stroke width, line pitch at the median line spacing.
REF_CHAR_H, REF_STROKE, REF_PITCH = 28.5, 4.5, 78.0
HEADER_AGREES = 1.33  # the text's own measure within this factor of the header: the header is right
MEASURES_AGREE = 1.4  # independent measures within this factor of each other: they agree
UNCONFIRMED_MAX_FACTOR = 4.0  # an estimate no other measure confirms moves the page at most this much
MAX_HEADER_FACTOR = 3.0  # never move further than this from the header, however well measures agree
# Blur and ink spread add about a pixel to every glyph's height and never take one away: on a 60-100
# dpi scan that is 15-40 % of the height (on generated verylow JPEGs the height read 22 % high at the
# median, 37 % with ink spread; the line pitch, which neither changes, 8 % low). There a height above
# the pitch's estimate by up to this factor is still combined with it, and a header the text agrees
# with is taken as it is (benchmarks/README.md, "the resolution of blurred and inked low-res text").
INKED_HEIGHT_AGREES = 1.8


def _within(a: float | None, b: float | None, factor: float) -> bool:
    return bool(a and b) and 1.0 / factor <= a / b <= factor  # type: ignore[operator]


def _inked_low_res(by_height: float, by_pitch: float | None) -> bool:
    """A low-resolution page whose glyph height reads above the line pitch by what blur and ink
    spread add (INKED_HEIGHT_AGREES), not the other way round."""
    if not by_pitch or by_height >= UPSCALE_BELOW * MEASURES_AGREE:
        return False
    return by_pitch < by_height <= INKED_HEIGHT_AGREES * by_pitch


def estimate_resolution(gray: np.ndarray, header: float | None = None) -> Measures:
    """The page's resolution from its text: the character height, checked against two independent
    measures (stroke width, line pitch) and the file's header. Near the header (within
    `HEADER_AGREES`) the text height decides (the size the text reads at), except below
    `UPSCALE_BELOW`, where blur and ink spread make it read high and the header stands. Further away
    it decides only when another measure agrees with it and it stays within `MAX_HEADER_FACTOR` of the
    header; otherwise the header stands, and `reason` says why. Without a header the text height
    decides; `confirmed` says whether another measure agreed (an unconfirmed estimate may move the page
    only a bounded step)."""
    small, f = _measuring_copy(gray)
    mask = _measure_mask(small)
    stats, _ = _char_components(mask)
    typical = _typical_height(stats)
    char_h = typical / f if typical else None
    stroke = measure_stroke_width(small, mask, f)
    pitch = measure_line_pitch(small, mask, f)
    by_stroke = 300.0 * stroke / REF_STROKE if stroke else None
    by_pitch = 300.0 * pitch / REF_PITCH if pitch else None
    by_height = 300.0 * char_h / REF_CHAR_H if char_h else None
    text_size = by_height
    if by_height and (_within(by_pitch, by_height, MEASURES_AGREE) or _inked_low_res(by_height, by_pitch)):
        # Two measures of the text's size that agree: their geometric mean halves the error of either
        # (whole-pixel heights at low resolution; line spacing from 1.15 to 1.5).
        text_size = math.sqrt(by_height * by_pitch)  # type: ignore[operator]
    if header is not None and (not 50 <= header <= 1200 or round(header) == 72):
        header = None  # 1, 10000: not a resolution; 72: what cameras and programs write knowing nothing
    confirmed = any(_within(x, by_height, MEASURES_AGREE) for x in (by_stroke, by_pitch))
    m: Measures = {
        "char_h": char_h and round(char_h, 1),
        "n_cc": len(stats),
        "dpi_by_height": by_height and round(by_height),
        "dpi_by_stroke": by_stroke and round(by_stroke),
        "dpi_by_pitch": by_pitch and round(by_pitch),
        "dpi_header": header and round(header, 1),
        "confirmed": confirmed,
    }
    est: float | None
    if text_size is None:
        est, why = header, "no text to measure" + (": the header stands" if header else "")
    elif header is None:
        est, why = text_size, "text size (no header)"
    elif _within(text_size, header, HEADER_AGREES):
        if header < UPSCALE_BELOW:
            est, why = header, "low resolution: the header, which the text size confirms"
        else:
            est, why = text_size, "text size agrees with the header"
    elif not confirmed:
        est, why = header, "text size far from the header and not confirmed: the header stands"
    elif not _within(text_size, header, MAX_HEADER_FACTOR):
        est, why = header, f"text size more than {MAX_HEADER_FACTOR:g}x from the header: the header stands"
    else:
        est, why = text_size, "text size far from the header, confirmed by another measure"
    m.update(est_dpi=est and round(est), reason=why)
    return m


# Resolution for recognition, chosen from the text's measured resolution: text within a band around
# TEXT_DPI is read as it is; sharp text above it is read from a copy reduced to TEXT_DPI
# (engine.recognition_scale), text below it is enlarged before the other steps, to
# LOW_RES_TARGET_DPI (a low-res scan reads better from smoother, larger glyphs).
TEXT_DPI = 200
RESAMPLE_BAND = 1.25  # above TEXT_DPI x this: reduced
UPSCALE_BELOW = 140.0  # below this: enlarged (12-14 pt text at 150 dpi reads as well as at 300)
LOW_RES_TARGET_DPI = 300
MAX_UPSCALE = 4.0


def rescale_low_resolution(
    gray: np.ndarray,
    est_dpi: float | None,
    *,
    confirmed: bool = True,
    target_dpi: float | None = None,
    max_factor: float = MAX_UPSCALE,
) -> tuple[np.ndarray, Measures]:
    """Enlarge pages whose text measures below UPSCALE_BELOW (low-res scans and photos),
    by at most MAX_UPSCALE (UNCONFIRMED_MAX_FACTOR when no second measure confirmed the estimate) and
    `max_factor` (what the page's time bound allows)."""
    m: Measures = {"step": "rescale", "applied": False, "est_dpi": est_dpi and round(est_dpi)}
    if not est_dpi or est_dpi >= UPSCALE_BELOW:
        return gray, m
    target = target_dpi or LOW_RES_TARGET_DPI
    factor = min(MAX_UPSCALE if confirmed else UNCONFIRMED_MAX_FACTOR, max_factor, target / est_dpi)
    if factor < 1.1:
        m["skipped"] = "over the page's time bound"
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


def _without_edge_marks(mask: np.ndarray) -> np.ndarray:
    """The ink mask without components that touch the image edge: those are what a crop left of the
    scanner bed or the page's own edge (text never touches it), and one straight strip along the edge
    outweighs the text lines in a line profile (a 1.4-degree skew was measured as 0)."""
    if not (mask[0].any() or mask[-1].any() or mask[:, 0].any() or mask[:, -1].any()):
        return mask
    n, labels = cv2.connectedComponents(mask, connectivity=8)
    edge = np.zeros(n, bool)
    edge[np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]])] = True
    edge[0] = False  # the background
    return np.where(edge[labels], 0, mask).astype(mask.dtype)


def _ink_points(gray: np.ndarray, max_side: int) -> tuple[np.ndarray, int]:
    small, _ = _small(gray, max_side)
    ys, xs = np.nonzero(_without_edge_marks(ink_mask(small)))
    cy, cx = small.shape[0] / 2, small.shape[1] / 2
    pts = np.stack([xs - cx, ys - cy], axis=1).astype(np.float32)
    if len(pts) > 120_000:  # a random subset keeps the profile and bounds the cost
        pts = pts[np.random.default_rng(0).choice(len(pts), 120_000, replace=False)]
    return pts, max(small.shape)


def estimate_skew(gray: np.ndarray, *, max_angle: float = 15.0) -> tuple[float, float]:
    """Skew angle (degrees, counter-clockwise positive as cv2) by projection-profile search, and a
    sharpness ratio: best score over the median score (near 1: no line structure found)."""
    pts, size = _ink_points(gray, 1200)
    return _skew_of_points(pts, size, max_angle)


def _skew_of_points(
    pts: np.ndarray, size: int, max_angle: float = 15.0, *, fine: bool = True
) -> tuple[float, float]:
    """`estimate_skew` of ink points (x, y) centred on the page, of a page whose longer side is `size`;
    to the nearest half degree only, without `fine`."""
    if len(pts) < 100:
        return 0.0, 1.0
    coarse = np.arange(-max_angle, max_angle + 0.01, 0.5)
    scores = [_profile_score(pts, a, size) for a in coarse]
    best = float(coarse[int(np.argmax(scores))])
    ratio = max(scores) / (float(np.median(scores)) or 1.0)
    if not fine:
        return best, ratio
    near = np.arange(best - 0.5, best + 0.51, 0.05)
    fscores = [_profile_score(pts, a, size) for a in near]
    return float(near[int(np.argmax(fscores))]), ratio


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


# A turn that moves the end of a line by less than this many pixels is left alone: Tesseract reads such
# a line as level, and the resampling only blurs the glyphs. On a 300-dpi page that is below
# `deskew`'s min_angle anyway; on a 70-dpi page (600 px wide) it is ~0.2 degrees, where turning by the
# measured 0.1 cost a page of generated verylow JPEGs up to 0.19 CER (benchmarks/README.md).
MIN_SKEW_DRIFT_PX = 2.0


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
    drift = abs(math.tan(math.radians(angle))) * gray.shape[1]
    if drift < MIN_SKEW_DRIFT_PX:
        m["skipped"] = f"moves a line's end by {drift:.1f} px"
        return gray, m
    m["applied"] = True
    m[MATRIX] = affine3(rotation_matrix(gray.shape, angle)[0])
    return rotate(gray, angle), m


SIDEWAYS_RATIO = 1.5  # the line structure is this much sharper one way than the other
# Outside this band of the line profiles' ratio, they alone decide: text pages measure under 0.1
# upright and over 10 turned. A ruled table's columns of cells give sharp lines both ways (0.2-1.1
# upright, 0.35-4.6 turned, on generated annexes): there letters beside letters decide.
PROFILE_DECIDES = (0.15, 6.0)
LETTER_REACH = 1.2  # a letter's neighbour in its word stands within this many of its heights
MIN_LETTER_SHARE = 0.3  # letters beside a letter, on at least this share of the components either way
LETTERS_SIDE = 1000  # px: letters measured on a copy this size (a third of the cost at 2000, as clear)


def letter_neighbour_shares(gray: np.ndarray) -> tuple[float, float] | None:
    """The share of character-sized components with a letter of similar height beside them, within
    LETTER_REACH of their height, along the rows and along the columns of the page. Letters of a
    word stand that close along its line; across lines, and down a table's column, the line pitch is
    two to three letter heights. None without enough components to tell."""
    small, _ = _small(gray, LETTERS_SIDE)
    stats, centroids = _char_components(_measure_mask(small))
    if len(stats) < 30:
        return None
    along = float((_row_neighbours(stats, centroids, LETTER_REACH) >= 2).mean())
    across = float((_row_neighbours(*_transposed(stats, centroids), LETTER_REACH) >= 2).mean())
    return along, across


def is_sideways(gray: np.ndarray, *, max_angle: float = 15.0) -> tuple[bool, Measures]:
    """Text lines run vertically (a page rotated by 90 or 270): compare the sharpest line structure
    found either way over the whole skew range (a page skewed by 8 degrees is not sideways); where
    that does not decide (a table), which way letters stand beside each other in words."""
    pts, size = _ink_points(gray, 400)  # coarse: the sharpness peak is wide enough for 1-degree steps
    if len(pts) < 100:
        return False, {"step": "sideways_check", "ratio": None}
    angles = np.arange(-max_angle, max_angle + 0.01, 1.0)
    upright = max(_profile_score(pts, a, size) for a in angles)
    flipped = pts[:, ::-1].copy()
    side = max(_profile_score(flipped, a, size) for a in angles)
    ratio = side / (upright or 1.0)
    m: Measures = {"step": "sideways_check", "ratio": round(ratio, 2)}
    if PROFILE_DECIDES[0] < ratio < PROFILE_DECIDES[1]:
        shares = letter_neighbour_shares(gray)
        if shares and max(shares) >= MIN_LETTER_SHARE:
            m["letter_neighbours"] = [round(v, 3) for v in shares]
            return shares[1] > SIDEWAYS_RATIO * shares[0], m
    return ratio > SIDEWAYS_RATIO, m


def rotate90s(gray: np.ndarray, degrees_cw: int) -> np.ndarray:
    codes = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    d = degrees_cw % 360
    return gray if d == 0 else cv2.rotate(gray, codes[d])


def _order_quad(pts: np.ndarray) -> np.ndarray:
    s, d = pts.sum(axis=1), np.diff(pts, axis=1).ravel()
    return np.array([pts[np.argmin(s)], pts[np.argmin(d)], pts[np.argmax(s)], pts[np.argmax(d)]], np.float32)


# A pale desk under white paper differs from it by a tenth of its brightness: at 800 px its edge
# gives a gradient of some 40-60, well above the noise left after the reduction (under 5).
PAGE_EDGE_CANNY = (10, 30)
DESK_MAX_DETAIL = 0.002  # a region free of edges holding less detail (text) than this share is desk
MARGIN_TEXT_SHARE = 0.0005  # of the image: text in a region's holes beside the page's, in a margin


def _filled(mask: np.ndarray, *, largest: bool = False) -> np.ndarray:
    """`mask` (uint8) with its holes filled; only its largest region when `largest`."""
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if largest and contours:
        contours = [max(contours, key=cv2.contourArea)]
    out = np.zeros_like(mask)
    cv2.drawContours(out, contours, -1, 255, -1)
    return out


def _inside_page_edges(edges: np.ndarray, detail: np.ndarray) -> np.ndarray:
    """The page as what the desk leaves: the largest region that is not desk, holes filled (an empty
    box on the page is one). Desk is a large region free of edges that holds no text, or holds the
    page in its holes (the desk all round it). Unlike filling the outer contour of the edges, this
    keeps a page whose outline runs off the image, as a page photographed close does."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats((edges == 0).astype(np.uint8), connectivity=4)
    desk = np.zeros(edges.shape, bool)
    for i in range(1, n):
        if stats[i, cv2.CC_STAT_AREA] < 0.01 * edges.size:
            continue
        region = labels == i
        filled = _filled(region.astype(np.uint8)) > 0
        if filled.mean() > 0.985:  # all round: desk round the page, or a scan's margin round a table
            _, holes, hole_stats, _ = cv2.connectedComponentsWithStats((filled & ~region).astype(np.uint8))
            largest = 1 + int(np.argmax(hole_stats[1:, cv2.CC_STAT_AREA])) if len(hole_stats) > 1 else 0
            if np.count_nonzero(detail & (holes > 0) & (holes != largest)) > MARGIN_TEXT_SHARE * edges.size:
                continue  # text beside the largest hole (a title over a table): a margin, not a desk
            desk |= region
        elif detail[filled].mean() < DESK_MAX_DETAIL:
            desk |= region
    if not desk.any():
        return np.zeros_like(edges)
    return _filled((~desk).astype(np.uint8), largest=True)


def _page_masks(
    image: np.ndarray, max_side: int
) -> tuple[list[tuple[str, np.ndarray]], np.ndarray, np.ndarray, float]:
    """Candidate masks of paper-like pixels on a reduced copy: not very dark and not strongly coloured
    (robust to shadows on the page), Otsu's bright class (robust to a grey desk) and the region inside
    the page's edges (robust to a pale desk). Also the blurred reduced copy, its detail (text) and
    the reduction factor."""
    small, f = _small(image, max_side)
    gray = small if small.ndim == 2 else cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
    gray = cv2.GaussianBlur(gray, (5, 5), 0)
    detail = cv2.absdiff(gray, cv2.medianBlur(gray, 7)) > 25
    paper = float(np.percentile(gray, 90))
    loose = gray > 0.4 * paper  # scanner bed and black margins are far darker than shaded paper
    if small.ndim == 3:
        sat = cv2.cvtColor(cv2.GaussianBlur(small, (5, 5), 0), cv2.COLOR_RGB2HSV)[..., 1]
        loose &= sat < 80  # a wooden or coloured desk is saturated; paper, even in a shadow, is not
    _, otsu = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    edges = cv2.dilate(cv2.Canny(gray, *PAGE_EDGE_CANNY), np.ones((5, 5), np.uint8))
    outline = _inside_page_edges(edges, detail)
    return [("loose", loose.astype(np.uint8) * 255), ("otsu", otsu), ("edges", outline)], gray, detail, f


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
    outside = _filled(mask, largest=True) == 0
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


def find_page(image: np.ndarray) -> tuple[list[tuple[str, np.ndarray]], Measures]:
    """Quadrilaterals that may be the page on a darker or coloured background (scanner bed, desk), in
    full-res coordinates, the likeliest first, each named by its mask; none when there is no such
    background (the usual scan)."""
    masks, gray, detail, f = _page_masks(image, 800)
    m: Measures = {"found": False}
    found: list[tuple[tuple[float, bool, bool, float, float], str, np.ndarray]] = []
    for name, mask in masks:
        quad, mm = _quad_of(mask, gray, detail)
        m[name] = mm
        # Cutting through text is the worst error; then a clean quadrilateral (a mask that leaked
        # into the desk, or lost a shadowed strip of page, is not one); then the page's own edges,
        # whose outline follows the sheet where a brightness threshold follows the light (a pale
        # desk lit brighter than the paper's far side); then the cleaner (to 1 %), the larger.
        key = (
            -round(mm.get("outside_detail", 1.0), 2),
            abs(1 - mm.get("fit", 0.0)) < 0.03,
            name == "edges",
            -round(abs(1 - mm.get("fit", 0.0)), 2),
            mm.get("area_share", 0.0),
        )
        if quad is not None:
            found.append((key, name, quad))
    found.sort(key=lambda c: c[0], reverse=True)  # stable: equal keys keep the masks' order
    m["found"] = bool(found)
    return [(name, _order_quad(quad / f)) for _, name, quad in found], m


def text_components(gray: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centroids (x, y) of text-like components of a page copy, and a flag per component: text-like
    means character-sized with at least two others of similar height beside it on the same row (a
    line of text), which the grain of a desk or the noise of a scanner bed seldom has; or on the
    same column, as the page is measured before it is turned (a page lying sideways)."""
    stats, centroids = _char_components(_measure_mask(gray))
    if len(stats) == 0:
        return np.zeros((0, 2)), np.zeros(0, bool)
    along_rows = textlike_components(stats, centroids)
    return centroids, along_rows | textlike_components(*_transposed(stats, centroids))


def _transposed(stats: np.ndarray, centroids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Component stats and centroids of the page mirrored about its diagonal (x <-> y): its columns
    become rows."""
    turned = stats.copy()
    turned[:, [0, 1, 2, 3]] = stats[:, [1, 0, 3, 2]]
    return turned, centroids[:, ::-1].copy()


def _row_neighbours(stats: np.ndarray, centroids: np.ndarray, reach: float) -> np.ndarray:
    """For each component, how many of similar height (0.5-2x, itself included) stand beside it on
    its row: centres within half its height vertically and `reach` heights horizontally. Vectorised
    over windows of the components sorted by height of centre: a page has thousands of them."""
    h = stats[:, cv2.CC_STAT_HEIGHT].astype(np.float32)
    cx, cy = centroids[:, 0].astype(np.float32), centroids[:, 1].astype(np.float32)
    order = np.argsort(cy, kind="stable")
    cy_sorted = cy[order]
    lo = np.searchsorted(cy_sorted, cy - 0.5 * h, side="left")
    hi = np.searchsorted(cy_sorted, cy + 0.5 * h, side="left")
    width = int((hi - lo).max(initial=0))
    count = np.zeros(len(h), np.int32)
    for start in range(0, len(h), 4096):  # bounded memory: rows x window
        rows = slice(start, start + 4096)
        idx = lo[rows, None] + np.arange(width)[None, :]
        valid = idx < hi[rows, None]
        near = order[np.minimum(idx, len(h) - 1)]
        hi_ = h[rows, None]
        ok = (np.abs(cx[near] - cx[rows, None]) < reach * hi_) & (h[near] > 0.5 * hi_) & (h[near] < 2 * hi_)
        count[rows] = (ok & valid).sum(axis=1)
    return count


def textlike_components(stats: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """Which components have two others of similar height beside them on their row, within three
    heights: a line of text."""
    return _row_neighbours(stats, centroids, 3.0) >= 3


OUTLINE_MAX_CORNER_DEG = 20.0  # a page seen in perspective: corners within 90 +- this
OUTLINE_MIN_SIDE_RATIO = 0.75  # opposite sides of a page in perspective: at least this alike
OUTLINE_KEEP_TEXT = 0.99  # an outline keeps at least this share of the text-like components


@dataclass
class PageCopy:
    """A reduced copy of the page (`gray` at scale `f`) and what the outline checks measure on it, each
    measured once however many outlines are checked."""

    gray: np.ndarray
    f: float

    @cached_property
    def text_points(self) -> np.ndarray:
        """Centroids (x, y) of the text-like components."""
        centroids, textlike = text_components(self.gray)
        return centroids[textlike]

    @cached_property
    def ink_points(self) -> np.ndarray:
        """(x, y) of the ink pixels, without what touches the image edge."""
        ys, xs = np.nonzero(_without_edge_marks(ink_mask(self.gray)))
        return np.stack([xs, ys], axis=1).astype(np.float32)


def check_outline(quad: np.ndarray, page: PageCopy) -> tuple[bool, Measures]:
    """Is `quad` (full-res coordinates, TL TR BR BL) a page: convex, close to a rectangle or a
    plausible perspective of one, and keeping the text? Measured on the reduced copy `page`."""
    q = (quad * page.f).astype(np.float32)
    m: Measures = {"convex": bool(cv2.isContourConvex(q.reshape(-1, 1, 2)))}
    sides = [float(np.linalg.norm(q[(i + 1) % 4] - q[i])) for i in range(4)]
    corners = []
    for i in range(4):
        a, b = q[i - 1] - q[i], q[(i + 1) % 4] - q[i]
        cos = float(np.dot(a, b) / max(np.linalg.norm(a) * np.linalg.norm(b), 1e-6))
        corners.append(math.degrees(math.acos(max(-1.0, min(1.0, cos)))))
    m["corner_dev_deg"] = round(max(abs(c - 90.0) for c in corners), 1)
    m["side_ratio"] = round(
        min(
            min(sides[0], sides[2]) / max(sides[0], sides[2], 1e-6),
            min(sides[1], sides[3]) / max(sides[1], sides[3], 1e-6),
        ),
        3,
    )
    pts = page.text_points
    if len(pts):
        inside = np.array([cv2.pointPolygonTest(q, (float(x), float(y)), False) >= 0 for x, y in pts])
        m["text_kept"] = round(float(inside.mean()), 4)
        m["text_components"] = len(pts)
    else:
        m["text_kept"] = 1.0
    problems = []
    if not m["convex"]:
        problems.append("not convex")
    if m["corner_dev_deg"] > OUTLINE_MAX_CORNER_DEG or m["side_ratio"] < OUTLINE_MIN_SIDE_RATIO:
        problems.append("not a rectangle in perspective")
    if m["text_kept"] < OUTLINE_KEEP_TEXT:
        problems.append(f"would cut away {1 - m['text_kept']:.1%} of the text")
    if problems:
        m["rejected"] = "; ".join(problems)
    return not problems, m


def _rect_size(quad: np.ndarray) -> tuple[int, int]:
    """(w, h) of the rectangle a page quadrilateral (TL TR BR BL) is warped to: its longer sides."""
    tl, tr, br, bl = quad
    w = int(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)))
    h = int(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))
    return w, h


# Text is printed parallel to the sheet's edges: warped to a rectangle, a true outline leaves the
# lines of its top and bottom halves level to within this (a phone photo's bent paper and a corner
# found a few pixels off: ~1 degree). An outline that leaked into a pale desk tilts one side by 5-10.
OUTLINE_MAX_TEXT_TILT_DEG = 2.0


def text_tilt_after_warp(quad: np.ndarray, page: PageCopy) -> list[float | None]:
    """The skew (degrees) of the text in the top and in the bottom half of the page that `quad`
    (full-res coordinates) outlines, as warping it to a rectangle would leave it; None for a half
    without line structure. Measured on the ink points of the reduced copy `page`, moved by the warp
    (no image is warped)."""
    q = (quad * page.f).astype(np.float32)
    w, h = _rect_size(q)
    if len(page.ink_points) < 100 or w < 10 or h < 10:
        return [None, None]
    warp = cv2.getPerspectiveTransform(q, np.float32([[0, 0], [w, 0], [w, h], [0, h]]))
    pts = cv2.perspectiveTransform(page.ink_points[None], warp)[0]
    pts = pts[(pts[:, 0] >= 0) & (pts[:, 0] < w) & (pts[:, 1] >= 0) & (pts[:, 1] < h)]
    tilts: list[float | None] = []
    for top in (True, False):
        half = pts[(pts[:, 1] < h / 2) == top]
        if len(half) > 20_000:  # a random subset keeps the profile and bounds the cost
            half = half[np.random.default_rng(0).choice(len(half), 20_000, replace=False)]
        centre = np.float32([w / 2, h / 4 if top else 3 * h / 4])
        # Half a degree is fine enough to tell level text from text tilted by a few degrees.
        angle, ratio = _skew_of_points(half - centre, max(w, h), 10.0, fine=False)
        tilts.append(round(angle, 2) if ratio >= 2.0 else None)
    return tilts


# What a crop leaves out inside the outline, of the page's longer side: the outline of the page's
# edges runs 2-4 px outside the sheet at 800 px (the edges are widened to close their gaps), and a
# sliver of desk or of the sheet's shadowed edge left along a side is read as a line of junk. Text
# stands 15 mm or more inside an A4 sheet's edges (Decree 30 margins); this is 3 mm.
CROP_INSET = 0.01


def _along_image_edge(p: np.ndarray, q: np.ndarray, iw: int, ih: int) -> bool:
    """Does the side from p to q run along an edge of a `iw` x `ih` image (within 3 px)?"""
    return any(
        abs(a - edge) <= 3 and abs(b - edge) <= 3
        for a, b, edge in ((p[0], q[0], 0), (p[0], q[0], iw - 1), (p[1], q[1], 0), (p[1], q[1], ih - 1))
    )


# A sheet on a desk as bright as its paper shows only the thin shadow along its edges, broken where
# the light falls on it: the regions of the edge mask leak into each other. Its sides are still the
# long straight lines outside the text (at 800 px: at least this share of the longer side, bridging
# gaps of SIDE_MAX_GAP), within SIDE_MAX_SLANT_DEG of level or upright.
SIDE_MIN_LENGTH = 0.15
SIDE_MAX_GAP = 0.05
SIDE_MAX_SLANT_DEG = 30.0
SIDES_NEEDED = 3  # a photographed sheet shows three or four of its sides; a scan shows none
# A sheet photographed on a desk fills half to four fifths of the frame. Lines that outline more are
# a scan's frame or a fax's border lines: cutting a sliver off is not worth resampling the page
# (on more/dev4's fax page dev4-002, `CHỦ TỊCH` read `CHỦ ch H` after it).
SIDES_MAX_AREA = 0.9


def _crossing(a: np.ndarray, b: np.ndarray) -> np.ndarray | None:
    """Where the lines through segments a and b (x1, y1, x2, y2) cross; None when parallel."""
    d1, d2 = a[2:] - a[:2], b[2:] - b[:2]
    den = d1[0] * d2[1] - d1[1] * d2[0]
    if abs(den) < 1e-6:
        return None
    t = ((b[0] - a[0]) * d2[1] - (b[1] - a[1]) * d2[0]) / den
    return a[:2] + t * d1


def page_by_sides(page: PageCopy) -> tuple[np.ndarray | None, Measures]:
    """The page as the quadrilateral of its straight sides (full-res coordinates, TL TR BR BL): on
    each side of the text, the outermost long straight edge (a shadow line across the sheet lies
    inside its edge); the image's edge where the sheet runs off it. None unless SIDES_NEEDED sides
    are seen and they leave desk round the sheet (SIDES_MAX_AREA)."""
    gray, f = _small(page.gray, 800, exact=True)  # the scale PAGE_EDGE_CANNY is set for
    text = page.text_points * f
    m: Measures = {"sides": []}
    if len(text) < 20:
        return None, m
    h, w = gray.shape
    (tx0, ty0), (tx1, ty1) = text.min(axis=0), text.max(axis=0)
    edges = cv2.Canny(cv2.GaussianBlur(gray, (5, 5), 0), *PAGE_EDGE_CANNY)
    side = max(h, w)
    pad = 0.01 * side
    edges[max(0, int(ty0 - pad)) : int(ty1 + pad) + 1, max(0, int(tx0 - pad)) : int(tx1 + pad) + 1] = 0
    found = cv2.HoughLinesP(
        edges, 1, np.pi / 360, 40, minLineLength=SIDE_MIN_LENGTH * side, maxLineGap=SIDE_MAX_GAP * side
    )
    outermost: dict[str, tuple[float, np.ndarray]] = {}
    for seg in [] if found is None else found.reshape(-1, 4).astype(np.float64):
        x1, y1, x2, y2 = seg
        slant = math.degrees(math.atan2(y2 - y1, x2 - x1)) % 180
        if min(slant, 180 - slant) < SIDE_MAX_SLANT_DEG:
            name, out = ("top", ty0 - max(y1, y2)) if max(y1, y2) < ty0 else ("bottom", min(y1, y2) - ty1)
        elif abs(slant - 90) < SIDE_MAX_SLANT_DEG:
            name, out = ("left", tx0 - max(x1, x2)) if max(x1, x2) < tx0 else ("right", min(x1, x2) - tx1)
        else:
            continue
        if out > 0 and out > outermost.get(name, (0.0,))[0]:
            outermost[name] = (out, seg)
    m["sides"] = sorted(outermost)
    if len(outermost) < SIDES_NEEDED:
        return None, m
    image_edge = {
        "top": np.array([0, 0, w - 1, 0.0]),
        "right": np.array([w - 1, 0, w - 1, h - 1.0]),
        "bottom": np.array([0, h - 1, w - 1, h - 1.0]),
        "left": np.array([0, 0, 0, h - 1.0]),
    }
    line = {name: outermost[name][1] if name in outermost else edge for name, edge in image_edge.items()}
    corners = [
        _crossing(line[a], line[b])
        for a, b in (("top", "left"), ("top", "right"), ("bottom", "right"), ("bottom", "left"))
    ]
    if any(c is None for c in corners):
        return None, m
    m["area_share"] = round(cv2.contourArea(np.float32(corners)) / (w * h), 3)
    if m["area_share"] > SIDES_MAX_AREA:
        return None, m
    return np.float32(corners) / (f * page.f), m


def _outlines(
    quads: list[tuple[str, np.ndarray]], page: PageCopy, m: Measures
) -> Iterator[tuple[str, np.ndarray]]:
    """The outlines to try, the likeliest first: those of `find_page`, then the page's straight sides,
    measured only when every other outline failed."""
    yield from quads
    quad, sides = page_by_sides(page)
    m.update(sides)
    if quad is not None:
        yield "sides", quad


def crop_to_page(gray: np.ndarray, colour: np.ndarray | None = None) -> tuple[np.ndarray, Measures]:
    """Crop scanner borders and straighten phone photos: warp the page quadrilateral to a rectangle.
    The page is found on `colour` (the original, when it has colour) and `gray` is warped. An outline
    is kept only when `check_outline` accepts it and the text inside it comes out level; otherwise the
    next likeliest is tried."""
    quads, m = find_page(colour if colour is not None and colour.shape[:2] == gray.shape[:2] else gray)
    m["step"] = "crop_page"
    m["applied"] = False
    if not quads:  # no background seen: a flat scan, whose straight lines outside the text are a
        return gray, m  # table's or a frame's rulings (as thin as a sheet's shadow), not a sheet's sides
    page = PageCopy(*_small(gray, 1200))
    rejected = []
    ok = False
    for name, quad in _outlines(quads, page, m):
        ok, check = check_outline(quad, page)
        if ok:
            check["text_tilt_deg"] = text_tilt_after_warp(quad, page)
            tilt = max((abs(t) for t in check["text_tilt_deg"] if t is not None), default=0.0)
            if tilt > OUTLINE_MAX_TEXT_TILT_DEG:
                ok, check["rejected"] = False, f"would leave the text tilted by {tilt:.1f} degrees"
        m.update(mask=name, check=check, quad=[[round(float(x)), round(float(y))] for x, y in quad])
        if ok:
            break
        rejected.append(f"{name}: {check['rejected']}")
    if rejected:
        m["rejected_outlines"] = rejected
    if not ok:
        return gray, m
    w, h = _rect_size(quad)
    if w < 100 or h < 100:
        return gray, m
    # Shrink the target slightly so no background sliver survives along the edges; not along a side
    # where the sheet runs off the image (its edge there is the image's, and text may touch it).
    ih, iw = gray.shape[:2]
    inset = max(2, round(CROP_INSET * max(w, h)))
    left, top, right, bottom = (
        0 if _along_image_edge(quad[i], quad[(i + 1) % 4], iw, ih) else inset for i in (3, 0, 1, 2)
    )
    dst = np.array(
        [[-left, -top], [w + right, -top], [w + right, h + bottom], [-left, h + bottom]], np.float32
    )
    warp = cv2.getPerspectiveTransform(quad, dst)
    out = cv2.warpPerspective(gray, warp, (w, h), flags=cv2.INTER_CUBIC, borderValue=255)
    (x0, y0), (x1, y1) = quad[0], quad[1]  # the top edge, TL to TR
    m.update(applied=True, top_edge_deg=round(math.degrees(math.atan2(float(y1 - y0), float(x1 - x0))), 2))
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
    # Checked like a page outline: what is painted over must not hold the page's text.
    centroids, textlike = text_components(small)
    pts = centroids[textlike].astype(np.int32)
    if len(pts):
        hit = fill[np.clip(pts[:, 1], 0, h - 1), np.clip(pts[:, 0], 0, w - 1)] > 0
        m["text_kept"] = round(1.0 - float(hit.mean()), 4)
        if m["text_kept"] < OUTLINE_KEEP_TEXT:
            m.update(applied=False, rejected=f"would paint over {1 - m['text_kept']:.1%} of the text")
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


# On an enlarged low-res page each stroke is a dark core in a grey halo a few pixels wide (blur, ink
# spread, the enlargement's interpolation). Tesseract's global threshold joins the halos of neighbouring
# letters into word-sized blobs, and of neighbouring lines into merged lines. Lightening the midtones
# (grey 128 becomes 180) moves the halos toward the paper and keeps the cores black: on a 70-dpi page
# the thresholded blobs went from 386 to 534. Generated 60-100 dpi pages read 0.059 -> 0.043 (tuned
# on), 0.078 -> 0.054 (not), `more/dev4` 0.062 -> 0.036 (benchmarks/README.md, "lightened midtones").
ENLARGED_INK_GAMMA = 0.5
_LIGHTEN = (255.0 * (np.arange(256) / 255.0) ** ENLARGED_INK_GAMMA).astype(np.uint8)  # floor, as measured
# Only where the threshold does join letters. On phone photos sent at 100-170 dpi, enlarged too, the
# letters stand apart, and lightening thinned their strokes: 25 of 40 pages read better without it,
# BoW-WER 0.095 -> 0.069. The joined letters show in the shape of the thresholded glyph-height blobs:
# a letter is taller than wide (median width / height 0.7-0.9 on those photos and on most enlarged
# pages), a run of joined letters is wider (1.2-1.9 on the 60-100 dpi JPEGs lightening was made for).
JOINED_LETTERS_ASPECT = 1.05


def lightened(gray: np.ndarray) -> np.ndarray:
    """Midtones moved toward the paper (grey 128 becomes 180); black and white stay."""
    return cv2.LUT(gray, _LIGHTEN)


def blob_aspect(gray: np.ndarray) -> float | None:
    """Median width over height of the glyph-height blobs Otsu's threshold gives (Tesseract's global
    threshold): below 1 where letters stand apart, above where they join into words. None on a page
    with too little text to tell."""
    ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)[1]
    stats = cv2.connectedComponentsWithStats(ink, connectivity=8)[2][1:]
    h, w = stats[:, cv2.CC_STAT_HEIGHT], stats[:, cv2.CC_STAT_WIDTH]
    sized = (h >= 4) & (stats[:, cv2.CC_STAT_AREA] >= 10)  # not specks
    h, w = h[sized], w[sized]
    if len(h) < 50:
        return None
    typical = float(np.median(h))
    glyphs = (h > 0.6 * typical) & (h < 1.6 * typical)
    return float(np.median(w[glyphs] / h[glyphs]))


def lighten_midtones(gray: np.ndarray, *, enlarged: bool) -> tuple[np.ndarray, Measures]:
    """Thin the blurred ink of a page `rescale_low_resolution` enlarged, where the threshold would join
    its letters; other pages stay as they are."""
    m: Measures = {"step": "lighten_midtones", "applied": False}
    if not enlarged:
        return gray, m
    aspect = blob_aspect(gray)
    m["blob_aspect"] = aspect and round(aspect, 2)
    if aspect is None or aspect < JOINED_LETTERS_ASPECT:
        m["skipped"] = "the letters stand apart under the threshold"
        return gray, m
    m.update(applied=True, gamma=ENLARGED_INK_GAMMA)
    return lightened(gray), m


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
    """Share of isolated pixels: dark with at least seven light neighbours of its eight, or light with
    seven dark ones (salt and pepper). Text edges do not count (their neighbours are grey or dark), nor
    a one-pixel rule or stroke: each of its pixels has two dark neighbours (a 3x3 median, which erases
    such rules, counted them)."""
    sample = _centre(gray, 1200)
    ring = np.ones((3, 3), np.float32)
    ring[1, 1] = 0
    dark, light = (sample < 60).astype(np.float32), (sample > 200).astype(np.float32)
    dark_around = cv2.filter2D(dark, -1, ring, borderType=cv2.BORDER_REPLICATE)
    light_around = cv2.filter2D(light, -1, ring, borderType=cv2.BORDER_REPLICATE)
    isolated = ((dark > 0) & (light_around >= 7)) | ((light > 0) & (dark_around >= 7))
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


# Text whose edges measure below this is sharpened: crisp print and scans measure 0.9-1.05, phone
# photos 0.5-0.9, out-of-focus or shaken pages below 0.5.
SOFT_EDGES = 0.75
# The unsharp mask's gain, reached at SOFT_EDGES - SHARPEN_RAMP and less above: a scan resampled
# from 1-bit (0.69-0.74) read slightly worse at full gain, blurred photos best at full gain.
SHARPEN_AMOUNT = 1.5
SHARPEN_RAMP = 0.2
SHARPEN_SIGMA = 1.0  # px at 300 dpi: about a stroke's half-width, the scale a tone mark is drawn at


def sharpen_soft_edges(gray: np.ndarray, *, est_dpi: float | None = None) -> tuple[np.ndarray, Measures]:
    """An unsharp mask on text whose edges are soft (a phone photo, a soft scan). Blurred, the hook
    above (hỏi) reads as the acute (sắc): `tổ chức` as `tố chức`, `đổi` as `đối`. The measure is
    kept in the step: reading the page at a reduced scale is decided on the edges as they were."""
    sharpness = edge_sharpness(gray)
    m: Measures = {"step": "sharpen", "applied": False, "sharpness": None}
    if sharpness is None:
        return gray, m
    m["sharpness"] = round(sharpness, 3)
    if sharpness >= SOFT_EDGES:
        return gray, m
    amount = SHARPEN_AMOUNT * min(1.0, (SOFT_EDGES - sharpness) / SHARPEN_RAMP)
    sigma = SHARPEN_SIGMA * (est_dpi or 300.0) / 300.0
    soft = cv2.GaussianBlur(gray, (0, 0), sigma)
    m.update(applied=True, amount=round(amount, 2), sigma=round(sigma, 2))
    return cv2.addWeighted(gray, 1.0 + amount, soft, -amount, 0), m


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
