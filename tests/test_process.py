"""`process_file` puts the record's evidence together: the upload prefix settles a commune name that
several former districts share, and a body outside Hanoi gets no Hanoi unit; both reach the index
document. Born-digital letters (read from their text layer, exactly) keep the OCR out of the question."""

from __future__ import annotations

from pathlib import Path

import pytest

from ocr.engine import OcrOptions
from pipeline.document import index_document
from pipeline.process import process_file
from pipeline.record import Derivatives, SourceObject
from samples.born_digital import Letter, word_pdf

pytestmark = pytest.mark.slow

# Phú Sơn is a commune of Ba Vì and of Gia Lâm: the text alone cannot say which
PHU_SON = Letter(
    body_left=("ỦY BAN NHÂN DÂN", "XÃ PHÚ SƠN", "", "Số: 12/TB-UBND"),
    body_right=(
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "",
        "Phú Sơn, ngày 3 tháng 5 năm 2024",
    ),
    title=("THÔNG BÁO", "Về việc họp dân xã Phú Sơn"),
    body=("Ủy ban nhân dân xã Phú Sơn thông báo lịch họp dân với các hộ gia đình trong xã.",),
    closing_right=("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "", "Nguyễn Văn Bình"),
)
LAM_DONG = Letter(
    body_left=("ỦY BAN NHÂN DÂN", "TỈNH LÂM ĐỒNG", "", "Số: 85/GM-UBND"),
    body_right=(
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "",
        "Lâm Đồng, ngày 19 tháng 01 năm 2026",
    ),
    title=("GIẤY MỜI", "Họp đánh giá công tác cải cách hành chính năm 2025"),
    body=("Ủy ban nhân dân tỉnh trân trọng kính mời các đại biểu tới dự họp.",),
)


def _document(tmp_path: Path, letter: Letter, key: str) -> dict:
    pdf = word_pdf(tmp_path / "letter.pdf", [letter])
    source = SourceObject("intake", key, "etag", pdf.stat().st_size)
    result = process_file(pdf, source, OcrOptions(workdir=tmp_path / "work"))
    assert [p.text_source for p in result.pages] == ["text_layer"]
    return index_document(result, run_id="r", derivatives=Derivatives.of(source, "out", with_pdf=False))


def test_the_upload_prefix_settles_a_shared_commune_name(tmp_path: Path) -> None:
    without = _document(tmp_path, PHU_SON, "scans/tb-12.pdf")["admin_unit_old"]
    assert without["ambiguous"] and len(without["candidates"]) >= 2, without
    assert {"ba vi", "gia lam"} <= set(without["names_norm"])  # a filter by either finds it

    settled = _document(tmp_path, PHU_SON, "ba-vi/2024/tb-12.pdf")["admin_unit_old"]
    assert settled["district"] == "Ba Vì" and settled["commune"] == "Phú Sơn", settled
    assert settled["source"] == "upload_prefix" and not settled["ambiguous"]


def test_a_body_outside_hanoi_gets_no_hanoi_unit(tmp_path: Path) -> None:
    doc = _document(tmp_path, LAM_DONG, "ba-vi/gm-85.pdf")  # whoever uploaded it
    old, new = doc["admin_unit_old"], doc["admin_unit_new"]
    assert old["outside_hanoi"] and new["outside_hanoi"] and new["reason"] == "outside_hanoi"
    assert "Lâm Đồng" in old["label"] and "district" not in old and "commune" not in new
