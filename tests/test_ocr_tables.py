"""Ruled tables read cell by cell (ocr.tables): the cells found on generated tables across
resolutions, faces and rulings; no table found where there is none; the words read in the cells'
image put back in their cells; and a table read by the engine and real Tesseract."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import cv2
import numpy as np
import pytest

from ocr import engine, layout, preprocess, tables
from ocr.engine import OcrOptions, ocr_image
from ocr.model import Word
from tests.fixtures.ocr.pages import BODY, SWEEP_FONTS, TABLE_ROWS, render_at_dpi, render_table

SWEEP = list(itertools.product((100, 150, 200, 300), SWEEP_FONTS, (0.004, 0.01), (0.0, 0.25)))


def _inside(box: tables.Box, cell: tables.Box) -> bool:
    return cell[0] <= box[0] and cell[1] <= box[1] and box[2] <= cell[2] and box[3] <= cell[3]


@pytest.mark.parametrize(("dpi", "face", "rule_in", "tilt"), SWEEP)
def test_every_cell_of_a_ruled_table_is_found_once_with_all_its_text(
    dpi: int, face: str, rule_in: float, tilt: float
) -> None:
    """Over 100-300 dpi, three faces, hairline and heavy rulings, level and as deskew leaves a page (a
    quarter of a degree): one box per inked cell, inside its cell, holding all the cell's ink."""
    page, cells = render_table(dpi, face, rule_in=rule_in)
    if tilt:
        page = preprocess.rotate(page, tilt)
    found, _, _ = tables.find_cells(page, dpi)
    assert len(found) == len(cells)
    if tilt:
        return  # the true boxes moved with the turn; the count is what the tilt could break
    ink = preprocess.ink_mask(page)
    for cell in cells:
        boxes = [b for b in found if _inside(b, cell)]
        assert len(boxes) == 1
        x0, y0, x1, y1 = boxes[0]
        inner = ink[cell[1] + 2 : cell[3] - 2, cell[0] + 2 : cell[2] - 2]
        inner_in_box = ink[
            max(y0, cell[1] + 2) : min(y1, cell[3] - 2), max(x0, cell[0] + 2) : min(x1, cell[2] - 2)
        ]
        assert np.count_nonzero(inner_in_box) == np.count_nonzero(inner)  # no text of the cell left out


def _underlined_header(dpi: int) -> np.ndarray:
    page = render_at_dpi(dpi)
    y = round(0.3 * dpi)
    cv2.line(page, (round(0.5 * dpi), y), (round(2.5 * dpi), y), 0, max(1, round(dpi / 150)))
    return page


def _framed(dpi: int) -> np.ndarray:
    page = render_at_dpi(dpi)
    h, w = page.shape
    cv2.rectangle(page, (5, 5), (w - 6, h - 6), 0, max(1, round(dpi / 100)))
    return page


def _boxed_note(dpi: int) -> np.ndarray:
    page = render_at_dpi(dpi, lines=BODY[:3])
    pad = np.full((page.shape[0] + 200, page.shape[1] + 200), 255, np.uint8)
    pad[100:-100, 100:-100] = page
    cv2.rectangle(pad, (80, 80), (pad.shape[1] - 80, pad.shape[0] - 80), 0, 2)
    return pad


@pytest.mark.parametrize("dpi", [75, 100, 150, 200, 300])
@pytest.mark.parametrize("make", [render_at_dpi, _underlined_header, _framed, _boxed_note])
def test_a_page_without_a_ruled_table_is_read_as_it_is(make: object, dpi: int) -> None:
    """Body text, a rule under a header, a frame round the page, a box round a note: not a table."""
    page = make(dpi)  # type: ignore[operator]
    assert tables.split(page, dpi) is None


def test_only_the_tables_rulings_are_painted_out() -> None:
    """A rule under the heading, an inch above the table, stays: painting it out would cut the tone
    marks that touch it. The table's own rulings and its cells' text are painted paper."""
    page, cells = render_table(200)
    y, x0, x1 = round(0.5 * 200) + 40, 100, 700
    page[y : y + 2, x0:x1] = 0
    split = tables.split(page, 200)
    assert split is not None
    assert (split.page[y : y + 2, x0:x1] == 0).all()
    table = split.page[cells[0][1] - 5 : cells[-1][3] + 5, cells[0][0] - 5 : cells[-1][2] + 5]
    assert (table > 128).all()


def test_words_read_in_the_cells_image_go_back_to_their_cells() -> None:
    page, cells = render_table(200)
    split = tables.split(page, 200)
    assert split is not None and len(split.placements) == len(cells)
    cell = split.placements[5]
    inside = Word("15,00", 95.0, (cell.dx + 2, cell.dy + 3, cell.dx + 40, cell.dy + 20), (2, 1, 1))
    bottom = split.cells[0].shape[0]
    between = Word("~", 20.0, (0, bottom - 3, 4, bottom - 1), (3, 1, 1))
    moved = split.to_page([inside, between])
    assert [w.text for w in moved] == ["15,00"]
    assert moved[0].bbox == (cell.x0 + 2, cell.y0 + 3, cell.x0 + 40, cell.y0 + 20)
    assert all(_inside((p.x0, p.y0, p.x1, p.y1), c) for p, c in zip(split.placements, cells, strict=True))


def test_a_long_tables_cells_are_set_in_images_tesseract_takes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tesseract refuses an image taller than 32767 px: a table long enough to stack taller is set
    in several images, each within the bound, every cell in one of them, and words read in the
    second image go back to that image's cells."""
    page, cells = render_table(300, rows=TABLE_ROWS * 16)  # 96 rows, 384 cells
    split = tables.split(page, 300)
    assert split is not None and len(split.placements) == len(cells)
    gap = round(tables.GAP_INCHES * 300)
    assert sum(p.y1 - p.y0 + gap for p in split.placements) > tables.MAX_IMAGE_PX  # too tall for one
    assert len(split.cells) >= 2 and all(c.shape[0] <= tables.MAX_IMAGE_PX for c in split.cells)
    for k, image in enumerate(split.cells):
        for p in (p for p in split.placements if p.image == k):  # each cell's text where it was set
            assert (image[p.dy : p.dy + p.y1 - p.y0, p.dx : p.dx + p.x1 - p.x0] < 128).any()
    cell = next(p for p in split.placements if p.image == 1)
    word = Word("15,00", 95.0, (cell.dx + 2, cell.dy + 3, cell.dx + 40, cell.dy + 20), (2, 1, 1))
    assert [w.bbox for w in split.to_page([word], 1)] == [
        (cell.x0 + 2, cell.y0 + 3, cell.x0 + 40, cell.y0 + 20)
    ]
    assert split.to_page([Word("x", 95.0, (0, 0, 5, 5), (2, 1, 1))], 1) == []


def _cell(text: str, x0: int, y0: int, x1: int, cell: int) -> Word:
    return Word(text, 95.0, (x0, y0, x1, y0 + 40), (layout.TABLE_BLOCKS + cell, 1, 1))


def test_a_table_row_is_read_across_and_a_two_column_header_still_down() -> None:
    """Decree 30 header zones are read column by column; the rows of a ruled table, cell after cell,
    where they stand between the page's own lines, a two-line cell's lines in turn."""
    words = [
        Word("ỦY BAN NHÂN DÂN", 95.0, (200, 100, 700, 140), (1, 1, 1)),
        Word("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 95.0, (1250, 100, 2300, 140), (1, 1, 1)),
        Word("PHƯỜNG DỊCH VỌNG", 95.0, (220, 160, 680, 200), (1, 1, 2)),
        Word("Độc lập - Tự do - Hạnh phúc", 95.0, (1440, 160, 2100, 200), (1, 1, 2)),
        Word(
            "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
            95.0,
            (300, 300, 2300, 340),
            (2, 1, 1),
        ),
        _cell("1", 300, 400, 330, 0),
        _cell("Sở Nội vụ", 500, 400, 800, 1),
        _cell("14,75", 1500, 400, 1650, 2),
        _cell("98,33%", 2000, 400, 2200, 3),
        _cell("2", 300, 480, 330, 4),
        _cell("Sở Tư pháp", 500, 480, 840, 5),
        _cell("14,25", 1500, 480, 1650, 6),
        _cell("95,00%", 2000, 480, 2200, 7),
        _cell("3", 300, 580, 330, 8),  # a two-line name, the numbers centred beside it
        _cell("Sở Văn hoá, Thể thao", 500, 560, 1100, 9),
        Word("và Du lịch", 95.0, (500, 610, 780, 650), (layout.TABLE_BLOCKS + 9, 1, 2)),
        _cell("14,50", 1500, 585, 1650, 10),
        _cell("96,67%", 2000, 585, 2200, 11),
        Word("Nơi nhận:", 95.0, (200, 900, 420, 940), (3, 1, 1)),
        Word("TM. ỦY BAN NHÂN DÂN", 95.0, (1500, 900, 2000, 940), (3, 1, 1)),
        Word("- Như Điều 3;", 95.0, (200, 950, 500, 990), (3, 1, 2)),
        Word("CHỦ TỊCH", 95.0, (1620, 950, 1880, 990), (3, 1, 2)),
    ]
    assert layout.order_lines(words) == [
        "ỦY BAN NHÂN DÂN",
        "PHƯỜNG DỊCH VỌNG",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
        "1 Sở Nội vụ 14,75 98,33%",
        "2 Sở Tư pháp 14,25 95,00%",
        "3 Sở Văn hoá, Thể thao và Du lịch 14,50 96,67%",
        "Nơi nhận:",
        "- Như Điều 3;",
        "TM. ỦY BAN NHÂN DÂN",
        "CHỦ TỊCH",
    ]


@pytest.mark.parametrize(
    ("dpi", "face"), [(150, "liberation-serif-13"), (200, "dejavu-sans-12"), (300, "dejavu-serif-12")]
)
def test_a_ruled_table_reads_every_cell_where_it_stands(dpi: int, face: str) -> None:
    """Real Tesseract on a generated annex table: the row numbers of the narrow first column, both
    lines of two-line cells and the decimal numbers are read, each word's box within its own cell."""
    page, cells = render_table(dpi, face)
    result = ocr_image(page, OcrOptions(), dpi_hint=dpi)
    assert next(s for s in result.steps if s["step"] == "tables") == {
        "step": "tables",
        "applied": True,
        "cells": 24,
    }
    lines = result.text.splitlines()
    assert lines[0] == "KẾT QUẢ ĐÁNH GIÁ CẢI CÁCH HÀNH CHÍNH NĂM 2025"  # no cell's word among the title's
    for row in TABLE_ROWS:  # each row across in one line, a two-line cell's lines in turn
        assert " ".join(row).replace("\n", " ") in lines
    tokens = result.text.split()
    for row in TABLE_ROWS[1:]:
        assert row[0] in tokens  # the row number, alone in its cell
        assert row[2] in tokens and row[3] in tokens
    assert "Du lịch" in result.text and "Môi trường" in result.text
    flat = [c for row in TABLE_ROWS for c in row]
    numbers = [
        w for w in result.words if re.fullmatch(r"[\d,%]+", w.text) and w.text != "2025"
    ]  # not the title's
    for w in numbers:
        cx, cy = (w.bbox[0] + w.bbox[2]) / 2, (w.bbox[1] + w.bbox[3]) / 2
        holder = [i for i, c in enumerate(cells) if c[0] <= cx < c[2] and c[1] <= cy < c[3]]
        assert len(holder) == 1 and w.text in flat[holder[0]].split()


def test_runs_of_short_cells_are_read_as_one_uniform_block(monkeypatch: pytest.MonkeyPatch) -> None:
    """A generated annex's table (`benchmarks/table_set.py`, seed 2, page 4; a 64 kB crop at 200 dpi):
    read as one uniform block (`engine.CELLS_PSM`, 6) every row keeps its number and figures; psm 4's
    layout analysis drops rows of short cells (`3 Sở Nội vụ 59.180 7.875`) but their name."""
    page = cv2.imread(str(Path(__file__).parent / "fixtures" / "ocr" / "annex-short-cells-200dpi.png"), 0)
    short = ["3 Sở Nội vụ 59.180 7.875", "7 Sở Nội vụ 48.889 40.096", "8 Sở Tư pháp 28.738 64.295"]
    lines = ocr_image(page, OcrOptions(), dpi_hint=200).text.splitlines()
    assert all(row in lines for row in short) and len(lines) == 15
    monkeypatch.setattr(engine, "CELLS_PSM", 4)
    lines = ocr_image(page, OcrOptions(), dpi_hint=200).text.splitlines()
    assert not any(row in lines for row in short)  # what the choice of psm is for


def test_a_table_set_in_several_images_reads_every_cell(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real Tesseract, each image of the cells holding a few rows (as a long table's would): every
    row number and number is read, in its own cell."""
    monkeypatch.setattr(tables, "MAX_IMAGE_PX", 700)
    page, cells = render_table(200)
    split = tables.split(page, 200)
    assert split is not None and len(split.cells) >= 3
    result = ocr_image(page, OcrOptions(), dpi_hint=200)
    tokens = result.text.split()
    for row in TABLE_ROWS[1:]:
        assert row[0] in tokens and row[2] in tokens and row[3] in tokens
    flat = [c for row in TABLE_ROWS for c in row]
    for w in (w for w in result.words if re.fullmatch(r"[\d,%]+", w.text) and w.text != "2025"):
        cx, cy = (w.bbox[0] + w.bbox[2]) / 2, (w.bbox[1] + w.bbox[3]) / 2
        holder = [i for i, c in enumerate(cells) if c[0] <= cx < c[2] and c[1] <= cy < c[3]]
        assert len(holder) == 1 and w.text in flat[holder[0]].split()


@pytest.mark.parametrize("turn", [0, 90, 270])
@pytest.mark.parametrize("rows", [1, 3])
@pytest.mark.parametrize(
    ("dpi", "face"), [(150, "dejavu-sans-12"), (200, "liberation-serif-13"), (300, "dejavu-serif-12")]
)
def test_a_table_page_is_turned_exactly_when_it_lies_sideways(
    dpi: int, face: str, rows: int, turn: int
) -> None:
    """A ruled table's columns line up as sharply as its rows, so the line profiles alone turned some
    upright annexes and left landscape ones (scanned sideways) as they were: a table page is turned
    exactly when it lies sideways, from 1 to 3 pages' worth of rows."""
    page, _ = render_table(dpi, face, rows=TABLE_ROWS * rows)
    turned = np.ascontiguousarray(np.rot90(page, turn // 90))
    sideways, m = preprocess.is_sideways(turned)
    assert sideways == (turn != 0), m


def test_a_landscape_table_scanned_sideways_is_read_upright() -> None:
    """Real Tesseract: the table is turned level and every row number and number is read."""
    page, _ = render_table(200, rows=TABLE_ROWS * 3)
    result = ocr_image(np.ascontiguousarray(np.rot90(page)), OcrOptions(), dpi_hint=200)
    assert next(s for s in result.steps if s["step"] == "sideways_check")["applied"]
    tokens = result.text.split()
    for row in TABLE_ROWS[1:]:
        assert row[0] in tokens and row[2] in tokens and row[3] in tokens
