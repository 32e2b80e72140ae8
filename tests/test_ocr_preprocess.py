"""Preprocessing steps on small generated pages: each step measured and checked on its own."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from ocr import preprocess as P
from tests.fixtures.ocr.pages import SWEEP_FONTS, render_page, render_table


def test_sideways_page_is_detected() -> None:
    page = render_page()
    assert P.is_sideways(page)[0] is False
    assert P.is_sideways(cv2.rotate(page, cv2.ROTATE_90_CLOCKWISE))[0] is True
    assert P.is_sideways(cv2.rotate(page, cv2.ROTATE_90_COUNTERCLOCKWISE))[0] is True


@pytest.mark.parametrize("angle", [-7.0, -2.5, 1.2, 4.0, 12.0])
def test_skew_straightened_within_half_a_degree(angle: float) -> None:
    page = render_page(size=(1400, 1100))
    skewed = P.rotate(page, angle)  # cv2 convention: counter-clockwise positive
    fixed, m = P.deskew(skewed)
    assert m["applied"]
    assert m["angle"] == pytest.approx(-angle, abs=0.5)
    residual, _ = P.estimate_skew(fixed)
    assert abs(residual) <= 0.5


def test_straight_page_left_alone() -> None:
    page = render_page()
    out, m = P.deskew(page)
    assert abs(m["angle"]) < 0.2 and out.shape == page.shape


def test_red_seal_removed_black_text_survives() -> None:
    page = render_page(rgb=True)
    seal = page.copy()
    # A red ring and red text over the second line, the way a con dấu overlaps the signature.
    cv2.circle(seal, (400, 170), 110, (220, 30, 40), 9)
    cv2.putText(seal, "UBND", (330, 185), cv2.FONT_HERSHEY_SIMPLEX, 1.6, (210, 20, 30), 5)
    seal = np.minimum(seal, page)  # ink multiplies: black text stays black under the seal
    gray, m = P.to_gray(seal)
    assert m["applied"] and m["red_share"] > 0
    ring_only = (np.abs(np.asarray(seal, np.int32) - page).sum(axis=2) > 60) & (page.min(axis=2) > 200)
    assert gray[ring_only].mean() > 200  # the seal is gone
    text = page.min(axis=2) < 80
    under = text.copy()
    under[:, :250] = False
    under[:, 560:] = False
    assert gray[under].mean() < 90  # black text under the seal is still black


def test_blue_signature_removed() -> None:
    page = render_page(rgb=True)
    cv2.line(page, (700, 600), (1100, 650), (30, 40, 200), 6)
    gray, m = P.to_gray(page)
    assert m["blue_share"] > 0 and gray[600:650, 750:1050].min() > 150


def test_scanner_borders_cropped() -> None:
    page = render_page(size=(1200, 1600))
    bed = np.full((1800, 1400), 20, np.uint8)
    bed[90 : 90 + 1600, 130 : 130 + 1200] = page
    out, m = P.crop_to_page(bed)
    assert m["applied"]
    assert abs(out.shape[0] - 1600) < 40 and abs(out.shape[1] - 1200) < 40
    edges = np.concatenate([out[:5].ravel(), out[-5:].ravel(), out[:, :5].ravel(), out[:, -5:].ravel()])
    assert edges.mean() > 240  # no dark border left


def test_plain_page_not_cropped() -> None:
    page = render_page(size=(1200, 1600))
    out, m = P.crop_to_page(page)
    assert not m["applied"] and out.shape == page.shape


def test_black_margin_on_one_side_whitened() -> None:
    page = render_page(size=(1200, 1600))
    page[:, :60] = 10
    out, m = P.whiten_dark_edges(page)
    assert m["applied"] and out[:, :50].mean() > 240
    assert (out < 100).sum() > 0.5 * (page[:, 60:] < 100).sum()  # the text is still there


def test_uneven_lighting_evened() -> None:
    page = render_page(size=(1200, 1600)).astype(np.float32)
    yy, xx = np.mgrid[0:1600, 0:1200]
    gain = 1.0 - 0.5 * (xx / 1200) * (yy / 1600)  # darker towards the bottom right
    shaded = (page * gain * 0.9).clip(0, 255).astype(np.uint8)
    out, m = P.even_lighting(shaded)
    assert m["applied"] and m["bg_spread"] > 0.2
    paper = out[page > 250]
    assert np.percentile(paper, 5) > 200  # the whole sheet is paper-white again
    assert out[page < 50].mean() < 100  # and the ink is still dark


def test_clean_page_lighting_untouched() -> None:
    page = render_page()
    out, m = P.even_lighting(page)
    assert not m["applied"] and out is page


def test_faded_ink_stretched() -> None:
    page = render_page()
    faded = (255 - (255 - page.astype(np.float32)) * 0.35).astype(np.uint8)
    out, m = P.stretch_contrast(faded)
    assert m["applied"] and out.min() < 30


def test_low_resolution_page_upscaled() -> None:
    page = render_page(font_px=54, size=(1900, 900))  # 13 pt at 300 dpi
    low = cv2.resize(page, None, fx=0.35, fy=0.35, interpolation=cv2.INTER_AREA)  # ~100 dpi
    est = P.estimate_resolution(low)["est_dpi"]
    out, m = P.rescale_low_resolution(low, est)
    assert m["applied"] and m["factor"] > 1.8
    assert out.shape[0] > 1.8 * low.shape[0]
    same, m2 = P.rescale_low_resolution(page, P.estimate_resolution(page)["est_dpi"])
    assert not m2["applied"] and same is page
    at_150, m3 = P.rescale_low_resolution(low, 150.0)  # 12-14 pt text at 150 dpi is read as it is
    assert not m3["applied"] and at_150 is low


def test_midtones_lightened_only_on_an_enlarged_page_whose_letters_join() -> None:
    page = render_page()
    same, m = P.lighten_midtones(page, enlarged=False)
    assert same is page and not m["applied"]
    same, m = P.lighten_midtones(page, enlarged=True)  # sharp letters, each its own blob
    assert same is page and not m["applied"] and m["blob_aspect"] < P.JOINED_LETTERS_ASPECT
    joined = cv2.erode(page, np.ones((1, 9), np.uint8))  # letters run into each other along the line
    out, m = P.lighten_midtones(joined, enlarged=True)
    assert m["applied"] and m["gamma"] == P.ENLARGED_INK_GAMMA and m["blob_aspect"] > 1.5
    assert np.array_equal(out, P.lightened(joined))


def test_lightening_keeps_ink_black_paper_white_and_the_order_of_greys() -> None:
    ramp = np.arange(256, dtype=np.uint8).reshape(16, 16)
    out = P.lightened(ramp)
    assert out[0, 0] == 0 and out[-1, -1] == 255  # ink stays black, paper white
    assert np.all(np.diff(out.ravel().astype(int)) >= 0)  # the order of grey levels is kept
    assert 170 <= int(out.ravel()[128]) <= 190  # the halo's mid grey moves toward the paper


def test_salt_and_pepper_removed_but_not_on_low_res() -> None:
    page = render_page()
    rng = np.random.default_rng(1)
    noisy = page.copy()
    idx = rng.random(page.shape) < 0.01
    noisy[idx] = rng.choice([0, 255], size=int(idx.sum())).astype(np.uint8)
    out, m = P.denoise(noisy, est_dpi=300)
    assert m["median"] and P.impulse_noise_share(out) < 0.2 * P.impulse_noise_share(noisy)
    kept, m2 = P.denoise(noisy, est_dpi=90)  # a median filter would erase tone marks at 90 dpi
    assert not m2["applied"] and kept is noisy
    _, m3 = P.denoise(page, est_dpi=300)
    assert not m3["applied"]


@pytest.mark.parametrize("dpi", [200, 300, 400])  # below 200 dpi nothing is denoised
@pytest.mark.parametrize("face", list(SWEEP_FONTS))
def test_hairline_rules_and_thin_strokes_are_not_salt_and_pepper(dpi: int, face: str) -> None:
    """A clean page with a one-pixel ruled table is not denoised (a 3x3 median erases its vertical
    rules, and the table can no longer be read cell by cell); the same page with 1 % salt and pepper
    is."""
    page, _ = render_table(dpi, face, rule_in=0.001)
    _, clean = P.denoise(page, est_dpi=dpi)
    assert not clean["applied"] and clean["impulse_share"] < 0.002
    noisy = page.copy()
    rng = np.random.default_rng(dpi)
    idx = rng.random(page.shape) < 0.01
    noisy[idx] = rng.choice([0, 255], size=int(idx.sum())).astype(np.uint8)
    assert P.denoise(noisy, est_dpi=dpi)[1]["median"]


def test_bitonal_scan_smoothed_gray_scan_untouched() -> None:
    page = render_page()
    fax = np.where(page < 128, 0, 255).astype(np.uint8)
    out, m = P.smooth_bitonal(fax)
    assert m["applied"] and len(np.unique(out)) > 2
    same, m2 = P.smooth_bitonal(page)  # anti-aliased: already has grey levels
    assert not m2["applied"] and same is page


def test_phone_photo_on_a_desk_is_straightened() -> None:
    page = render_page(size=(1000, 1400), rgb=True)
    desk = np.zeros((1700, 1400, 3), np.uint8)
    desk[:] = (150, 100, 60)  # brown wood: saturated, unlike paper
    src = np.float32([[0, 0], [1000, 0], [1000, 1400], [0, 1400]])
    dst = np.float32([[180, 120], [1210, 170], [1240, 1590], [140, 1560]])
    warp = cv2.getPerspectiveTransform(src, dst)
    photo = cv2.warpPerspective(page, warp, (1400, 1700), dst=desk, borderMode=cv2.BORDER_TRANSPARENT)
    gray, _ = P.to_gray(photo)
    out, m = P.crop_to_page(gray, photo)
    assert m["applied"]
    assert abs(out.shape[1] / out.shape[0] - 1000 / 1400) < 0.08  # side lengths, no camera model
    assert np.percentile(out[:20].ravel(), 10) > 200  # no desk left along the top edge


def _specks(page: np.ndarray, n: int, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Dust: n black specks of 1-3 px in the empty band under the text, 20 px or more apart."""
    rng = np.random.default_rng(seed)
    noisy, where = page.copy(), np.zeros(page.shape, bool)
    h, w = page.shape
    cells = [(y, x) for y in range(h - 360, h - 20, 24) for x in range(20, w - 20, 24)]
    for i in rng.choice(len(cells), n, replace=False):
        s = int(rng.integers(1, 4))
        y, x = cells[i]
        noisy[y : y + s, x : x + s] = 0
        where[y : y + s, x : x + s] = True
    return noisy, where


def test_isolated_specks_removed_text_and_its_dots_kept() -> None:
    page = render_page(size=(1400, 1300))  # the text ends ~400 px above the bottom
    noisy, where = _specks(page, 120)
    out, m = P.remove_specks(noisy, est_dpi=300)
    assert m["applied"] and m["specks_per_mpx"] >= P.SPECK_GATE
    assert out[where].min() > 200  # every speck is gone
    # The text is untouched, down to the dots of "ệ", "ị", "ạ" and the full stops.
    assert np.array_equal(out[: 1300 - 400], noisy[: 1300 - 400])
    n_page = cv2.connectedComponents((page < 128).astype(np.uint8))[0]
    n_out = cv2.connectedComponents((out < 128).astype(np.uint8))[0]
    assert n_out == n_page


def test_specks_touching_nothing_but_near_a_letter_are_kept() -> None:
    """A dot below or a tone mark is a small mark close to its letter: never taken for a speck."""
    page = np.full((300, 600), 255, np.uint8)
    for i in range(40):  # enough specks far away to pass the gate
        page[200 + (i % 4) * 20 : 202 + (i % 4) * 20, 20 + i * 14 : 22 + i * 14] = 0
    page[40:100, 100:112] = 0  # a stem
    page[105:108, 104:108] = 0  # a dot 5 px under it, as small as a speck
    boxes = P.find_specks(page, P.SPECK_AREA, P.SPECK_RADIUS)
    assert len(boxes) == 40
    assert not any(x0 < 120 and y0 < 150 for x0, y0, _, _ in boxes.tolist())


def test_clean_page_not_despeckled_and_low_res_skipped() -> None:
    page = render_page()
    out, m = P.remove_specks(page, est_dpi=300)
    assert not m["applied"] and m["specks_per_mpx"] < P.SPECK_GATE and out is page
    noisy, _ = _specks(render_page(size=(1400, 1300)), 120)
    kept, m2 = P.remove_specks(noisy, est_dpi=120)  # at 120 dpi a tone mark is a few pixels
    assert not m2["applied"] and m2["skipped"] == "low resolution" and kept is noisy


def test_salt_and_pepper_page_cleaned_by_denoise_then_specks() -> None:
    page = render_page(size=(1400, 1300))
    rng = np.random.default_rng(5)
    noisy, where = _specks(page, 150, seed=7)
    idx = rng.random(page.shape) < 0.008
    noisy[idx] = rng.choice([0, 255], size=int(idx.sum())).astype(np.uint8)
    med, m = P.denoise(noisy, est_dpi=300)
    assert m["median"]
    left_after_median = int((med[where] < 128).sum())
    out, m2 = P.remove_specks(med, est_dpi=300)
    assert m2["applied"] and left_after_median > 0
    assert int((out[where] < 128).sum()) < 0.1 * left_after_median
    blank = page > 250
    assert (out[blank] < 128).mean() < 0.1 * (noisy[blank] < 128).mean()


def test_small_copy_is_a_whole_factor_reduction() -> None:
    page = render_page(size=(1000, 2000))
    small, f = P._small(page, 800)
    assert f == pytest.approx(1 / 2.5, abs=0.1) and 1 / f == round(1 / f)  # 2000 / 800: by 2 or 3
    assert small.shape == (round(2000 * f), round(1000 * f))
    exact, fe = P._small(page, 800, exact=True)
    assert exact.shape == (800, 400) and fe == 0.4
    same, f1 = P._small(page, 4000)
    assert same is page and f1 == 1.0


def test_sauvola_separates_ink_from_a_shaded_background() -> None:
    page = render_page(size=(1200, 1000)).astype(np.float32)
    _, xx = np.mgrid[0:1000, 0:1200]
    faded = 255 - (255 - page) * 0.65  # grey ink (~90)
    shaded = (faded * (1.0 - 0.7 * xx / 1200)).clip(0, 255).astype(np.uint8)  # dark towards the right
    ink, paper = page < 60, page > 250
    # No global threshold works: the shadowed paper is darker than the ink on the bright side.
    assert np.percentile(shaded[paper], 1) < np.percentile(shaded[ink], 99)
    out = P.sauvola(shaded, window=51)
    assert set(np.unique(out)) <= {0, 255}
    assert (out[paper] == 255).mean() > 0.99
    assert (out[ink] == 0).mean() > 0.9


def test_binarize_gated_on_uneven_background_and_never_low_res() -> None:
    page = render_page(size=(1200, 1000))
    out, m = P.binarize(page, est_dpi=300)
    assert not m["applied"] and out is page  # flat paper: the page stays grayscale
    yy, xx = np.mgrid[0:1000, 0:1200]
    stain = page.astype(np.float32) * (1.0 - 0.4 * np.exp(-((xx - 600) ** 2 + (yy - 500) ** 2) / 2e4))
    stained = stain.clip(0, 255).astype(np.uint8)
    out, m = P.binarize(stained, est_dpi=300, char_h=34)
    assert m["applied"] and m["bg_spread"] >= P.BINARIZE_SPREAD and set(np.unique(out)) <= {0, 255}
    kept, m2 = P.binarize(stained, est_dpi=90)
    assert not m2["applied"] and m2["skipped"] == "low resolution" and kept is stained


def test_edge_sharpness_tells_blurred_text_from_crisp_print() -> None:
    page = render_page(font_px=54, size=(1900, 1200))
    crisp = P.edge_sharpness(page)
    assert crisp is not None and crisp > 0.9
    soft = P.edge_sharpness(cv2.GaussianBlur(page, (0, 0), 1.0))  # a slightly soft scan: still reduced
    blurred = P.edge_sharpness(cv2.GaussianBlur(page, (0, 0), 2.5))  # strokes smeared over ~5 px
    assert soft is not None and soft > 0.6
    assert blurred is not None and blurred < 0.45
    assert P.edge_sharpness(np.full((900, 900), 250, np.uint8)) is None  # no ink: nothing to measure
