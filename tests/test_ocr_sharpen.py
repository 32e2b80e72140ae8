"""Soft text sharpened before it is read (`preprocess.sharpen_soft_edges`): blurred, the hook above
(hỏi) reads as the acute (sắc)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from ocr import preprocess as P
from ocr import tones
from ocr.engine import OcrOptions, ocr_image
from tests.fixtures.ocr.pages import SWEEP_FONTS, render_at_dpi

HOOK_ABOVE = [
    "Tổng số hộ gia đình trên địa bàn là 3.427 hộ với 3.216 nhân khẩu.",
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
    "sửa đổi, bổ sung một số điều để triển khai, biểu dương và kiểm tra;",
    "Quyết định này có hiệu lực kể từ ngày ký, cấp đổi Giấy chứng nhận.",
    "Thủ tục hành chính, thẩm quyền của Chủ tịch Ủy ban nhân dân phường.",
]


def _jpeg(gray: np.ndarray, quality: int) -> np.ndarray:
    ok, buf = cv2.imencode(".jpg", gray, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)


@pytest.mark.parametrize("dpi", [150, 200, 300])
def test_crisp_print_is_left_as_it_is(dpi: int) -> None:
    for font in SWEEP_FONTS:
        for page in (render_at_dpi(dpi, font), _jpeg(render_at_dpi(dpi, font), 90)):
            out, m = P.sharpen_soft_edges(page, est_dpi=dpi)
            assert not m["applied"] and m["sharpness"] >= P.SOFT_EDGES, (dpi, font, m)
            assert out is page


def test_soft_text_is_sharpened_and_its_measure_kept() -> None:
    """Blur of 1.2-3 px at 300 dpi in every sweep font: sharpened, steeper edges after, and the
    step keeps the measure taken before (the engine decides the reading scale on it)."""
    for font in SWEEP_FONTS:
        for sigma in (1.2, 1.6, 2.0, 3.0):
            page = cv2.GaussianBlur(render_at_dpi(300, font), (0, 0), sigma)
            out, m = P.sharpen_soft_edges(page, est_dpi=300)
            assert m["applied"] and m["sharpness"] == pytest.approx(P.edge_sharpness(page), abs=1e-3)
            assert P.edge_sharpness(out) > 1.05 * m["sharpness"], (font, sigma)
            assert out.shape == page.shape and out.dtype == np.uint8


def test_the_softer_the_edges_the_stronger_the_mask() -> None:
    """Just below the gate the mask is light (a scan resampled from 1-bit measures there); it
    reaches its full gain on blurred photos."""
    measured = []
    for sigma in (0.9, 1.0, 1.1, 1.3, 1.6, 2.0, 3.0):
        page = cv2.GaussianBlur(render_at_dpi(300, "dejavu-serif-12"), (0, 0), sigma)
        _, m = P.sharpen_soft_edges(page, est_dpi=300)
        measured.append((m["sharpness"], m.get("amount", 0.0)))
    measured.sort()
    amounts = [a for _, a in measured]
    assert amounts == sorted(amounts, reverse=True) and amounts[0] == P.SHARPEN_AMOUNT
    assert 0 < min(a for s, a in measured if s < P.SOFT_EDGES) < P.SHARPEN_AMOUNT / 2


def test_a_page_without_ink_is_not_measured_nor_changed() -> None:
    blank = np.full((900, 900), 245, np.uint8)
    out, m = P.sharpen_soft_edges(blank)
    assert out is blank and m == {"step": "sharpen", "applied": False, "sharpness": None}


def _hook_words_lost(page: np.ndarray, dpi: int) -> int:
    read = ocr_image(page, OcrOptions(), dpi_hint=dpi).text.split()
    return sum(word not in read for line in HOOK_ABOVE for word in line.split())


def test_blurred_hooks_above_are_read_as_hooks_by_real_tesseract(monkeypatch: pytest.MonkeyPatch) -> None:
    """Times-like print blurred by 1.6-1.8 px at 300 dpi, at 250-400 dpi, sent as JPEG: read as it
    is, Tesseract takes `tổ` for `tố`, `đổi` for `đối`, `kể` for `kế`; sharpened first, it loses
    fewer than half as many words. Measured on Tesseract's reading: the tone rules that mend some of
    these words afterwards (`ocr.tones`) are left out."""
    monkeypatch.setattr(tones, "restore", lambda words: None)
    pages = []
    for dpi in (250, 300, 400):
        for sigma in (1.6, 1.8):
            page = cv2.GaussianBlur(
                render_at_dpi(dpi, "liberation-serif-13", lines=HOOK_ABOVE), (0, 0), sigma * dpi / 300
            )
            pages.append((_jpeg(page, 65), dpi))
    sharpened = sum(_hook_words_lost(page, dpi) for page, dpi in pages)
    monkeypatch.setattr(P, "SOFT_EDGES", 0.0)
    as_it_is = sum(_hook_words_lost(page, dpi) for page, dpi in pages)
    assert as_it_is >= 20 and sharpened <= as_it_is / 2, (sharpened, as_it_is)
