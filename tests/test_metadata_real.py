"""Metadata on the layouts of real documents (issue 17).

The lines are copied from real administrative documents: born-digital pages of ministries and
provinces (their text layer, in `pdftotext -layout` order: the two header columns side by side), the
OCR of real scans, and the forms the issue quotes (`Số: 329_ /BC-UBND`, `ngày 79 tháng 12`). Nothing is
read from the shared corpus.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from pipeline.describe import describe_text
from pipeline.metadata.dates import find_date
from pipeline.metadata.header import restore_organ_word
from pipeline.metadata.number import body_initials, find_bare_number, parse_number
from pipeline.metadata.stamps import take_stamps
from pipeline.textnorm import fold

VN = timezone(timedelta(hours=7))

# UBND tỉnh Lâm Đồng, Báo cáo 329/BC-UBND (page 1): the number filled in after signing, a number cited
# in the first sentence.
REPORT = """       ỦY BAN NHÂN DÂN                     CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
        TỈNH LÂM ĐỒNG                                   Độc lập - Tự do - Hạnh phúc
        {number}                      Lâm Đồng, ngày 19 tháng 12 năm 2025


                                    BÁO CÁO
                    Công tác cải cách hành chính năm 2025 và
               phương hướng, nhiệm vụ năm 2026 của tỉnh Lâm Đồng

      Thực hiện Công văn số 4625/BNV-CCHC ngày 02/7/2025 của Bộ Nội vụ
về xây dựng kế hoạch cải cách hành chính và thực hiện chế độ báo cáo cải cách
hành chính định kỳ, Ủy ban nhân dân tỉnh Lâm Đồng báo cáo kết quả thực hiện
công tác cải cách hành chính (CCHC) năm 2025 và phương hướng, nhiệm vụ năm
2026 trên địa bàn tỉnh, như sau:
"""

# UBND tỉnh Quảng Ngãi, Thông báo 11/TB-UBND: the box of the e-signature above the header.
NOTICE_SIGNED = """                                                                  TRUNG TÂM CÔNG BÁO
                                                                  VÀ TIN HỌC
                                                                  ttcbth@quangngai.gov.vn
                                                                  09.01.2025 10:21:11 +07:00

   ỦY BAN NHÂN DÂN            CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
   TỈNH QUẢNG NGÃI                  Độc lập - Tự do - Hạnh phúc

   Số: 11 /TB-UBND                 Quảng Ngãi, ngày 08 tháng 01 năm 2025

                              THÔNG BÁO
    Kết luận của Phó Chủ tịch UBND tỉnh Võ Phiên tại cuộc họp nghe
   báo cáo về tình hình thực hiện công tác cổ phần hóa Công ty TNHH

     Ngày 03/01/2025, Phó Chủ tịch UBND tỉnh Võ Phiên chủ trì họp nghe
báo cáo về tình hình thực hiện công tác cổ phần hóa Công ty TNHH MTV
"""

# The same page as OCR reads its image: the box between the number line and the national motto.
NOTICE_SIGNED_OCR = """ỦY BAN NHÂN DÂN
TỈNH QUẢNG NGÃI
Số: II /TB-UBND
2-0 TRƯNG TÁM CONG BẢO
S\\ VÀ TIN HỌC
li v §Jttcbthquangngai.gov.vn ng 27 09.01.2025 10:21:11 +07:00
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Quảng Ngãi, ngày {day} tháng 01 năm 2025
THÔNG BÁO
Kết luận của Phó Chủ tịch UBND tỉnh Võ Phiên tại cuộc họp nghe
Ngày 03/01/2025, Phó Chủ tịch UBND tỉnh Võ Phiên chủ trì họp nghe
"""

# Sở Tư pháp tỉnh Bình Thuận, Công văn 788/STP-HCBT, with the incoming stamp of the provincial office
# (its fields filled in by hand as 9639 and 19/05/2025) in the top left corner.
LETTER_RECEIVED = """VP.UBND TỈNH BÌNH THUẬN
ĐẾN Số: 9639
Ngày: 19/05/2025
Chuyển:
UBND TỈNH BÌNH THUẬN                CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
    SỞ TƯ PHÁP                            Độc lập - Tự do - Hạnh phúc

    Số: 788/STP-HCBT                   Bình Thuận, ngày 16 tháng 5 năm 2025
V/v trình hồ sơ phê chuẩn kết quả
 Đại hội Đoàn Luật sư tỉnh Bình
  Thuận nhiệm kỳ 2024 - 2029

                       Kính gửi: Ủy ban nhân dân tỉnh.

        Sở Tư pháp nhận được Văn bản số 2377/UBND-NCKS ngày 13/5/2025
của Văn phòng Ủy ban nhân dân tỉnh về việc chuyển Tờ trình số 02-TTr/ĐLS
"""

# Sở Y tế tỉnh Lâm Đồng, Công văn 1239/SYT-TCCB.
LETTER_PROVINCE = """   UBND TỈNH LÂM ĐỒNG                CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
         SỞ Y TẾ                           Độc lập – Tự do – Hạnh phúc

      Số:1239 /SYT-TCCB                  Lâm Đồng, ngày 04 tháng 9 năm 2025
   V/v cử đại diện lãnh đạo tham
  gia Ban Vì sự tiến bộ của phụ nữ


                         Kính gửi: Sở Nội vụ tỉnh Lâm Đồng

     Phúc đáp văn bản số 1189/SNV- LĐVL&TN ngày 29/8/2025 của Sở Nội
vụ tỉnh Lâm Đồng về việc cử đại diện lãnh đạo tham gia Ban Vì sự tiến bộ của
phụ nữ và tổ thư ký, giúp việc.

Nơi nhận:                                               GIÁM ĐỐC
- Như trên;
- BGĐ Sở;
- Lưu: VT, TCCB, MTTT.

                                                Huỳnh Thị Phương Duyên
"""

# Chính phủ, Nghị định 45/2026/NĐ-CP: a legal document, its subject in capitals.
DECREE = """           CHÍNH PHỦ                     CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
                                               Độc lập - Tự do - Hạnh phúc
                                                       ---------------
       Số: 45/2026/NĐ-CP                               Hà Nội, ngày 26 tháng 01 năm 2026

                                         NGHỊ ĐỊNH
   QUY ĐỊNH QUẢN LÝ ĐẦU TƯ ỨNG DỤNG CÔNG NGHỆ THÔNG TIN SỬ DỤNG
                  NGUỒN VỐN NGÂN SÁCH NHÀ NƯỚC
Căn cứ Luật Tổ chức Chính phủ số 63/2025/QH15;
Căn cứ Luật Công nghệ thông tin số 67/2006/QH11;
Theo đề nghị của Bộ trưởng Bộ Khoa học và Công nghệ;
"""

# Bộ Nội vụ, Công văn 8977/BNV-TCPCP: a ministry's letter; a commune named in the body is not its unit.
MINISTRY_LETTER = """          BỘ NỘI VỤ            CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM
                                        Độc lập - Tự do - Hạnh phúc
   Số: 8977 /BNV-TCPCP
     V/v trả lời đề nghị của       Hà Nội, ngày 06 tháng 10 năm 2025
    Sở Nội vụ tỉnh Lâm Đồng

                         Kính gửi: Sở Nội vụ tỉnh Lâm Đồng

       Bộ Nội vụ nhận được Công văn số 1843/SNV-TCBC ngày 01/10/2025 của
Sở Nội vụ tỉnh Lâm Đồng về việc xin ý kiến hướng dẫn về công tác hội của xã Quang Trung như sau:
"""

# Hội đồng thẩm định tỉnh Lâm Đồng, Phụ lục III: a table annex with no header and no number.
ANNEX = """                      Phụ lục III
KẾT QUẢ ĐÁNH GIÁ CÁC TIÊU CHÍ THUỘC CẢI CÁCH THỦ TỤC
                HÀNH CHÍNH NĂM 2025

      I. ĐỐI VỚI CẤP SỞ
                                       Điểm
STT               Đơn vị             chuẩn tối                           Chỉ số
 1    Ban Quản lý các KCN             15,00       15,00       15,00     100,00%
 2    Sở Công thương                  15,00       15,00       15,00     100,00%
"""

# Ban Tuyên giáo và Dân vận Tỉnh ủy Lâm Đồng: the Party's header and number (as OCR reads the scan; the
# running number, written by hand there, is given here).
PARTY_LETTER = """TỈNH ỦY LÂM ĐỒNG
BAN TUYÊN GIÁO VÀ DÂN VẬN
*
Số 120-CV/BTGDVTU
cử lãnh đạo Ban tham gia
Ban Vì sự tiến bộ của phụ nữ
ĐẢNG CỘNG SẢN VIỆT NAM
Lâm Đồng, ngày 04 tháng 9 năm 2025
Kính gửi: Sở Nội vụ.
Triển khai Công văn số 1189/SNV-LĐVL&TN, ngày 29/8/2025 của Sở Nội
vụ về việc cử đại diện lãnh đạo tham gia Ban Vì sự tiến bộ của phụ nữ;
"""


# --- the document's own number --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "number", "repaired"),
    [
        ("Số: 329_ /BC-UBND", "329/BC-UBND", False),  # the rule of the blank after the written number
        ("Số: 329      /BC-UBND", "329/BC-UBND", False),
        ("Số:95I /SXD-QLCLCT", "95/SXD-QLCLCT", True),  # the stroke that ends a handwritten number
        ("Số: 507 /UBND-KGVX", "507/UBND-KGVX", False),
        ("Số:1239 /SYT-TCCB", "1239/SYT-TCCB", False),
        ("Số: II /TB-UBND", "11/TB-UBND", True),  # a script font read as letters
        ("Số: 45/2026/NĐ-CP", "45/2026/NĐ-CP", False),
        ("Số 120-CV/BTGDVTU", "120-CV/BTGDVTU", False),  # the Party's number-type/issuer
    ],
)
def test_number_filled_in_by_hand_or_stamped(line: str, number: str, repaired: bool) -> None:
    num = parse_number(line)
    assert num is not None and num.text == number and num.repaired is repaired


def test_number_pushed_to_the_next_line_by_the_handwriting() -> None:
    num = parse_number("Số: 507", "/UBND-KGVX")
    assert num is not None and num.text == "507/UBND-KGVX"


@pytest.mark.parametrize(
    ("line", "symbol"),
    [("Số: /TTg-CĐS", "TTg-CĐS"), ("Số. /TTr- CAT-PC04", "TTr-CAT-PC04"), ("Số: 23§ÿ /C04-P6", "C04-P6")],
)
def test_blank_or_unreadable_number_keeps_its_symbol(line: str, symbol: str) -> None:
    num = parse_number(line)
    assert num is not None and num.seq is None and num.symbol == symbol and num.text == ""


def test_document_number_is_its_own_never_the_one_its_body_cites() -> None:
    meta = describe_text(REPORT.format(number="Số: 329_ /BC-UBND"))
    assert (meta["doc_number"], meta["doc_symbol"], meta["doc_type_code"]) == ("329/BC-UBND", "BC-UBND", "BC")
    # the number written so that it cannot be read: no number, the symbol still
    meta = describe_text(REPORT.format(number="Số: 3§ÿ /BC-UBND"))
    assert "doc_number" not in meta and meta["doc_symbol"] == "BC-UBND"
    # the number line lost altogether: still not the cited `4625/BNV-CCHC`
    meta = describe_text(REPORT.format(number=""))
    assert "doc_number" not in meta


@pytest.mark.parametrize(
    "line",
    [
        "Thực hiện Công văn số 4625/BNV-CCHC ngày 02/7/2025 của Bộ Nội vụ",
        "chứng Việt Nam ban hành kèm theo Quyết định số 1178/QĐ-BTP ngày 28/6/2023",
        "Sở Tư pháp nhận được Văn bản số 2377/UBND-NCKS ngày 13/5/2025",
    ],
)
def test_cited_numbers_are_not_bare_numbers(line: str) -> None:
    assert find_bare_number([line]) is None


def test_bare_number_without_its_cue_is_still_read() -> None:
    num = find_bare_number(["1642/UBND-TNMT"])
    assert num is not None and num.text == "1642/UBND-TNMT"


# --- the issue date ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "iso", "place"),
    [
        ("Lâm Đồng, ngày24tháng 01 năm 2026", "2026-01-24", "Lâm Đồng"),  # glued to the handwritten day
        ("Hà Nội, ngày 79 tháng 12 năm 2025", "2025-12-19", "Hà Nội"),  # a handwritten 1 read as 7
        ("Lâm Đóng, ngày 76 tháng 01 năm 2026", "2026-01-16", "Lâm Đóng"),
        ("Bình Thuận, ngày l6 tháng 5 năm 2025", "2025-05-16", "Bình Thuận"),
        ("Lâm Đông, ngàyO6 tháng 11 năm 2025", "2025-11-06", "Lâm Đông"),
        ("Hà Nội, ngàyä30 tháng 4 năm 2026", "2026-04-30", "Hà Nội"),
    ],
)
def test_date_written_by_hand(line: str, iso: str, place: str) -> None:
    hit = find_date([line])
    assert hit is not None and (hit.iso, hit.place) == (iso, place)


def test_day_written_by_hand_read_as_a_line_of_its_own() -> None:
    hit = find_date(["Lâm Đồng, ngày", "19 tháng 12 năm 2025", "BÁO CÁO"])
    assert hit is not None and (hit.iso, hit.place) == ("2025-12-19", "Lâm Đồng")
    assert find_date(["Lâm Đồng, ngày", "BÁO CÁO"]) is None


def test_subject_stops_at_the_date_line_even_when_its_day_cannot_be_read() -> None:
    text = """UBND TỈNH LÂM ĐỒNG
SỞ KHOA HỌC VÀ CÔNG NGHỆ
Số: 171 /SKHCN-CĐS
V/v góp ý dự thảo Kế hoạch kiểm
tra cải cách hành chính năm 2026
trên địa bàn tỉnh Lâm Đông
Lâm Đóng, ngày ?6 tháng 01 năm 2026
Kính gửi: Sở Nội vụ
"""
    meta = describe_text(text)
    assert meta["subject"] == (
        "V/v góp ý dự thảo Kế hoạch kiểm tra cải cách hành chính năm 2026 trên địa bàn tỉnh Lâm Đồng"
    )  # the province's name gets its diacritics back from the gazetteer; the subject stops before the date
    assert "issue_date" not in meta


def test_repaired_date_is_less_certain() -> None:
    clean, handwritten = (
        find_date(["Hà Nội, ngày 19 tháng 12 năm 2025"]),
        find_date(["Hà Nội, ngày 79 tháng 12 năm 2025"]),
    )
    assert clean is not None and handwritten is not None and handwritten.conf < clean.conf


@pytest.mark.parametrize(
    "lines",
    [
        ["CP ngày 09 tháng 6 năm 2025 của Chính phủ về thực hiện thủ tục hành chính theo"],
        ["Căn cứ Luật Đất đai ngày 18 tháng 01 năm 2024;"],
        ["định số 123/2013/NĐ-CP ngày 14 tháng 10 năm 2013 của Chính phủ quy định"],
    ],
)
def test_dates_cited_in_the_body_are_not_the_issue_date(lines: list[str]) -> None:
    assert find_date(lines) is None


def test_date_line_wins_over_later_dates_even_when_repaired() -> None:
    lines = [
        "Bình Thuận, ngày l6 tháng 5 năm 2025",
        "Kính gửi: Ủy ban nhân dân tỉnh.",
        "Căn cứ quy định tại khoản 5 Điều 1 Nghị định số 137/2018/NĐ-CP ngày",
        "Hà Nội, ngày 08 tháng 10 năm 2018",
    ]
    hit = find_date(lines)
    assert hit is not None and hit.iso == "2025-05-16"


def test_date_not_after_the_signing() -> None:
    line = ["Hà Nội, ngày 17 tháng 12 năm 2025"]
    assert find_date(line, signed=date(2025, 12, 20)).iso == "2025-12-17"  # type: ignore[union-attr]
    # signed on the 11th: a 17th cannot be; the handwritten 11 read as 17 can
    assert find_date(line, signed=date(2025, 12, 11)).iso == "2025-12-11"  # type: ignore[union-attr]
    # numbered and dated by the clerk a weekend after the signature: still plausible
    assert find_date(["Hà Nội, ngày 15 tháng 12 năm 2025"], signed=date(2025, 12, 12)) is not None
    late = find_date(["Hà Nội, ngày 29 tháng 12 năm 2025"], signed=date(2025, 12, 11))
    assert late is not None and (late.place, late.iso) == ("Hà Nội", None)  # the place stays, not the date


def test_day_filled_in_by_hand_and_unreadable_keeps_the_place() -> None:
    """UBND tỉnh Quảng Ngãi, Thông báo 11/TB-UBND: the day `08` written by hand, read as `ở`. No date is
    guessed; the place is kept, and the line still closes the header."""
    hit = find_date(["ỦY BAN NHÂN DÂN", "TỈNH QUẢNG NGÃI", "Quảng Ngãi, ngày ở tháng 01 năm 2025"])
    assert hit is not None and (hit.line_no, hit.place, hit.iso) == (2, "Quảng Ngãi", None)
    meta = describe_text("""ỦY BAN NHÂN DÂN            CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
TỈNH QUẢNG NGÃI                Độc lập - Tự do - Hạnh phúc
Số: 11 /TB-UBND                Quảng Ngãi, ngày ở tháng 01 năm 2025
THÔNG BÁO
Kết luận của Phó Chủ tịch UBND tỉnh Võ Phiên tại cuộc họp
Ngày 03/01/2025, Phó Chủ tịch UBND tỉnh Võ Phiên chủ trì họp nghe báo cáo
""")
    assert meta["issue_place"] == "Quảng Ngãi" and "issue_date" not in meta
    assert meta["doc_number"] == "11/TB-UBND" and meta["issuing_body"] == "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI"


def test_describe_text_takes_the_signing_time() -> None:
    text = REPORT.format(number="Số: 329 /BC-UBND").replace("ngày 19 tháng 12", "ngày 29 tháng 12")
    assert describe_text(text)["issue_date"] == "2025-12-29"
    signed = datetime(2025, 12, 19, 16, 30, tzinfo=VN)
    assert "issue_date" not in describe_text(text, signed_at=signed)


# --- what is on the page but is not the document's text -------------------------------------------------


def test_signature_box_is_its_own_field_and_not_the_header() -> None:
    meta = describe_text(NOTICE_SIGNED)
    assert meta["signature_box"] == {
        "organization": "TRUNG TÂM CÔNG BÁO VÀ TIN HỌC",
        "email": "ttcbth@quangngai.gov.vn",
        "time": "2025-01-09T10:21:11+07:00",
    }
    assert meta["issuing_body"] == "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI" and "parent_body" not in meta
    assert (meta["doc_number"], meta["issue_date"]) == ("11/TB-UBND", "2025-01-08")
    assert "gov.vn" not in meta["subject"] and "+07:00" not in meta["subject"]


def test_signature_box_read_by_ocr_bounds_the_date() -> None:
    meta = describe_text(NOTICE_SIGNED_OCR.format(day="08"))
    assert meta["doc_number"] == "11/TB-UBND"
    assert meta["signature_box"]["time"] == "2025-01-09T10:21:11+07:00"
    assert meta["issuing_body"] == "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI" and "parent_body" not in meta
    assert meta["issue_date"] == "2025-01-08"
    # a day read as 28 cannot follow a signature of the 9th
    assert "issue_date" not in describe_text(NOTICE_SIGNED_OCR.format(day="28"))


def test_signature_box_beside_the_header_leaves_the_header() -> None:
    # a text layer's line with the box's time on the right of the issuing body
    lines = ["ỦY BAN NHÂN DÂN        24.01.2025 20:01:14 +07:00", "TỈNH QUẢNG NGÃI", "Số: 11/TB-UBND"]
    stamps = take_stamps([lines])
    assert stamps.pages == [["ỦY BAN NHÂN DÂN", "TỈNH QUẢNG NGÃI", "Số: 11/TB-UBND"]]
    assert stamps.signature_box == {"time": "2025-01-24T20:01:14+07:00"}


def test_labelled_signature_box() -> None:
    line = (
        "'Cơ quan: VĂN PHÒNG CHÍNH PHỦ Người ký: CỔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ "
        "Thời gian ký: 04.05.2026 09:44:21 +07:00"
    )
    stamps = take_stamps([[line, "THỦ TƯỚNG CHÍNH PHỦ", "Số: 464/TTg-CĐS"]])
    assert stamps.signature_box == {
        "organization": "VĂN PHÒNG CHÍNH PHỦ",
        "signer": "CỔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ",
        "time": "2026-05-04T09:44:21+07:00",
    }
    assert stamps.pages == [["THỦ TƯỚNG CHÍNH PHỦ", "Số: 464/TTg-CĐS"]]
    assert stamps.signed_at == datetime(2026, 5, 4, 9, 44, 21, tzinfo=VN)


def test_incoming_stamp_gives_received_number_and_date() -> None:
    meta = describe_text(LETTER_RECEIVED)
    assert (meta["received_number"], meta["received_date"]) == ("9639", "2025-05-19")
    assert (meta["issuing_body"], meta["parent_body"]) == ("SỞ TƯ PHÁP", "UBND TỈNH BÌNH THUẬN")
    assert (meta["doc_number"], meta["issue_date"]) == ("788/STP-HCBT", "2025-05-16")
    assert meta["subject"].startswith("V/v trình hồ sơ") and "ĐẾN" not in meta["subject"]


def test_incoming_stamp_as_ocr_reads_it() -> None:
    stamps = take_stamps([["VP.UBND TINH BÌNH THUẬN", "ĐEN Ngà y19/05/2025 49 So se te", "SỞ TƯ PHÁP"]])
    assert stamps.received_date == "2025-05-19" and stamps.pages == [["SỞ TƯ PHÁP"]]
    # the frame of the stamp read between its office and `ĐẾN` (bt-stp-788 from the photo of it)
    header = ["UBND TỈNH BÌNH THUẬN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "SỞ TƯ PHÁP"]
    stamps = take_stamps([["YVP.UBND TỈNH BÌNH THUẬN", "^Z„„", "ĐỀN Ngày19/05/2025.,", *header]])
    assert stamps.received_date == "2025-05-19" and stamps.pages == [header]
    # a header line above the stamp is not its office when another line with words stands between
    lines = ["UBND TỈNH BÌNH THUẬN", "SỞ TƯ PHÁP", "ĐẾN Số: 9639", "Số: 788/STP-HCBT"]
    assert take_stamps([lines]).pages == [lines[:2] + lines[3:]]


def test_den_in_a_heading_is_not_a_stamp() -> None:
    lines = ["KẾ HOẠCH", "PHÒNG, CHỐNG MA TÚY", "ĐẾN NĂM 2030", "Số: 12/KH-UBND"]
    stamps = take_stamps([lines])
    assert stamps.received_number is None and stamps.pages == [lines]


# --- layouts other than a People's Committee's ----------------------------------------------------------


def test_party_header_and_number() -> None:
    meta = describe_text(PARTY_LETTER)
    assert (meta["parent_body"], meta["issuing_body"]) == ("TỈNH ỦY LÂM ĐỒNG", "BAN TUYÊN GIÁO VÀ DÂN VẬN")
    assert (meta["doc_number"], meta["doc_type_code"]) == ("120-CV/BTGDVTU", "CV")
    assert meta["issue_date"] == "2025-09-04"


def test_youth_union_header() -> None:
    text = """BCH ĐOÀN TP HÀ NỘI            ĐOÀN TNCS HỒ CHÍ MINH
BCH ĐOÀN QUẬN CẦU GIẤY
Số: 45-KH/ĐTN                 Cầu Giấy, ngày 12 tháng 3 năm 2024
KẾ HOẠCH
Tổ chức Tháng Thanh niên năm 2024
Thực hiện Kế hoạch số 12-KH/TĐTN-VP của Ban Thường vụ Thành đoàn Hà Nội;
"""
    meta = describe_text(text)
    assert (meta["parent_body"], meta["issuing_body"]) == ("BCH ĐOÀN TP HÀ NỘI", "BCH ĐOÀN QUẬN CẦU GIẤY")
    assert (meta["doc_number"], meta["doc_type_code"]) == ("45-KH/ĐTN", "KH")
    assert meta["admin_unit_old"]["district"] == "Cầu Giấy"


# Sở Tư pháp tỉnh Bình Thuận, Công văn 788/STP-HCBT, as OCR reads its 200-dpi page: the received stamp
# printed over the header took `SỞ`, its label ran into the parent's line.
STAMPED_HEADER = """VP.UBND TINH BÌNH THUẬN
ĐEN Ngà y19/05/2025 49 So se te te th 9ớở
Số và ký hiệu HS : UBND|TÏNH BÌNH THUẬN _ CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
TƯ PHÁP
Sô: 788/STP-HCBT
V/v trình hồ sơ phê chuẩn kết quả
Đại hội Đoàn Luật sư tỉnh Bình
Thuận nhiệm kỳ 2024 - 2029
Độc lập - Tự do - Hạnh phúc
Bình Thuận, ngày l6 tháng 5 năm 2025
Kính gửi: Ủy ban nhân dân tỉnh.
Sở Tư pháp nhận được Văn bản số 2377/UBND-NCKS ngày 13/5/2025
"""


def test_organ_word_under_a_stamp_is_put_back_from_the_symbol() -> None:
    meta = describe_text(STAMPED_HEADER)
    assert (meta["parent_body"], meta["issuing_body"]) == ("UBND TỈNH BÌNH THUẬN", "SỞ TƯ PHÁP")
    assert meta["doc_number"] == "788/STP-HCBT" and meta["issue_date"] == "2025-05-16"


@pytest.mark.parametrize(
    ("parent", "issuing", "symbol", "expected"),
    [
        ("UBND TỈNH BÌNH THUẬN", "TƯ PHÁP", "STP-HCBT", ("UBND TỈNH BÌNH THUẬN", "SỞ TƯ PHÁP")),
        (None, "UBND TỈNH BÌNH THUẬN TƯ PHÁP", "STP-HCBT", ("UBND TỈNH BÌNH THUẬN", "SỞ TƯ PHÁP")),
        ("CỤC THUẾ TỈNH LÂM ĐỒNG", "THUẾ KHU VỰC BẢO LỘC", "QĐ-CCTKV", None),  # no organ word spells it
        (
            "CỤC THUẾ TỈNH LÂM ĐỒNG",
            "THUẾ BẢO LỘC",
            "QĐ-CCTBL",
            ("CỤC THUẾ TỈNH LÂM ĐỒNG", "CHI CỤC THUẾ BẢO LỘC"),
        ),
        (
            "UBND TỈNH LÂM ĐỒNG",
            "GIÁO DỤC VÀ ĐÀO TẠO",
            "KH-SGDĐT",
            ("UBND TỈNH LÂM ĐỒNG", "SỞ GIÁO DỤC VÀ ĐÀO TẠO"),
        ),
        ("UBND TỈNH BÌNH THUẬN", "SỞ TƯ PHÁP", "STP-HCBT", None),  # read whole: nothing to do
        ("UBND TỈNH BÌNH THUẬN", "TƯ PHÁP", "CV-UBND", None),  # the symbol does not spell it
        (None, "NỘI VỤ", "BNV-CCHC", None),  # BỘ or BAN: one letter for two words, not guessed
        (None, "UBND QUẬN CẦU GIẤY", "QĐ-UBND", None),
    ],
)
def test_organ_word_only_where_the_symbol_spells_it(
    parent: str | None, issuing: str, symbol: str, expected: tuple[str, str] | None
) -> None:
    assert restore_organ_word(parent, issuing, symbol) == (expected or (parent, issuing))


def test_annex_page_without_header() -> None:
    meta = describe_text(ANNEX)
    assert meta["doc_type"] == "Phụ lục" and "doc_type_code" not in meta and "doc_number" not in meta
    assert meta["subject"] == "KẾT QUẢ ĐÁNH GIÁ CÁC TIÊU CHÍ THUỘC CẢI CÁCH THỦ TỤC HÀNH CHÍNH NĂM 2025"


def test_decree_with_its_subject_in_capitals() -> None:
    meta = describe_text(DECREE)
    assert (meta["doc_type_code"], meta["doc_type"], meta["doc_number"]) == (
        "NĐ",
        "Nghị định",
        "45/2026/NĐ-CP",
    )
    assert meta["subject"] == (
        "QUY ĐỊNH QUẢN LÝ ĐẦU TƯ ỨNG DỤNG CÔNG NGHỆ THÔNG TIN SỬ DỤNG NGUỒN VỐN NGÂN SÁCH NHÀ NƯỚC"
    )


# --- bodies outside Hanoi ---------------------------------------------------------------------------------


def test_provincial_body_is_outside_hanoi() -> None:
    meta = describe_text(LETTER_PROVINCE)
    assert (meta["parent_body"], meta["issuing_body"]) == ("UBND TỈNH LÂM ĐỒNG", "SỞ Y TẾ")
    old, new = meta["admin_unit_old"], meta["admin_unit_new"]
    assert old["outside_hanoi"] is True and old["province"] == "Tỉnh Lâm Đồng" and "district" not in old
    assert new["outside_hanoi"] is True and new["province"] == "Tỉnh Lâm Đồng" and "candidates" not in new


def test_former_province_maps_to_its_new_province() -> None:
    meta = describe_text(LETTER_RECEIVED)
    assert meta["admin_unit_old"]["province"] == "Tỉnh Bình Thuận"
    assert meta["admin_unit_new"]["province"] == "Tỉnh Lâm Đồng"  # merged on 1 July 2025


def test_the_place_of_issue_tells_a_province_when_the_header_names_none() -> None:
    """bt-stp-788 as read from a photo: the parent body's line starts with the stamp's ink, so no body
    names the province; the place of the date line does. A Hanoi commune's place (`Hòa Bình` is also a
    province) or Hanoi itself gives no province."""
    header = "Zbeuns UBND TỈNH BÌNH THUẬN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSỞTƯ PHÁP\nSố: 788/STP-HCBT\n"
    text = header + "V/v trình hồ sơ\n{place}, ngày 16 tháng 5 năm 2025\nKính gửi: Ủy ban nhân dân tỉnh.\n"
    old = describe_text(text.format(place="Bình Thuận"))["admin_unit_old"]
    assert old == {"outside_hanoi": True, "province": "Tỉnh Bình Thuận"}
    for place in ("Hòa Bình", "Hà Nội"):
        old = describe_text(text.format(place=place)).get("admin_unit_old") or {}
        assert not old.get("outside_hanoi"), place


@pytest.mark.parametrize("text", [MINISTRY_LETTER, DECREE])
def test_central_body_gets_no_hanoi_unit(text: str) -> None:
    meta = describe_text(text)
    old, new = meta["admin_unit_old"], meta["admin_unit_new"]
    assert old["outside_hanoi"] is True and old["level"] == "central"
    assert not {"district", "commune", "province"} & set(old)  # `xã Quang Trung` in the body is not its unit
    assert new["outside_hanoi"] is True and new["reason"] == "outside_hanoi"


def test_hanoi_department_stays_in_hanoi() -> None:
    text = """ỦY BAN NHÂN DÂN               CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
THÀNH PHỐ HÀ NỘI                      Độc lập - Tự do - Hạnh phúc
SỞ XÂY DỰNG
Số: 2051/SXD-QLXD                   Hà Nội, ngày 12 tháng 4 năm 2024
V/v kiểm tra công trình tại xã Kiêu Kỵ, huyện Gia Lâm
"""
    old = describe_text(text)["admin_unit_old"]
    assert "outside_hanoi" not in old and (old["district"], old["commune"]) == ("Gia Lâm", "Kiêu Kỵ")


# The domains of departments, offices and divisions (the agency vocabulary's), under each kind of parent.
DOMAINS = ["TÀI NGUYÊN VÀ MÔI TRƯỜNG", "QUY HOẠCH - KIẾN TRÚC", "LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI",
           "TÀI CHÍNH - KẾ HOẠCH", "TÀI CHÍNH", "KẾ HOẠCH VÀ ĐẦU TƯ", "QUẢN LÝ ĐÔ THỊ", "KINH TẾ",
           "KINH TẾ VÀ HẠ TẦNG", "VĂN HÓA VÀ THÔNG TIN", "VĂN HÓA, THỂ THAO VÀ DU LỊCH",
           "GIÁO DỤC VÀ ĐÀO TẠO",
           "Y TẾ", "TƯ PHÁP", "NỘI VỤ", "XÂY DỰNG", "GIAO THÔNG VẬN TẢI", "CÔNG THƯƠNG",
           "NÔNG NGHIỆP VÀ MÔI TRƯỜNG", "KHOA HỌC VÀ CÔNG NGHỆ", "THÔNG TIN VÀ TRUYỀN THÔNG", "DÂN TỘC",
           "NGOẠI VỤ", "PHỤC VỤ HÀNH CHÍNH CÔNG", "ĐĂNG KÝ ĐẤT ĐAI", "PHÁT TRIỂN QUỸ ĐẤT"]  # fmt: skip
ORGANS = {"SỞ": "S", "PHÒNG": "P", "CỤC": "C", "CHI CỤC": "CC", "TRUNG TÂM": "TT", "VĂN PHÒNG": "VP"}
PARENTS = ["UBND TỈNH LÂM ĐỒNG", "ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI", "UBND QUẬN CẦU GIẤY"]


@pytest.mark.parametrize("organ", list(ORGANS))
@pytest.mark.parametrize("parent", PARENTS)
def test_organ_word_sweep_every_domain(organ: str, parent: str) -> None:
    """For every domain under every parent: the name read without its organ word gets it back from the
    symbol, with the parent apart or run into the same line; a name read whole, or a symbol that does not
    spell it, is left as read."""
    for domain in DOMAINS:
        code = ORGANS[organ] + fold(body_initials(domain)).upper()
        symbol = f"QĐ-{code}"
        whole = f"{organ} {domain}"
        assert restore_organ_word(parent, domain, symbol) == (parent, whole), domain
        assert restore_organ_word(None, f"{parent} {domain}", symbol) == (parent, whole), domain
        assert restore_organ_word(parent, whole, symbol) == (parent, whole), domain
        assert restore_organ_word(parent, domain, "QĐ-UBND") == (parent, domain), domain
        assert restore_organ_word(parent, domain, f"{code}X-VP") == (parent, domain), domain
