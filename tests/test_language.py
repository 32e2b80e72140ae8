"""Language per document and per page: vi, en, mixed, unknown; deterministic."""

from __future__ import annotations

from pipeline.language import _factory, detect_language, detect_line, plainly_vietnamese

VI = """Ủy ban nhân dân phường thông báo đến toàn thể nhân dân trên địa bàn về việc niêm yết công khai
danh sách các hộ gia đình đủ điều kiện được hỗ trợ theo quy định của pháp luật hiện hành.
Các tổ dân phố tổ chức tuyên truyền, vận động nhân dân chấp hành nghiêm các quy định về bảo vệ
môi trường, phân loại rác thải sinh hoạt tại nguồn trên địa bàn phường."""

EN = """The applicant is permitted to construct a detached house on the land plot with a construction
area of one hundred square meters and three floors. Households that disagree with the compensation
plan have the right to lodge a complaint in accordance with the Law on Complaints.
Applicants should submit their dossiers to the one-stop-shop division before the deadline."""

MIXED = """Người nước ngoài tạm trú trên địa bàn phải khai báo tạm trú với Công an phường trong vòng 12 giờ.
Foreigners staying in the ward must declare their temporary residence to the Ward Police within 12 hours.
Cơ sở lưu trú có trách nhiệm cập nhật thông tin khách lưu trú trên hệ thống trực tuyến.
Accommodation establishments are responsible for updating guest information on the online system.
Mọi thắc mắc xin liên hệ Bộ phận một cửa trong giờ hành chính của Ủy ban nhân dân phường.
For any questions, please contact the one-stop-shop division during office hours."""


def test_vietnamese() -> None:
    out = detect_language(VI)
    assert out["language"] == "vi"
    assert out["top"][0]["lang"] == "vi"
    assert out["confidence"] > 0.8


def test_english() -> None:
    assert detect_language(EN)["language"] == "en"


def test_mixed_gives_top_two_with_shares() -> None:
    out = detect_language(MIXED)
    assert out["language"] == "mixed"
    langs = {t["lang"]: t["share"] for t in out["top"]}
    assert set(langs) == {"vi", "en"}
    assert abs(sum(langs.values()) - 1.0) < 0.01
    assert all(0.3 < s < 0.7 for s in langs.values())


def test_per_page() -> None:
    out = detect_language(VI + "\f" + EN, page_texts=[VI, EN])
    assert [p["language"] for p in out["pages"]] == ["vi", "en"]
    assert out["language"] == "mixed"


def test_too_short_is_unknown() -> None:
    for text in ("", "Số: 12", "UBND\nHÀ NỘI", "   "):
        out = detect_language(text)
        assert out["language"] == "unknown"
        assert out["confidence"] == 0.0


def test_deterministic() -> None:
    # a short, ambiguous line is where an unseeded langdetect flips between runs
    text = "Ban chỉ đạo Chương trình 07 KHCN ĐMST giai đoạn 2021 - 2025 Hà Nội"
    first = detect_language(text * 3)
    assert all(detect_language(text * 3) == first for _ in range(5))


def test_vietnamese_without_diacritics_is_still_vietnamese() -> None:
    # OCR that lost every tone mark still reads as Vietnamese
    out = detect_language(
        "Uy ban nhan dan phuong thong bao den toan the nhan dan tren dia ban ve viec niem yet cong khai\n"
        "danh sach cac ho gia dinh du dieu kien duoc ho tro theo quy dinh cua phap luat hien hanh."
    )
    assert out["language"] == "vi"


ENGLISH_WITH_VIETNAMESE_NAMES = [
    "PEOPLE'S COMMITTEE OF HOÀN KIẾM DISTRICT",
    "Mr. Nguyễn Văn Hùng, Chairman of the People's Committee, signed the decision on behalf of the ward",
    "Submit the dossier to the one-stop-shop division of Phường Cầu Giấy before the deadline",
    "Address: 12 Đường Láng, Đống Đa, Hà Nội, Viet Nam; telephone and email below",
]


def test_the_fast_path_takes_plainly_vietnamese_lines_only() -> None:
    """The lines judged without langdetect are those langdetect calls Vietnamese too; English lines that
    name Vietnamese places and people go to langdetect."""
    for line in [*VI.splitlines(), *MIXED.splitlines()[0::2]]:
        assert plainly_vietnamese(line), line
        assert detect_line(line) == "vi" == _langdetect(line), line
    for line in [*EN.splitlines(), *MIXED.splitlines()[1::2], *ENGLISH_WITH_VIETNAMESE_NAMES]:
        assert not plainly_vietnamese(line), line
        assert detect_line(line) == _langdetect(line), line


def _langdetect(line: str) -> str:
    det = _factory().create()
    det.append(line)
    return str(det.detect())
