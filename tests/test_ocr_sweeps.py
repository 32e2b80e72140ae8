"""Property tests over generated sweeps: the decisions that change a page's geometry or scale hold on
pages of every resolution, font, encoding and background, not only on the pages they were tuned on.

Small pages (a block of Vietnamese body text) keep the whole sweep within the unit lane's time.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable

import cv2
import numpy as np
import pytest
from PIL import Image

from ocr import preprocess as P
from tests.fixtures.ocr.pages import (
    BODY,
    SWEEP_FONTS,
    SWEEP_SPACING,
    TABLE_ROWS,
    inked_scan,
    render_at_dpi,
    render_table,
)


def _encode(gray: np.ndarray, how: str) -> np.ndarray:
    """The page as a scanner or a fax would store it."""
    if how == "gray":
        return gray
    if how == "threshold":  # 1 bit, fixed threshold
        return np.where(gray < 128, 0, 255).astype(np.uint8)
    if how == "dithered":  # 1 bit, Floyd-Steinberg over grey paper (225) and grey ink (50)
        scan = (gray.astype(np.float32) * (225 - 50) / 255 + 50).astype(np.uint8)
        return np.asarray(Image.fromarray(scan).convert("1")).astype(np.uint8) * 255
    buf = io.BytesIO()  # JPEG at a low quality
    Image.fromarray(gray).save(buf, "JPEG", quality=50)
    return np.asarray(Image.open(buf))


def _prepared(img: np.ndarray) -> np.ndarray:
    return P.smooth_bitonal(img)[0]  # as the engine does before measuring


@pytest.mark.parametrize("how", ["gray", "threshold", "dithered", "jpeg"])
@pytest.mark.parametrize("font", list(SWEEP_FONTS))
@pytest.mark.parametrize("dpi", [70, 100, 150, 200, 300, 450, 600])
def test_resolution_estimate_within_20_percent(dpi: int, font: str, how: str) -> None:
    page = _prepared(_encode(render_at_dpi(dpi, font, spacing=SWEEP_SPACING[font]), how))
    m = P.estimate_resolution(page)  # no header: the text alone
    assert m["est_dpi"] == pytest.approx(dpi, rel=0.2), m
    # A correct header is kept; a header wrong by 2x gives way to the measures when they agree, and
    # never moves the estimate further than MAX_HEADER_FACTOR from the header.
    assert P.estimate_resolution(page, float(dpi))["est_dpi"] == pytest.approx(dpi, rel=0.2)
    wrong = P.estimate_resolution(page, 2.0 * dpi)
    if wrong["confirmed"]:
        assert wrong["est_dpi"] == pytest.approx(dpi, rel=0.2), wrong
    else:
        assert wrong["est_dpi"] == round(2.0 * dpi) and "header stands" in wrong["reason"]


def inked_sweep(*dpis: int) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Parametrize a test over inked low-res scans: `dpis` x the sweep's faces x ink spread x blur."""

    def parametrized(test: Callable[..., None]) -> Callable[..., None]:
        for name, values in (
            ("sigma", [0.0, 0.7]),
            ("spread", [0, 2, 4]),
            ("font", list(SWEEP_FONTS)),
            ("dpi", list(dpis)),
        ):
            test = pytest.mark.parametrize(name, values)(test)
        return test

    return parametrized


@inked_sweep(60, 70, 85, 100)
def test_blurred_and_inked_low_res_text_is_not_taken_for_larger_text(
    dpi: int, font: str, spread: int, sigma: float
) -> None:
    """Blur and ink spread make glyphs taller, never shorter: at 60-100 dpi the height alone reads up
    to 44 % high here. Combined with the line pitch, the estimate stays within 25 % without a header,
    and a header the text agrees with is taken as it is."""
    page = _prepared(inked_scan(dpi, font, spread, sigma))
    m = P.estimate_resolution(page)
    assert m["est_dpi"] == pytest.approx(dpi, rel=0.25), m
    assert P.estimate_resolution(page, float(dpi))["est_dpi"] == dpi


def _otsu_ink(gray: np.ndarray) -> np.ndarray:
    """Ink as Tesseract's global threshold sees it."""
    return cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)[1] > 0


def _enlarged(dpi: int, font: str, spread: int, sigma: float) -> np.ndarray:
    """An inked low-res scan as the engine hands it to `lighten_midtones`: enlarged, contrast stretched."""
    big, m = P.rescale_low_resolution(_prepared(inked_scan(dpi, font, spread, sigma)), float(dpi))
    assert m["applied"]
    return P.stretch_contrast(big)[0]


@inked_sweep(60, 85, 130)
def test_lightened_midtones_split_blurred_glyphs_and_never_erase_one(
    dpi: int, font: str, spread: int, sigma: float
) -> None:
    """On an enlarged low-res page, lightening the midtones takes ink away from the threshold's view
    and never adds any, splits blobs of joined letters (more components on every page) and leaves
    every glyph-sized blob some ink (no letter or tone mark erased)."""
    big = _enlarged(dpi, font, spread, sigma)
    before = _otsu_ink(big)
    after = _otsu_ink(P.lightened(big))
    assert not (after & ~before).any()
    n, labels = cv2.connectedComponents(before.astype(np.uint8), connectivity=8)
    sizes = np.bincount(labels.ravel(), minlength=n)[1:]
    kept = np.bincount(labels[after], minlength=n)[1:]
    assert not ((kept == 0) & (sizes >= 20)).any()
    assert cv2.connectedComponents(after.astype(np.uint8), connectivity=8)[0] > n


LETTERS = sum(len(line.replace(" ", "")) for line in BODY)


@inked_sweep(60, 85, 100, 130)
def test_midtones_are_lightened_where_the_threshold_joins_letters_and_only_there(
    dpi: int, font: str, spread: int, sigma: float
) -> None:
    """Where Otsu's threshold joins the letters of an enlarged page into words (fewer than half as many
    blobs as letters), the midtones are lightened; where the letters stand apart (more than 0.7 blobs
    a letter: tone marks make their own), the page keeps its grey levels: thinning those strokes cost
    the phone photos sent at 100-170 dpi a quarter of their words."""
    big = _enlarged(dpi, font, spread, sigma)
    blobs = cv2.connectedComponents(_otsu_ink(big).astype(np.uint8), connectivity=8)[0] - 1
    out, m = P.lighten_midtones(big, enlarged=True)
    if blobs < 0.5 * LETTERS:
        assert m["applied"] and not np.array_equal(out, big), (blobs, m)
    elif blobs > 0.7 * LETTERS:
        assert not m["applied"] and out is big, (blobs, m)


@pytest.mark.parametrize("dpi", [100, 200, 300])
def test_estimate_far_from_the_header_stays_bounded(dpi: int) -> None:
    page = render_at_dpi(dpi)
    far = P.estimate_resolution(page, dpi * 4.0)  # a header 4x off: beyond the bound
    assert far["confirmed"] and far["est_dpi"] == dpi * 4 and "header stands" in far["reason"]
    near = P.estimate_resolution(page, dpi * 2.5)  # within the bound, and confirmed: the text wins
    assert near["est_dpi"] == pytest.approx(dpi, rel=0.2) and "confirmed" in near["reason"]


def test_recognition_resolution_is_chosen_the_same_way_both_directions() -> None:
    """Text within the band is read as it is (a clean 200-dpi page is no longer enlarged); text below
    it is enlarged, text above it reduced, both towards what the text needs."""
    from ocr.engine import recognition_scale

    for dpi in (150, 180, 200, 240):
        page = render_at_dpi(dpi)
        est = P.estimate_resolution(page, float(dpi))["est_dpi"]
        assert not P.rescale_low_resolution(page, est)[1]["applied"], dpi
        assert recognition_scale(est, P.TEXT_DPI)[0] == 1.0, dpi
    low = render_at_dpi(90)
    out, m = P.rescale_low_resolution(low, P.estimate_resolution(low, 90.0)["est_dpi"])
    assert m["applied"] and out.shape[0] > 2 * low.shape[0]
    assert recognition_scale(400.0, P.TEXT_DPI) == (0.5, 200)


# ---------------------------------------------------------------- the page outline


def _glyphs(gray: np.ndarray) -> int:
    """Character components of dark text (Otsu), counted independently of the engine's own masks."""
    ink = _otsu_ink(gray).astype(np.uint8)
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    h, w = stats[1:, cv2.CC_STAT_HEIGHT], stats[1:, cv2.CC_STAT_WIDTH]
    return int(((h >= 6) & (h < 80) & (w < 120) & (w >= 2)).sum())


def _on_background(kind: str, seed: int) -> tuple[np.ndarray, int]:
    """A page of text photographed or scanned on some background; returns it and the text's glyph
    count on the flat page."""
    rng = np.random.default_rng(seed)
    page = render_at_dpi(150, lines=None, margin_in=0.5)
    page = np.vstack([page, page])  # a taller sheet, like A4
    glyphs = _glyphs(page)
    ph, pw = page.shape
    H, W = ph + 240, pw + 240
    y0, x0 = int(rng.integers(40, 200)), int(rng.integers(40, 200))
    if kind == "borders":  # dark scanner bed on every side
        canvas = np.full((H, W), int(rng.integers(10, 60)), np.uint8)
        canvas[y0 : y0 + ph, x0 : x0 + pw] = page
    elif kind == "partial":  # the sheet runs off the image on two sides
        H, W = y0 + round(0.9 * ph), x0 + round(0.95 * pw)
        canvas = np.full((H, W), 30, np.uint8)
        canvas[y0:, x0:] = page[: H - y0, : W - x0]
        glyphs = _glyphs(canvas)
    elif kind == "perspective":  # a phone photo: the sheet in perspective on a grey desk
        canvas = np.full((H, W), 90, np.uint8)
        d = rng.uniform(0.015, 0.05, 8) * np.array([pw, ph] * 4)
        src = np.float32([[0, 0], [pw, 0], [pw, ph], [0, ph]])
        dst = np.float32(
            [
                [x0 + d[0], y0 + d[1]],
                [x0 + pw - d[2], y0 + d[3]],
                [x0 + pw - d[4], y0 + ph - d[5]],
                [x0 + d[6], y0 + ph - d[7]],
            ]
        )
        warp = cv2.getPerspectiveTransform(src, dst)
        canvas = cv2.warpPerspective(page, warp, (W, H), borderValue=90)
        mask = cv2.warpPerspective(np.full_like(page, 255), warp, (W, H))
        canvas = np.where(mask > 0, canvas, 90).astype(np.uint8)
    else:
        canvas = page.copy()
    yy, xx = np.mgrid[0 : canvas.shape[0], 0 : canvas.shape[1]]
    if kind in ("shadow", "uneven"):
        # A soft shadow over part of the sheet, or light falling off across it.
        if kind == "shadow":
            cx, cy = rng.uniform(0.2, 0.8) * canvas.shape[1], rng.uniform(0.2, 0.8) * canvas.shape[0]
            r = 0.35 * max(canvas.shape)
            gain = 1.0 - 0.55 * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * r * r))
        else:
            gain = 1.0 - 0.55 * (xx / canvas.shape[1]) * (0.5 + yy / canvas.shape[0])
        canvas = (canvas * gain).clip(0, 255).astype(np.uint8)
    return canvas, glyphs


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("kind", ["borders", "partial", "perspective", "shadow", "uneven"])
def test_page_outline_and_edge_whitening_never_remove_text(kind: str, seed: int) -> None:
    image, glyphs = _on_background(kind, seed)
    out, m = P.crop_to_page(image)
    out, whitened = P.whiten_dark_edges(out)  # the engine's next step: it paints what is left of the bed
    kept = _glyphs(P.even_lighting(out)[0])
    assert whitened.get("text_kept", 1.0) >= P.OUTLINE_KEEP_TEXT
    assert kept >= 0.98 * glyphs, (kind, m, kept, glyphs)
    if m["applied"]:
        assert m["check"]["text_kept"] >= P.OUTLINE_KEEP_TEXT
    if kind == "borders":  # the bed is cut away
        assert m["applied"] and out.shape[0] < image.shape[0]


def _page_in_perspective(seed: int, margin: int = 400) -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
    """A sheet of text warped in perspective onto a grey desk: the image, the sheet's true corners
    (TL TR BR BL) and the sheet's size (w, h)."""
    rng = np.random.default_rng(seed)
    page = np.vstack([render_at_dpi(150, margin_in=0.5)] * 2)
    ph, pw = page.shape
    d = rng.uniform(0.0, 0.05, 8) * np.array([pw, ph] * 4)
    x0 = y0 = margin
    corners = np.float32(
        [
            [x0 + d[0], y0 + d[1]],
            [x0 + pw - d[2], y0 + d[3]],
            [x0 + pw - d[4], y0 + ph - d[5]],
            [x0 + d[6], y0 + ph - d[7]],
        ]
    )
    warp = cv2.getPerspectiveTransform(np.float32([[0, 0], [pw, 0], [pw, ph], [0, ph]]), corners)
    size = (pw + 2 * margin, ph + 2 * margin)
    image = cv2.warpPerspective(page, warp, size, borderValue=90)
    sheet = cv2.warpPerspective(np.full_like(page, 255), warp, size)
    return np.where(sheet > 0, image, 90).astype(np.uint8), corners, (pw, ph)


@pytest.mark.parametrize("seed", range(6))
def test_true_outline_leaves_the_text_level_and_one_leaked_into_the_desk_is_refused(seed: int) -> None:
    """Text is printed parallel to the sheet's edges: warped by its true outline, a page in any
    perspective has level lines in both halves. An outline that leaked into the desk at one corner
    (a pale desk under uneven light) passes `check_outline`, but tilts the text and is refused."""
    image, corners, (pw, _) = _page_in_perspective(seed)
    page = P.PageCopy(*P._small(image, 1200))
    tilts = P.text_tilt_after_warp(corners, page)
    assert all(t is not None and abs(t) <= 1.0 for t in tilts), tilts
    leaked = corners.copy()
    leaked[1, 1] -= math.tan(math.radians(6.0)) * pw  # the top-right corner up in the desk
    ok, m = P.check_outline(leaked, page)
    assert ok, m  # a plausible quadrilateral that keeps all the text...
    tilts = P.text_tilt_after_warp(leaked, page)
    assert max(abs(t) for t in tilts if t is not None) > P.OUTLINE_MAX_TEXT_TILT_DEG, tilts  # ...tilted


def test_crop_refuses_a_tilting_outline_and_takes_the_next_one(monkeypatch: pytest.MonkeyPatch) -> None:
    image, corners, (pw, _) = _page_in_perspective(1)
    leaked = corners.copy()
    leaked[1, 1] -= math.tan(math.radians(6.0)) * pw
    found = {"found": True}
    monkeypatch.setattr(P, "find_page", lambda _img: ([("otsu", leaked), ("edges", corners)], dict(found)))
    out, m = P.crop_to_page(image)
    assert m["applied"] and m["mask"] == "edges", m
    assert m["rejected_outlines"][0].startswith("otsu: would leave the text tilted"), m
    assert abs(P.estimate_skew(out)[0]) <= 0.5
    monkeypatch.setattr(P, "find_page", lambda _img: ([("otsu", leaked)], dict(found)))
    out, m = P.crop_to_page(image)  # the page's own straight sides are the last outline tried
    assert m["applied"] and m["mask"] == "sides" and "tilted" in m["rejected_outlines"][0], m
    monkeypatch.setattr(P, "page_by_sides", lambda _page: (None, {}))
    out, m = P.crop_to_page(image)
    assert not m["applied"] and out is image and "tilted" in m["check"]["rejected"]


DESKS = {"pale": (206, 204, 198), "grey": (92, 92, 98), "wood": (118, 84, 52)}  # RGB


def _photo_on_desk(desk: str, seed: int, *, stamp: bool, off_image: bool) -> tuple[np.ndarray, np.ndarray]:
    """A sheet of text photographed on a desk: colour, turned 2-5 degrees and in slight perspective,
    the light falling off across the frame and to its corners (the darkest a third darker, so that a
    pale desk there is darker than the paper on the lit side), desk grain and sensor noise. With
    `stamp`, a received stamp's frame runs 2 px inside the sheet's top-right corner; with `off_image`,
    the frame's edge cuts one corner of the sheet off. Returns the photo (RGB) and the sheet's corners
    in it (TL TR BR BL, the cut one outside the image)."""
    rng = np.random.default_rng(seed)
    sheet = np.vstack([render_at_dpi(150, margin_in=0.5)] * 2)
    ph, pw = sheet.shape
    if stamp:  # in the top margin, its frame 2 px from the sheet's top and right edges
        cv2.rectangle(sheet, (pw - 220, 2), (pw - 3, 64), 60, 3)
    a = math.radians(rng.uniform(2, 5) * (-1 if off_image else rng.choice([-1, 1])))
    turn = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    corners = np.array([[-pw, -ph], [pw, -ph], [pw, ph], [-pw, ph]]) / 2 @ turn.T
    corners += rng.uniform(-0.02, 0.02, (4, 2)) * pw
    lo, hi = corners.min(axis=0) - 0.12 * pw, corners.max(axis=0) + 0.12 * pw
    if off_image:  # turned anticlockwise, the top-left corner is the leftmost: cut it off
        lo[0] = (corners[0, 0] + corners[3, 0]) / 2
    corners = (corners - lo).astype(np.float32)
    w, h = (int(v) for v in np.ceil(hi - lo))
    warp = cv2.getPerspectiveTransform(np.float32([[0, 0], [pw, 0], [pw, ph], [0, ph]]), corners)
    grey_sheet = sheet.astype(np.float32) * (230 - 40) / 255 + 40  # grey paper, grey ink
    paper = cv2.warpPerspective(grey_sheet, warp, (w, h), borderValue=-1)
    grain = cv2.GaussianBlur(rng.normal(0, 12, (h, w)).astype(np.float32), (0, 0), 3)
    tints = (1.0, 0.97, 0.92)  # warm light on white paper
    rgb = DESKS[desk]
    photo = np.stack([np.where(paper >= 0, paper * t, rgb[c] + grain) for c, t in enumerate(tints)], 2)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    d = rng.uniform(-1, 1, 2)
    ramp = (xx / w - 0.5) * d[0] + (yy / h - 0.5) * d[1]
    ramp = (ramp - ramp.min()) / max(float(np.ptp(ramp)), 1e-6)
    vignette = ((xx / w - 0.5) ** 2 + (yy / h - 0.5) ** 2) / 0.5
    photo *= (1.0 - 0.3 * np.clip(0.7 * ramp + 0.3 * vignette, 0, 1))[..., None]
    photo = cv2.GaussianBlur(photo, (0, 0), 1.0) + rng.normal(0, 3, photo.shape)
    return np.clip(photo, 0, 255).astype(np.uint8), corners


@pytest.mark.parametrize("off_image", [False, True], ids=["whole", "corner-cut"])
@pytest.mark.parametrize("stamp", [False, True], ids=["plain", "stamp"])
@pytest.mark.parametrize("desk", list(DESKS))
@pytest.mark.parametrize("seed", range(3))
def test_photo_on_any_desk_is_cut_along_the_sheet(desk: str, stamp: bool, off_image: bool, seed: int) -> None:
    """The sheet is found on a pale desk as on a dark one, under light falling off across it, with a
    stamp framed at its corner, and with a corner outside the photo: its corners land within 1.5 %
    of the sheet's size of the true ones (2.5 %, a cut corner on the image's edge), and the crop
    keeps all of the text."""
    photo, corners = _photo_on_desk(desk, seed, stamp=stamp, off_image=off_image)
    gray = cv2.cvtColor(photo, cv2.COLOR_RGB2GRAY)
    out, m = P.crop_to_page(gray, photo)
    assert m["applied"], m
    quad, size = np.float32(m["quad"]), max(P._rect_size(corners))
    # A cut corner is found where the sheet's sides meet the image's edge; the sheet's corner below
    # it may merge with that edge when it lies within 2 % of it.
    tolerance = 0.025 if off_image else 0.015
    seen = np.maximum(corners, 0)
    assert np.abs(quad - seen).max() <= tolerance * size, (m["quad"], corners.round())
    inside = np.zeros_like(gray)
    cv2.fillConvexPoly(inside, corners.round().astype(np.int32), 255)
    sheet_only = np.where(cv2.erode(inside, np.ones((7, 7), np.uint8)) > 0, gray, 255).astype(np.uint8)
    assert _glyphs(P.even_lighting(out)[0]) >= 0.98 * _glyphs(P.even_lighting(sheet_only)[0])


def _sheet_on_a_desk_of_its_brightness(seed: int, *, sides: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """A sheet photographed on a desk as bright as its paper, the light falling off across the frame
    by up to two fifths (a pale desk beside white paper in a real photo): only the thin shadow along
    the sheet's edges shows, and it is broken, a third of it lost in the light; a brightness
    threshold follows the light, not the sheet. With `sides` 3, the sheet runs off the photo's left
    edge. Returns the photo and the sheet's corners in it (TL TR BR BL)."""
    rng = np.random.default_rng(seed)
    sheet = np.vstack([render_at_dpi(150, margin_in=0.5)] * 2).astype(np.float32) * (225 - 40) / 255 + 40
    ph, pw = sheet.shape
    a = math.radians(rng.uniform(-4, 4))
    turn = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    corners = np.array([[-pw, -ph], [pw, -ph], [pw, ph], [-pw, ph]]) / 2 @ turn.T
    corners += rng.uniform(-0.02, 0.02, (4, 2)) * pw
    lo, hi = corners.min(axis=0) - 0.1 * pw, corners.max(axis=0) + 0.1 * pw
    if sides == 3:
        lo[0] = (corners[0, 0] + corners[3, 0]) / 2 + 0.04 * pw
    corners = (corners - lo).astype(np.float32)
    w, h = (int(v) for v in np.ceil(hi - lo))
    warp = cv2.getPerspectiveTransform(np.float32([[0, 0], [pw, 0], [pw, ph], [0, ph]]), corners)
    photo = cv2.warpPerspective(sheet, warp, (w, h), borderValue=225)  # the desk: the paper's grey
    shadow = np.zeros((h, w), np.uint8)
    for i in range(4):  # the edge's shadow, 2 px wide, in pieces of 10-40 px, a third of them lost
        p, q = corners[i], corners[(i + 1) % 4]
        n = max(2, int(np.linalg.norm(q - p) / rng.uniform(10, 40)))
        for k in range(n):
            if rng.random() > 1 / 3:
                s, e = p + (q - p) * k / n, p + (q - p) * (k + 1) / n
                cv2.line(shadow, tuple(int(v) for v in s.round()), tuple(int(v) for v in e.round()), 255, 2)
    photo -= (shadow > 0) * rng.uniform(25, 45)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    photo *= 1.0 - 0.4 * (xx / w * rng.uniform(0.5, 1) + yy / h * rng.uniform(0.5, 1)) / 2
    photo = cv2.GaussianBlur(photo, (0, 0), 1.0) + rng.normal(0, 2, photo.shape)
    return np.clip(photo, 0, 255).astype(np.uint8), corners


@pytest.mark.parametrize("sides", [4, 3])
@pytest.mark.parametrize("seed", range(4))
def test_sheet_on_a_desk_of_its_brightness_is_cut_along_its_straight_sides(seed: int, sides: int) -> None:
    """Where only a broken shadow line parts the sheet from the desk, the regions of the edge mask leak
    into each other; the sheet's straight sides still outline it, within 1.5 % of its size (2.5 %
    where a corner is cut off: found where the side meets the image's edge)."""
    photo, corners = _sheet_on_a_desk_of_its_brightness(seed, sides=sides)
    out, m = P.crop_to_page(photo)
    assert m["applied"] and m["mask"] == "sides", m
    quad, size = np.float32(m["quad"]), max(P._rect_size(corners))
    seen = np.maximum(corners, 0)
    tolerance = 0.015 if sides == 4 else 0.025
    assert np.abs(quad - seen).max() <= tolerance * size, (m["quad"], corners.round())
    inside = np.zeros_like(photo)
    cv2.fillConvexPoly(inside, corners.round().astype(np.int32), 255)
    sheet_only = np.where(cv2.erode(inside, np.ones((7, 7), np.uint8)) > 0, photo, 255).astype(np.uint8)
    assert _glyphs(P.even_lighting(out)[0]) >= 0.98 * _glyphs(P.even_lighting(sheet_only)[0])


def test_a_scans_rulings_outside_the_text_are_not_taken_for_a_sheets_sides() -> None:
    """On a flat scan, where no background is seen, the rulings round a table (open at the top, under
    its title) are three straight lines outside the text, as a sheet's sides are: the page is not cut
    along them."""
    page = np.vstack([render_at_dpi(200, margin_in=0.8)] * 2)
    ys, xs = np.nonzero(page < 128)
    x0, x1, y0, y1 = int(xs.min()) - 40, int(xs.max()) + 40, int(ys.min()) + 100, int(ys.max()) + 40
    cv2.polylines(page, [np.int32([[x0, y0], [x0, y1], [x1, y1], [x1, y0]])], False, 0, 3)
    quad, sides = P.page_by_sides(P.PageCopy(*P._small(page, 1200)))
    assert quad is not None and len(sides["sides"]) >= P.SIDES_NEEDED, sides  # they look like sides...
    out, m = P.crop_to_page(page)
    assert not m["applied"] and out is page and not m["found"], m  # ...but no desk was seen


def test_lines_round_nearly_the_whole_image_are_no_sheet_on_a_desk() -> None:
    """A fax's border lines a little inside the image's edges are four straight lines outside the
    text too; cutting off the sliver beyond them would only resample the page."""
    page = np.vstack([render_at_dpi(200, margin_in=0.8)] * 2)
    h, w = page.shape
    cv2.rectangle(page, (w // 60, h // 90), (w - w // 60, h - h // 90), 0, 3)
    quad, m = P.page_by_sides(P.PageCopy(*P._small(page, 1200)))
    assert quad is None and len(m["sides"]) == 4 and m["area_share"] > P.SIDES_MAX_AREA, m


def test_an_empty_box_at_the_sheets_edge_is_page_not_desk() -> None:
    """A region free of edges and of text is desk only when it reaches the image's edge: an empty box
    (a stamp's or a form's frame) drawn against the sheet's edge stays part of the sheet."""
    edges = np.zeros((400, 400), np.uint8)
    cv2.rectangle(edges, (50, 50), (350, 350), 255, 3)  # the sheet's outline
    cv2.rectangle(edges, (230, 50), (350, 130), 255, 3)  # an empty box in its top-right corner
    detail = np.zeros(edges.shape, bool)
    detail[180:300:12, 80:320] = True  # lines of text
    page = P._inside_page_edges(edges, detail) > 0
    assert page[60:340, 60:340].all()  # the box's inside included
    assert not page[:45].any() and not page[:, 356:].any()
    blank = P._inside_page_edges(edges, np.zeros_like(detail)) > 0  # a blank sheet is a sheet too
    assert blank[60:340, 60:340].all() and not blank[:45].any()


def test_outline_that_cuts_the_text_is_rejected_and_says_why() -> None:
    image = np.vstack([render_at_dpi(150, margin_in=0.5)] * 2)
    h, w = image.shape
    bad = np.float32([[0, 0], [0.25 * w, 0], [w - 1, h - 1], [0, h - 1]])  # a triangle-like quad
    page = P.PageCopy(*P._small(image, 1200))
    ok, m = P.check_outline(bad, page)
    assert not ok and "rectangle" in m["rejected"] and "text" in m["rejected"]
    half = np.float32([[0, 0], [w - 1, 0], [w - 1, h / 2], [0, h / 2]])  # a rectangle, half the text
    ok, m = P.check_outline(half, page)
    assert not ok and m["text_kept"] < 0.6 and m["rejected"].startswith("would cut away")
    whole = np.float32([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]])
    assert P.check_outline(whole, page)[0]


@pytest.mark.parametrize("turn", [1, 3])
def test_outline_that_cuts_a_sideways_pages_text_is_rejected(turn: int) -> None:
    """The outline is checked before the page is turned: the text of a page lying sideways, its lines
    running down, counts as text too. A landscape table scanned sideways, cut along its outer ruling,
    would lose its title and its column of row numbers."""
    page, cells = render_table(200, rows=TABLE_ROWS * 3)
    h, w = page.shape
    x0, y0, x1, y1 = cells[0][0], cells[0][1], cells[-1][2], cells[-1][3]
    ruling = np.float32([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])
    turned = np.ascontiguousarray(np.rot90(page, turn))
    if turn == 1:  # anticlockwise: (x, y) -> (y, w - 1 - x)
        quad = np.stack([ruling[:, 1], w - 1 - ruling[:, 0]], axis=1)
    else:  # clockwise: (x, y) -> (h - 1 - y, x)
        quad = np.stack([h - 1 - ruling[:, 1], ruling[:, 0]], axis=1)
    ok, m = P.check_outline(P._order_quad(quad), P.PageCopy(*P._small(turned, 1200)))
    assert not ok and m["text_kept"] < 0.95, m


# ---------------------------------------------------------------- rotation and skew


@pytest.mark.parametrize("how", ["gray", "jpeg"])
@pytest.mark.parametrize("font", list(SWEEP_FONTS))
@pytest.mark.parametrize("dpi", [60, 70, 85, 100, 120, 140])
def test_level_low_res_page_is_not_resampled_and_a_real_skew_still_is(dpi: int, font: str, how: str) -> None:
    """A level page measures a skew of up to ~0.15 degrees; turning a 60-140 dpi page by that moves a
    line's end by about a pixel and only blurs its few-pixel glyphs, so the page is left as it is. A
    skew of 1.5 degrees on the same page is still taken out."""
    page = _encode(render_at_dpi(dpi, font, spacing=SWEEP_SPACING[font], margin_in=0.3), how)
    out, m = P.deskew(page)
    assert out is page and not m["applied"], m
    _, turned = P.deskew(P.rotate(page, 1.5))
    assert turned["applied"] and turned["angle"] == pytest.approx(-1.5, abs=0.5), turned


@pytest.mark.parametrize("edge", ["top", "bottom", "left", "right"])
@pytest.mark.parametrize("skew", [-6.0, -1.4, 0.0, 1.4, 4.0])
def test_skew_is_measured_from_the_text_not_from_a_strip_of_scanner_bed_at_the_edge(
    edge: str, skew: float
) -> None:
    """A crop that keeps a few pixels of scanner bed leaves a straight dark strip along one edge of a
    skewed page; the skew is still the text's (a page skewed by 1.4 degrees was measured level)."""
    page = P.rotate(render_at_dpi(200, margin_in=0.5), skew)
    h, w = page.shape
    strip = max(3, h // 300)
    region = {
        "top": (slice(0, strip), slice(None)),
        "bottom": (slice(h - strip, h), slice(None)),
        "left": (slice(None), slice(0, strip)),
        "right": (slice(None), slice(w - strip, w)),
    }[edge]
    page[region] = 20
    angle, _ = P.estimate_skew(page)
    assert angle == pytest.approx(-skew, abs=0.3), (edge, skew, angle)


@pytest.mark.parametrize("turn", [0, 90, 180, 270])
@pytest.mark.parametrize("skew", [-14.0, -6.5, -1.5, 0.0, 2.5, 8.0, 13.0])
def test_rotation_and_skew_recovered_up_to_a_half_turn(turn: int, skew: float) -> None:
    """Geometry alone makes the lines level: sideways pages are turned, skew removed. Whether the page
    is then upright or upside down is for the reading to tell (tests/test_ocr_engine.py)."""
    from ocr.engine import _orient

    page = render_at_dpi(150, margin_in=0.3)
    turned = P.rotate90s(P.rotate(page, skew), turn)
    level, side = _orient(turned)
    assert side["applied"] == (turn in (90, 270))
    fixed, m = P.deskew(level)
    residual, _ = P.estimate_skew(fixed)
    assert abs(residual) <= 0.5, (turn, skew, m)
    assert fixed.shape[1] > fixed.shape[0]  # lines run along the long side again, like the block's
