"""Fixtures for the search tests: throw-away index names, and a small hand-written set of records.

Every test session gets its own alias, ledger and templates (`sohoa-test-<random>-…`), deleted at the
end, so tests never touch real data or each other. The records are written here, in code, as
typed `RecordResult`s turned into documents by `pipeline.document`: tests do not read ../shared.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from ocr.model import PageResult
from pipeline.document import index_document
from pipeline.record import Derivatives, RecordResult, SourceObject
from search.indexer import index_records
from search.templates import ensure_indices

HANOI = "Thành phố Hà Nội"


@dataclass(frozen=True)
class SearchNames:
    prefix: str
    alias: str
    ledger: str


def drop_prefix(es: Elasticsearch, prefix: str) -> None:
    """Delete the indices and templates of one test prefix, by their concrete names (clusters may
    refuse wildcard deletes: action.destructive_requires_name)."""
    indices = list(es.indices.get(index=f"{prefix}-*", expand_wildcards="all").body)
    if indices:
        es.indices.delete(index=",".join(indices))
    templates = es.indices.get_index_template(name=f"{prefix}-*").body.get("index_templates", [])
    for template in templates:
        es.indices.delete_index_template(name=template["name"])


def new_names() -> SearchNames:
    prefix = f"sohoa-test-{uuid.uuid4().hex[:8]}"
    return SearchNames(prefix, f"{prefix}-records", f"{prefix}-ledger")


@pytest.fixture(name="search_names")
def search_names_fixture(es: Elasticsearch) -> Iterator[SearchNames]:
    """Fresh, empty records and ledger indices behind their aliases (one test)."""
    names = new_names()
    ensure_indices(es, names.alias, names.ledger)
    yield names
    drop_prefix(es, names.prefix)


@pytest.fixture(name="relevance_index", scope="session")
def relevance_index_fixture(es: Elasticsearch) -> Iterator[SearchNames]:
    """The relevance records indexed once for the session (read-only for the tests that use it)."""
    names = new_names()
    ensure_indices(es, names.alias, names.ledger)
    docs = [make_doc(r) for r in relevance_records()]
    results = list(index_records(es, docs, index=names.alias, refresh="wait_for"))
    assert all(r.ok for r in results), [r for r in results if not r.ok]
    yield names
    drop_prefix(es, names.prefix)


def unit(district_type: str, district: str, commune_type: str, commune: str) -> dict[str, str]:
    return {
        "province": HANOI,
        "district_type": district_type,
        "district": district,
        "commune_type": commune_type,
        "commune": commune,
    }


def new_unit(commune_type: str, commune: str) -> dict[str, str]:
    return {"province": HANOI, "commune_type": commune_type, "commune": commune}


def make_record(
    name: str,
    pages: list[str],
    *,
    district: str = "cau-giay",
    etag: str = "etag-1",
    bucket: str = "sohoa-intake",
    **metadata: Any,
) -> RecordResult:
    """A processed record as `process_file` returns it, with sensible OCR facts."""
    source = SourceObject(bucket, f"{district}/{name}.pdf", etag, 1000 * len(pages))
    steps = [{"step": "deskew", "applied": True, "angle": 1.5}, {"step": "even_lighting", "applied": False}]
    return RecordResult(
        source,
        "application/pdf",
        [
            PageResult(page_no=i + 1, text=t, mean_conf=91.0, low_conf_share=0.02, steps=list(steps))
            for i, t in enumerate(pages)
        ],
        metadata,
        timings={"ocr": 2.5, "metadata": 0.4},
    )


def make_doc(
    record: RecordResult,
    *,
    run_id: str = "run-test",
    processed_bucket: str = "sohoa-processed",
    with_pdf: bool = True,
) -> dict[str, Any]:
    """The index document of `record`, exactly as the record job builds it."""
    keys = Derivatives.of(record.source, processed_bucket, with_pdf=with_pdf)
    return index_document(record, run_id=run_id, derivatives=keys)


def relevance_records() -> list[RecordResult]:
    """Twelve records with near misses on purpose: the same words without the same diacritics
    (`thu hội phí`, `đặt`, `đạt` fold like `thu hồi đất`), shared words, similar numbers."""
    return [
        make_record(
            "qd-123-thu-hoi-dat",
            [
                "ỦY BAN NHÂN DÂN\nPHƯỜNG DỊCH VỌNG\nSố: 123/QĐ-UBND\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
                "Độc lập - Tự do - Hạnh phúc\nCầu Giấy, ngày 03 tháng 4 năm 2024\nQUYẾT ĐỊNH\n"
                "Về việc thu hồi đất để thực hiện dự án mở rộng đường Xuân Thủy\n"
                "CHỦ TỊCH ỦY BAN NHÂN DÂN PHƯỜNG DỊCH VỌNG\nCăn cứ Luật Đất đai ngày 18 tháng 01 năm 2024;",
                "QUYẾT ĐỊNH:\nĐiều 1. Thu hồi 120 m² đất của hộ ông Nguyễn Văn An tại số 12 đường Xuân Thủy, "
                "phường Dịch Vọng, quận Cầu Giấy để thực hiện dự án mở rộng đường.\n"
                "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.\nNơi nhận:\n- Như Điều 3;\n- Lưu: VT.",
            ],
            issuing_body="ỦY BAN NHÂN DÂN PHƯỜNG DỊCH VỌNG",
            parent_body="UBND QUẬN CẦU GIẤY",
            doc_number="123/QĐ-UBND",
            doc_number_seq="123",
            doc_symbol="QĐ-UBND",
            doc_type="Quyết định",
            doc_type_code="QĐ",
            issue_place="Cầu Giấy",
            issue_date="2024-04-03",
            subject="Về việc thu hồi đất để thực hiện dự án mở rộng đường Xuân Thủy",
            signer_name="Nguyễn Văn Hùng",
            signer_title="CHỦ TỊCH",
            admin_unit_old=unit("quận", "Cầu Giấy", "phường", "Dịch Vọng"),
            admin_unit_new=new_unit("phường", "Cầu Giấy"),
            language="vi",
        ),
        make_record(
            "qd-45-gpxd",
            [
                "ỦY BAN NHÂN DÂN\nQUẬN CẦU GIẤY\nSố: 45/2024/QĐ-UBND\nQUYẾT ĐỊNH\n"
                "Về việc cấp Giấy phép xây dựng nhà ở riêng lẻ\n"
                "Điều 1. Cấp Giấy phép xây dựng nhà ở riêng lẻ "
                "cho bà Trần Thị Bình tại số 8 ngõ 20 phố Trần Thái Tông, phường Dịch Vọng Hậu."
            ],
            issuing_body="ỦY BAN NHÂN DÂN QUẬN CẦU GIẤY",
            doc_number="45/2024/QĐ-UBND",
            doc_number_seq="45",
            doc_symbol="QĐ-UBND",
            doc_type="Quyết định",
            doc_type_code="QĐ",
            issue_date="2024-06-12",
            subject="Về việc cấp Giấy phép xây dựng nhà ở riêng lẻ",
            admin_unit_old=unit("quận", "Cầu Giấy", "phường", "Dịch Vọng Hậu"),
            admin_unit_new=new_unit("phường", "Cầu Giấy"),
            language="vi",
        ),
        make_record(
            "tb-12-thu-hoi-giay-phep",
            [
                "ỦY BAN NHÂN DÂN\nPHƯỜNG NGHĨA ĐÔ\nSố: 12/TB-UBND\nTHÔNG BÁO\n"
                "Về việc thu hồi giấy phép kinh doanh\nỦy ban nhân dân phường thông báo thu hồi giấy phép "
                "kinh doanh của hộ kinh doanh Lê Văn Cường do không đặt biển hiệu đúng quy định."
            ],
            district="cau-giay",
            issuing_body="ỦY BAN NHÂN DÂN PHƯỜNG NGHĨA ĐÔ",
            doc_number="12/TB-UBND",
            doc_type="Thông báo",
            doc_type_code="TB",
            issue_date="2023-11-20",
            subject="Về việc thu hồi giấy phép kinh doanh",
            admin_unit_old=unit("quận", "Cầu Giấy", "phường", "Nghĩa Đô"),
            admin_unit_new=new_unit("phường", "Nghĩa Đô"),
            language="vi",
        ),
        make_record(
            "cv-2392-do-dac",
            [
                "ỦY BAN NHÂN DÂN\nQUẬN ĐỐNG ĐA\nSố: 2392/UBND-TNMT\nV/v đo đạc, cắm mốc giới đất công\n"
                "Kính gửi: Ủy ban nhân dân phường Láng Thượng\nThực hiện quyết định của Ủy ban nhân dân "
                "thành phố, đề nghị phường phối hợp đo đạc đất công trên địa bàn."
            ],
            district="dong-da",
            issuing_body="ỦY BAN NHÂN DÂN QUẬN ĐỐNG ĐA",
            doc_number="2392/UBND-TNMT",
            doc_symbol="UBND-TNMT",
            doc_type="Công văn",
            doc_type_code="CV",
            issue_date="2024-02-05",
            subject="V/v đo đạc, cắm mốc giới đất công",
            addressees=["Ủy ban nhân dân phường Láng Thượng"],
            admin_unit_old=unit("quận", "Đống Đa", "phường", "Láng Thượng"),
            admin_unit_new=new_unit("phường", "Láng"),
            language="vi",
        ),
        make_record(
            "qd-1234-khen-thuong",
            [
                "ỦY BAN NHÂN DÂN\nXÃ KIÊU KỴ\nSố: 1234/QĐ-UBND\nQUYẾT ĐỊNH\nVề việc khen thưởng tập thể, "
                "cá nhân đạt thành tích xuất sắc\nĐiều 1. Khen thưởng các hộ gia đình đã đạt danh hiệu."
            ],
            district="gia-lam",
            issuing_body="ỦY BAN NHÂN DÂN XÃ KIÊU KỴ",
            doc_number="1234/QĐ-UBND",
            doc_type="Quyết định",
            doc_type_code="QĐ",
            issue_date="2025-03-01",
            subject="Về việc khen thưởng tập thể, cá nhân đạt thành tích xuất sắc",
            admin_unit_old=unit("huyện", "Gia Lâm", "xã", "Kiêu Kỵ"),
            admin_unit_new={"candidates": [new_unit("xã", "Gia Lâm"), new_unit("xã", "Bát Tràng")]},
            language="vi",
        ),
        make_record(
            "gcn-7-van-hoa",
            [
                "ỦY BAN NHÂN DÂN\nXÃ KIÊU KỴ\nSố: 7/GCN-UBND\nGIẤY CHỨNG NHẬN\n"
                "Gia đình văn hóa năm 2024\n"
                "Chứng nhận gia đình ông Phạm Văn Đức đạt danh hiệu Gia đình văn hóa."
            ],
            district="gia-lam",
            issuing_body="ỦY BAN NHÂN DÂN XÃ KIÊU KỴ",
            doc_number="7/GCN-UBND",
            doc_type="Giấy chứng nhận",
            doc_type_code="GCN",
            issue_date="2024-12-20",
            subject="Gia đình văn hóa năm 2024",
            admin_unit_old=unit("huyện", "Gia Lâm", "xã", "Kiêu Kỵ"),
            admin_unit_new={"candidates": [new_unit("xã", "Gia Lâm"), new_unit("xã", "Bát Tràng")]},
            language="vi",
        ),
        make_record(
            "bc-88-gpmb",
            [
                "ỦY BAN NHÂN DÂN\nQUẬN LONG BIÊN\nSố: 88/BC-UBND\nBÁO CÁO\n"
                "Kết quả giải phóng mặt bằng dự án đường vành đai 2,5",
                "I. KẾT QUẢ THỰC HIỆN\nĐã hoàn thành giải phóng mặt bằng 95% diện tích; còn 12 hộ chưa "
                "nhận tiền bồi thường.",
            ],
            district="long-bien",
            issuing_body="ỦY BAN NHÂN DÂN QUẬN LONG BIÊN",
            doc_number="88/BC-UBND",
            doc_type="Báo cáo",
            doc_type_code="BC",
            issue_date="2024-08-15",
            subject="Kết quả giải phóng mặt bằng dự án đường vành đai 2,5",
            admin_unit_old=unit("quận", "Long Biên", "phường", "Ngọc Thụy"),
            admin_unit_new=new_unit("phường", "Bồ Đề"),
            language="vi",
        ),
        make_record(
            "ttr-65-boi-thuong",
            [
                "ỦY BAN NHÂN DÂN\nQUẬN LONG BIÊN\nSố: 65/TTr-UBND\nTỜ TRÌNH\nVề việc phê duyệt phương án "
                "bồi thường, hỗ trợ và tái định cư\nKính gửi: Ủy ban nhân dân thành phố Hà Nội"
            ],
            district="long-bien",
            issuing_body="ỦY BAN NHÂN DÂN QUẬN LONG BIÊN",
            doc_number="65/TTr-UBND",
            doc_type="Tờ trình",
            doc_type_code="TTr",
            issue_date="2024-09-02",
            subject="Về việc phê duyệt phương án bồi thường, hỗ trợ và tái định cư",
            admin_unit_old=unit("quận", "Long Biên", "phường", "Ngọc Thụy"),
            admin_unit_new=new_unit("phường", "Bồ Đề"),
            language="vi",
        ),
        make_record(
            "kh-590-tuyen-truyen",
            [
                "ỦY BAN NHÂN DÂN\nTHÀNH PHỐ HÀ NỘI\nSố: 590/KH-UBND\nKẾ HOẠCH\n"
                "Tuyên truyền, phổ biến pháp luật về đất đai năm 2025\nTổ chức kiểm tra, rà soát hiện trạng "
                "sử dụng đất công, đất nông nghiệp; kiên quyết xử lý các trường hợp lấn chiếm."
            ],
            district="ha-noi",
            issuing_body="ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI",
            doc_number="590/KH-UBND",
            doc_type="Kế hoạch",
            doc_type_code="KH",
            issue_date="2025-03-01",
            subject="Tuyên truyền, phổ biến pháp luật về đất đai năm 2025",
            admin_unit_old=unit("huyện", "Gia Lâm", "xã", "Kiêu Kỵ"),
            language="vi",
        ),
        make_record(
            "en-decision-land",
            [
                "PEOPLE'S COMMITTEE OF CAU GIAY DISTRICT\nNo: 77/QD-UBND\nDECISION\n"
                "On the recovery of land for the Xuan Thuy road widening project\n"
                "Article 1. To recover 80 m2 of land of the household of Mr. Do Van Binh."
            ],
            issuing_body="PEOPLE'S COMMITTEE OF CAU GIAY DISTRICT",
            doc_number="77/QD-UBND",
            doc_type="Decision",
            doc_type_code="QĐ",
            issue_date="2024-05-10",
            subject="On the recovery of land for the Xuan Thuy road widening project",
            admin_unit_old=unit("quận", "Cầu Giấy", "phường", "Dịch Vọng"),
            admin_unit_new=new_unit("phường", "Cầu Giấy"),
            language="en",
        ),
        make_record(
            "tb-31-thu-hoi-phi",
            [
                "ỦY BAN NHÂN DÂN\nPHƯỜNG DỊCH VỌNG\nSố: 31/TB-UBND\nTHÔNG BÁO\nVề việc thu hội phí năm 2024\n"
                "Đề nghị các hội viên nộp hội phí trước ngày 30/6; đặt lịch tại văn phòng, "
                "phấn đấu đạt 100%. "
                "Thu hội phí đất đỏ, quyết định của hội nghị."
            ],
            issuing_body="ỦY BAN NHÂN DÂN PHƯỜNG DỊCH VỌNG",
            doc_number="31/TB-UBND",
            doc_type="Thông báo",
            doc_type_code="TB",
            issue_date="2024-05-02",
            subject="Về việc thu hội phí năm 2024",
            admin_unit_old=unit("quận", "Cầu Giấy", "phường", "Dịch Vọng"),
            admin_unit_new=new_unit("phường", "Cầu Giấy"),
            language="vi",
        ),
        make_record(
            "gm-9-hop",
            [
                "ỦY BAN NHÂN DÂN\nPHƯỜNG NGỌC THỤY\nSố: 9/GM-UBND\nGIẤY MỜI\nHọp bàn phương án giải phóng "
                "mặt bằng\nThời gian: 8 giờ 00 ngày 10/9/2024\nĐịa điểm: Hội trường Ủy ban nhân dân phường"
            ],
            district="long-bien",
            issuing_body="ỦY BAN NHÂN DÂN PHƯỜNG NGỌC THỤY",
            doc_number="9/GM-UBND",
            doc_type="Giấy mời",
            doc_type_code="GM",
            issue_date="2024-09-05",
            subject="Họp bàn phương án giải phóng mặt bằng",
            admin_unit_old=unit("quận", "Long Biên", "phường", "Ngọc Thụy"),
            admin_unit_new=new_unit("phường", "Bồ Đề"),
            language="vi",
        ),
    ]
