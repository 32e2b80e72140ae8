"""Relevance against the real Elasticsearch: queries with the record each must return first.

Three kinds of query, as archivists type them: with diacritics, without, and with the errors OCR makes
(wrong or missing tone marks, đ read as d, i read as j, a letter dropped). Plus document numbers in
every spelling, the page that matched, snippets in the original text, and the filters.
"""

from __future__ import annotations

import pytest
from elasticsearch import Elasticsearch

from pipeline.record import record_id
from search.query import SearchFilters, search_records
from tests.search_fixtures import SearchNames, relevance_index_fixture  # noqa: F401  (a fixture)

pytestmark = pytest.mark.servers

QD_THU_HOI = "cau-giay/qd-123-thu-hoi-dat.pdf"
QD_GPXD = "cau-giay/qd-45-gpxd.pdf"
TB_GIAY_PHEP = "cau-giay/tb-12-thu-hoi-giay-phep.pdf"
CV_DO_DAC = "dong-da/cv-2392-do-dac.pdf"
QD_KHEN = "gia-lam/qd-1234-khen-thuong.pdf"
GCN = "gia-lam/gcn-7-van-hoa.pdf"
BC_GPMB = "long-bien/bc-88-gpmb.pdf"
TTR = "long-bien/ttr-65-boi-thuong.pdf"
KH = "ha-noi/kh-590-tuyen-truyen.pdf"
EN = "cau-giay/en-decision-land.pdf"
TB_HOI_PHI = "cau-giay/tb-31-thu-hoi-phi.pdf"
GM = "long-bien/gm-9-hop.pdf"

# (query, the record that must come first)
WITH_DIACRITICS = [
    ("quyết định thu hồi đất", QD_THU_HOI),
    ("QUYẾT ĐỊNH THU HỒI ĐẤT", QD_THU_HOI),
    ("thu hồi đất", QD_THU_HOI),
    ("thu hồi giấy phép kinh doanh", TB_GIAY_PHEP),
    ("giấy phép xây dựng nhà ở riêng lẻ", QD_GPXD),
    ("gia đình văn hóa", GCN),
    ("giải phóng mặt bằng vành đai", BC_GPMB),
    ("bồi thường, hỗ trợ và tái định cư", TTR),
    ("phổ biến pháp luật về đất đai", KH),
    ("đo đạc cắm mốc giới đất công", CV_DO_DAC),
    ("khen thưởng thành tích xuất sắc", QD_KHEN),
    ("thu hội phí", TB_HOI_PHI),
    ("họp bàn phương án", GM),
    ("land recovery decision", EN),
]
WITHOUT_DIACRITICS = [
    ("quyet dinh thu hoi dat", QD_THU_HOI),
    ("thu hoi dat", QD_THU_HOI),
    ("giay phep xay dung nha o rieng le", QD_GPXD),
    ("gia dinh van hoa", GCN),
    ("giai phong mat bang", BC_GPMB),
    ("boi thuong ho tro tai dinh cu", TTR),
    ("pho bien phap luat dat dai", KH),
    ("do dac cam moc gioi", CV_DO_DAC),
    ("khen thuong thanh tich xuat sac", QD_KHEN),
]
OCR_ERRORS = [
    ("quyết đinh thu hòi đât", QD_THU_HOI),  # wrong and missing tone marks
    ("quyết đjnh thu hồi đất xuân thủy", QD_THU_HOI),  # i read as j
    ("Quyêt dinh thu hôi dât", QD_THU_HOI),  # half the marks lost
    ("giấy phep xây dựng nha ỏ riêng lẽ", QD_GPXD),
    ("gia đình văn hoá", GCN),  # old-style tone placement
    ("bồi thưòng tái đjnh cư", TTR),
    ("kết quả giải phóng rnặt bằng", BC_GPMB),  # m read as rn
    ("khen thưỏng thành tícb xuất sắc", QD_KHEN),  # h read as b
    ("tuyên truyền phồ biến pháp luật", KH),
    ("thông báo thu hồi giây phép kinh doarh", TB_GIAY_PHEP),  # n read as r
]
DOC_NUMBERS = [
    ("123/QĐ-UBND", QD_THU_HOI),
    ("123/qđ-ubnd", QD_THU_HOI),
    ("123/QD-UBND", QD_THU_HOI),
    ("123/qd-ubnd", QD_THU_HOI),
    ("Số: 123/QĐ-UBND", QD_THU_HOI),
    ("1234/QĐ-UBND", QD_KHEN),  # not 123
    ("45/2024/QĐ-UBND", QD_GPXD),
    ("45/2024/qd-ubnd", QD_GPXD),
    ("2392/UBND-TNMT", CV_DO_DAC),
    ("65/ttr-ubnd", TTR),
    ("77/QD-UBND", EN),
]


def _first(es: Elasticsearch, names: SearchNames, query: str, **filters: str) -> str | None:
    hits = search_records(es, query, index=names.alias, filters=SearchFilters(**filters), limit=5)
    return hits[0].key if hits else None


@pytest.mark.parametrize(("query", "expected"), WITH_DIACRITICS)
def test_with_diacritics(es: Elasticsearch, relevance_index: SearchNames, query: str, expected: str) -> None:
    assert _first(es, relevance_index, query) == expected


@pytest.mark.parametrize(("query", "expected"), WITHOUT_DIACRITICS)
def test_without_diacritics(
    es: Elasticsearch, relevance_index: SearchNames, query: str, expected: str
) -> None:
    assert _first(es, relevance_index, query) == expected


@pytest.mark.parametrize(("query", "expected"), OCR_ERRORS)
def test_with_ocr_errors(es: Elasticsearch, relevance_index: SearchNames, query: str, expected: str) -> None:
    assert _first(es, relevance_index, query) == expected


@pytest.mark.parametrize(("query", "expected"), DOC_NUMBERS)
def test_document_number_first(
    es: Elasticsearch, relevance_index: SearchNames, query: str, expected: str
) -> None:
    hits = search_records(es, query, index=relevance_index.alias, limit=3)
    assert hits[0].key == expected
    assert hits[0].number_matched
    assert not any(h.number_matched for h in hits[1:])


def test_exact_diacritics_rank_above_folded_matches(es: Elasticsearch, relevance_index: SearchNames) -> None:
    """`thu hồi đất` and `thu hội phí … đất … đạt` fold alike; the exact spelling must win, and
    the folded-only record must still be found."""
    hits = search_records(es, "thu hồi đất", index=relevance_index.alias, limit=10)
    keys = [h.key for h in hits]
    assert keys[0] == QD_THU_HOI
    assert TB_HOI_PHI in keys
    assert hits[0].score > 2 * hits[keys.index(TB_HOI_PHI)].score


def test_hit_says_which_page_matched(es: Elasticsearch, relevance_index: SearchNames) -> None:
    hit = search_records(es, "hộ ông Nguyễn Văn An", index=relevance_index.alias, limit=1)[0]
    assert hit.key == QD_THU_HOI
    assert hit.page == 2
    assert "<em>" in hit.snippets[0] and "Nguyễn Văn An" in hit.snippets[0].replace("<em>", "").replace(
        "</em>", ""
    )


def test_snippet_of_folded_query_shows_original_text(es: Elasticsearch, relevance_index: SearchNames) -> None:
    hit = search_records(es, "ho ong nguyen van an", index=relevance_index.alias, limit=1)[0]
    assert hit.key == QD_THU_HOI and hit.page == 2
    assert "Nguyễn" in hit.snippets[0]  # highlighted in the folded field, shown with diacritics


def test_hit_carries_record_facts(es: Elasticsearch, relevance_index: SearchNames) -> None:
    hit = search_records(es, "123/QĐ-UBND", index=relevance_index.alias, limit=1)[0]
    assert hit.doc_number == "123/QĐ-UBND"
    assert hit.doc_type == "Quyết định" and hit.doc_type_code == "QĐ"
    assert hit.issue_date == "2024-04-03"
    assert hit.issuing_body == "ỦY BAN NHÂN DÂN PHƯỜNG DỊCH VỌNG"
    assert hit.unit_old == "phường Dịch Vọng, quận Cầu Giấy, Thành phố Hà Nội"
    assert hit.unit_new == "phường Cầu Giấy, Thành phố Hà Nội"
    assert (hit.bucket, hit.key) == ("sohoa-intake", QD_THU_HOI)
    rid = record_id("sohoa-intake", QD_THU_HOI)
    assert (hit.pdf_bucket, hit.pdf_key) == ("sohoa-processed", f"records/{rid}/document.pdf")


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"doc_type": "TB"}, {TB_GIAY_PHEP, TB_HOI_PHI}),
        ({"doc_type": "tb"}, {TB_GIAY_PHEP, TB_HOI_PHI}),
        ({"doc_type": "Thông báo"}, {TB_GIAY_PHEP, TB_HOI_PHI}),
        ({"doc_type": "TTr"}, {TTR}),
        ({"unit_old": "Dịch Vọng"}, {QD_THU_HOI, EN, TB_HOI_PHI}),
        ({"unit_old": "phuong dich vong"}, {QD_THU_HOI, EN, TB_HOI_PHI}),
        ({"unit_old": "quận Long Biên"}, {BC_GPMB, TTR, GM}),
        ({"unit_new": "Bồ Đề"}, {BC_GPMB, TTR, GM}),
        ({"unit_new": "Bát Tràng"}, {QD_KHEN, GCN}),  # one of the candidates of an ambiguous mapping
        ({"date_from": "2025"}, {QD_KHEN, KH}),
        ({"date_from": "2024-09", "date_to": "2024-09"}, {TTR, GM}),
        ({"date_from": "01/12/2024", "date_to": "31/12/2024"}, {GCN}),
        ({"doc_type": "QĐ", "unit_new": "Cầu Giấy", "date_to": "2024-04-30"}, {QD_THU_HOI}),
    ],
)
def test_filters(es: Elasticsearch, relevance_index: SearchNames, filters: dict, expected: set[str]) -> None:
    hits = search_records(es, "", index=relevance_index.alias, filters=SearchFilters(**filters), limit=50)
    assert {h.key for h in hits} == expected


def test_filters_combine_with_text(es: Elasticsearch, relevance_index: SearchNames) -> None:
    hits = search_records(
        es, "thu hồi", index=relevance_index.alias, filters=SearchFilters(doc_type="TB"), limit=10
    )
    assert hits and all(h.doc_type_code == "TB" for h in hits)
    assert hits[0].key == TB_GIAY_PHEP


def test_nothing_found_is_an_empty_list(es: Elasticsearch, relevance_index: SearchNames) -> None:
    assert search_records(es, "xyzzyq plughw", index=relevance_index.alias) == []
