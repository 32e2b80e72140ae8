"""Field parsers and `describe_text` on real-looking Decree 30 documents, clean and OCR-damaged.

The texts are written here (never read from the shared corpus); units and names are real Hanoi units
before July 2025 and invented people.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ocr.model import Word
from pipeline.describe import describe_text, duplicate_key
from pipeline.metadata.closing import clean_item, parse_closing
from pipeline.metadata.cues import split_right_phrase
from pipeline.metadata.dates import find_date
from pipeline.metadata.header import split_bodies
from pipeline.metadata.number import fix_symbol, parse_number
from pipeline.metadata.signer import fix_surname, parse_signer
from pipeline.textnorm import clean_text, fix_digits, fold, levenshtein, squash

DECISION = """UBND HUYỆN ĐÔNG ANH
ỦY BAN NHÂN DÂN
XÃ UY NỖ
Số: 88/QĐ-UBND
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Đông Anh, ngày 05 tháng 01 năm 2025
QUYẾT ĐỊNH
Về việc cấp Giấy phép xây dựng nhà ở riêng lẻ cho hộ ông
Lê Văn Tám tại thôn Đìa
CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ UY NỖ
Căn cứ Luật Xây dựng ngày 18 tháng 6 năm 2014;
Căn cứ Luật Đất đai ngày 18 tháng 01 năm 2024;
Theo đề nghị của Công chức Địa chính - Xây dựng xã.
QUYẾT ĐỊNH:
Điều 1. Cấp Giấy phép xây dựng cho hộ ông Lê Văn Tám, trú tại thôn Đìa, xã Uy Nỗ,
huyện Đông Anh, thành phố Hà Nội.
Điều 2. Quyết định này có hiệu lực kể từ ngày ký.
Điều 3. Văn phòng HĐND-UBND xã và ông Lê Văn Tám chịu trách nhiệm thi hành Quyết định này./.
Nơi nhận:
- Như Điều 3;
- UBND huyện Đông Anh;
- Lưu: VT, ĐCXD.
TM. ỦY BAN NHÂN DÂN
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Nguyễn Thị Thu Hà
"""

LETTER = """ỦY BAN NHÂN DÂN
QUẬN TÂY HỒ
Số: 05/UBND-VP
V/v tăng cường quản lý trật tự
xây dựng trên địa bàn phường Quảng An
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Tây Hồ, ngày 12 tháng 3 năm 2024
Kính gửi: Ủy ban nhân dân phường Quảng An.
Thực hiện chỉ đạo của Ủy ban nhân dân Thành phố, Ủy ban nhân dân quận Tây Hồ đề nghị
Ủy ban nhân dân phường Quảng An kiểm tra các công trình xây dựng trên địa bàn phường
Quảng An và báo cáo kết quả trước ngày 30/3/2024.
Đề nghị các cơ quan, đơn vị quan tâm, phối hợp thực hiện./.
Nơi nhận:
- Như trên;
- Văn phòng Đăng ký đất đai Hà
Nội;
- Lưu: VT, QLĐT.
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Trần Quốc Bảo
"""

# The same letter as Tesseract reads it across both header columns, with damaged cues.
LETTER_OCR = """ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
QUẬN TÂY HÒ Độc lập - Tự do - Hạnh phúc
Sô : O5/UBND-VP Tây Hồ, ngảy 12 thảng 3 nãm 2O24
V/v tăng cường quản lý trật tự
xây dựng trên địa bàn phường Quảng An
Kính gửi: Ủy ban nhân dân phường Quảng An.
Thực hiện chỉ đạo của Ủy ban nhân dân Thành phố, Ủy ban nhân dân quận Tây Hồ đề nghị
Ủy ban nhân dân phường Quảng An kiểm tra các công trình xây dựng trên địa bàn phường
Quảng An và báo cáo kết quả trước ngày 30/3/2024.
Nơi nhặn: KT. CHỦ TỊCH
- Như trên; PHO CHU TỊCH
- Lưu: VI, QLĐT.
VẤ Z¬
Trần Quốc Bảo
"""

ENGLISH = """HANOI PEOPLE'S COMMITTEE
PEOPLE'S COMMITTEE
OF THUY KHUE WARD
No.: 214/TB-UBND
SOCIALIST REPUBLIC OF VIETNAM
Independence - Freedom - Happiness
Tay Ho, March 4, 2024
NOTICE
On the schedule for receiving citizens in March 2024
The People's Committee of Thuy Khue Ward will receive citizens every Thursday morning at its
headquarters. Citizens are requested to bring their identity cards and related documents.
Complaints and denunciations shall be handled in accordance with the law.
Recipients:
- As above;
- District People's Committee;
- Archived: VT.
FOR THE CHAIRMAN
VICE CHAIRMAN
Pham Van Long
"""


# --- text normalisation --------------------------------------------------------------------------------


def test_fold_keeps_indices_and_maps_d() -> None:
    assert fold("Đống Đa") == "dong da"
    assert len(fold("Cầu Giấy")) == len("Cầu Giấy")
    assert squash("Mỹ Đình 1") == "mydinh1"


def test_clean_text_fixes_lookalikes_and_nfc() -> None:
    decomposed = "Quye\u0302\u0301t đi\u0323nh"
    assert clean_text(decomposed) == "Quyết định"
    assert clean_text("QÐ-UBND\x00") == "QĐ-UBND "  # U+00D0 eth -> U+0110 Đ


@pytest.mark.parametrize(
    ("raw", "fixed"), [("1O7", "107"), ("2O24", "2024"), ("l23", "123"), ("UBND", "UBND")]
)
def test_fix_digits(raw: str, fixed: str) -> None:
    assert fix_digits(raw) == fixed


def test_levenshtein_limit() -> None:
    assert levenshtein("noinhan", "noinhan") == 0
    assert levenshtein("recipienis", "recipients") == 1
    assert levenshtein("abcdefgh", "zzzzzzzz", limit=2) == 3


# --- number ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "seq", "year", "symbol"),
    [
        ("Số: 123/QĐ-UBND", "123", None, "QĐ-UBND"),
        ("Số: 45/2024/QĐ-UBND", "45", "2024", "QĐ-UBND"),
        ("Sô: 1O7/QĐ-LĐTBXH", "107", None, "QĐ-LĐTBXH"),
        ("S6 : 2392 / UBND - TNMT", "2392", None, "UBND-TNMT"),
        ("Số:05/UBND-VP", "05", None, "UBND-VP"),
        ("No.: 153/TB-UBND", "153", None, "TB-UBND"),
        ("Số : l5/TTr-UBND", "15", None, "TTr-UBND"),
        ("Số: 306//GM-UBND .", "306", None, "GM-UBND"),
        ("Số: 465GM-UBND", "465", None, "GM-UBND"),  # the slash not read
        ("Số: 429 BC - STNMT", "429", None, "BC-STNMT"),
    ],
)
def test_parse_number_variants(line: str, seq: str, year: str | None, symbol: str) -> None:
    num = parse_number(line)
    assert num is not None
    assert (num.seq, num.year, num.symbol) == (seq, year, symbol)


def test_parse_number_rejects_text_without_number() -> None:
    assert parse_number("Độc lập - Tự do - Hạnh phúc") is None
    assert parse_number("Số: 12A") is None  # no slash and no code: not guessed
    assert parse_number("Tầng 3, 465GM-UBND") is None  # without the `Số:` cue a bare run is not a number


@pytest.mark.parametrize(
    ("symbol", "body", "fixed"),
    [
        ("QD-UBND", "ỦY BAN NHÂN DÂN QUẬN TÂY HỒ", "QĐ-UBND"),
        ("TTR-QLDT", "PHÒNG QUẢN LÝ ĐÔ THỊ", "TTr-QLĐT"),
        ("QĐĐ-UBND", "ỦY BAN NHÂN DÂN XÃ UY NỖ", "QĐ-UBND"),
        ("UBND-VP", "ỦY BAN NHÂN DÂN QUẬN TÂY HỒ", "UBND-VP"),
        ("KH-LDTBXH", "PHÒNG LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI", "KH-LĐTBXH"),
    ],
)
def test_fix_symbol(symbol: str, body: str, fixed: str) -> None:
    assert fix_symbol(symbol, body) == fixed


# --- place and date -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "place", "iso"),
    [
        ("Cầu Giấy, ngày 03 tháng 4 năm 2024", "Cầu Giấy", "2024-04-03"),
        ("Hà Nội, ngảy O3 thảng 4 nãm 2O24", "Hà Nội", "2024-04-03"),
        ("Nam Từ Liêm , ngày 29 tháng 02 năm 2024", "Nam Từ Liêm", "2024-02-29"),
        ("Hanoi, October 17, 2023", "Hanoi", "2023-10-17"),
        ("Số: 88/QĐ-UBND Đông Anh, ngày 05 tháng 01 năm 2025", "Đông Anh", "2025-01-05"),
        ("Mỹ Đình 2, ngày 27 tháng 9 năm 2023", "Mỹ Đình 2", "2023-09-27"),  # a ward named with a number
        ("Phường 2, ngày 27 tháng 9 năm 2023", "Phường 2", "2023-09-27"),
    ],
)
def test_find_date(line: str, place: str, iso: str) -> None:
    hit = find_date([line])
    assert hit is not None
    assert (hit.place, hit.iso) == (place, iso)


def test_find_date_rejects_impossible_dates() -> None:
    hit = find_date(["Hà Nội, ngày 31 tháng 2 năm 2024"])
    assert hit is not None and (hit.place, hit.iso) == ("Hà Nội", None)  # the place, and no date
    assert find_date(["ngày 31 tháng 2 năm 2024"]) is None  # no place either: nothing


def test_ocr_repaired_date_has_lower_confidence() -> None:
    clean = find_date(["Hà Nội, ngày 03 tháng 4 năm 2024"])
    damaged = find_date(["Hà Nội, ngày O3 tháng 4 năm 2024"])
    assert clean and damaged and damaged.conf < clean.conf


# --- header columns and bodies --------------------------------------------------------------------------


def test_split_right_phrase_cuts_cross_column_lines() -> None:
    assert split_right_phrase("ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") == (
        "ỦY BAN NHÂN DÂN",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    )
    assert split_right_phrase("QUẬN TÂY HỒ Độc lập - Tự do - Hạnh phúc")[0] == "QUẬN TÂY HỒ"
    # `XÃ HỘI` alone belongs to a body name, not to the national motto
    assert split_right_phrase("VÀ XÃ HỘI") == ("VÀ XÃ HỘI", "")


@pytest.mark.parametrize(
    ("lines", "parent", "issuing"),
    [
        (["ỦY BAN NHÂN DÂN", "PHƯỜNG KHƯƠNG MAI"], None, "ỦY BAN NHÂN DÂN PHƯỜNG KHƯƠNG MAI"),
        (["UBND QUẬN TÂY HỒ", "PHÒNG QUẢN LÝ ĐÔ THỊ"], "UBND QUẬN TÂY HỒ", "PHÒNG QUẢN LÝ ĐÔ THỊ"),
        (
            ["UBND QUẬN ĐỐNG ĐA", "PHÒNG LAO ĐỘNG - THƯƠNG BINH", "VÀ XÃ HỘI"],
            "UBND QUẬN ĐỐNG ĐA",
            "PHÒNG LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI",
        ),
        (
            ["UBND HUYỆN ĐÔNG ANH", "ỦY BAN NHÂN DÂN", "XÃ UY NỖ"],
            "UBND HUYỆN ĐÔNG ANH",
            "ỦY BAN NHÂN DÂN XÃ UY NỖ",
        ),
        (
            ["HANOI PEOPLE'S COMMITTEE", "PEOPLE'S COMMITTEE", "OF THUY KHUE WARD"],
            "HANOI PEOPLE'S COMMITTEE",
            "PEOPLE'S COMMITTEE OF THUY KHUE WARD",
        ),
    ],
)
def test_split_bodies(lines: list[str], parent: str | None, issuing: str) -> None:
    got_parent, got_issuing, _ = split_bodies(lines)
    assert (got_parent, got_issuing) == (parent, issuing)


# --- closing ----------------------------------------------------------------------------------------------


def test_closing_in_reading_order() -> None:
    lines = LETTER.strip().split("\n")
    recipients, signer_block = parse_closing(lines)
    assert recipients is not None
    assert recipients[0] == ["Như trên", "Văn phòng Đăng ký đất đai Hà Nội", "Lưu: VT, QLĐT"]
    signer = parse_signer(signer_block)
    assert signer["signer_name"][0] == "Trần Quốc Bảo"
    assert signer["signer_title"][0] == "PHÓ CHỦ TỊCH"
    assert signer["signer_authority"][0] == ["KT. CHỦ TỊCH"]


def test_closing_read_across_columns_with_ocr_noise() -> None:
    lines = LETTER_OCR.strip().split("\n")
    recipients, signer_block = parse_closing(lines)
    assert recipients is not None
    assert recipients[0] == ["Như trên", "Lưu: VT, QLĐT"]
    signer = parse_signer(signer_block)
    assert signer["signer_title"][0] == "PHÓ CHỦ TỊCH"  # `PHO CHU TỊCH`, and the scribble `VẤ Z¬` skipped
    assert signer["signer_authority"][0] == ["KT. CHỦ TỊCH"]
    assert signer["signer_name"][0] == "Trần Quốc Bảo"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Lưu: VI UBND", "Lưu: VT, UBND"),
        ("Luu: VT, TNMT.", "Lưu: VT, TNMT"),
        ("Như Điều 3;_", "Như Điều 3"),
        ("Chỉ cục Thuế khu vực", "Chi cục Thuế khu vực"),
        ("Archived: VI", "Archived: VT"),
        ("Lưu: VT, QHKT, Q", "Lưu: VT, QHKT"),
        ("Lưu: VELĐTBXH.", "Lưu: VT, LĐTBXH"),
        ("Lưu: VŨ UBND.", "Lưu: VT, UBND"),
        ("Chủ tịch, các PCT UBND; l", "Chủ tịch, các PCT UBND"),
    ],
)
def test_clean_recipient_item(raw: str, clean: str) -> None:
    assert clean_item(raw) == clean


def test_two_authority_lines_and_english_authority() -> None:
    out = parse_signer(["ON BEHALEF OE THE PEOPLE'S", "COMMITTEE", "CHAIRMAN", "\\~¬¬", "Ta Thu Ha"])
    assert out["signer_authority"][0] == ["ON BEHALF OF THE PEOPLE'S COMMITTEE"]
    assert out["signer_title"][0] == "CHAIRMAN"
    assert out["signer_name"][0] == "Ta Thu Ha"


def test_fix_surname_only_for_vietnamese_spelling() -> None:
    assert fix_surname("Đỉnh Công Thế Đạt") == "Đinh Công Thế Đạt"
    assert fix_surname("Ta Thu Ha") == "Ta Thu Ha"


# --- whole documents ----------------------------------------------------------------------------------------


def test_describe_decision() -> None:
    meta = describe_text(DECISION)
    assert meta["parent_body"] == "UBND HUYỆN ĐÔNG ANH"
    assert meta["issuing_body"] == "ỦY BAN NHÂN DÂN XÃ UY NỖ"
    assert meta["doc_number"] == "88/QĐ-UBND"
    assert meta["doc_number_seq"] == "88"
    assert meta["doc_symbol"] == "QĐ-UBND"
    assert (meta["doc_type"], meta["doc_type_code"]) == ("Quyết định", "QĐ")
    assert (meta["issue_place"], meta["issue_date"]) == ("Đông Anh", "2025-01-05")
    assert meta["subject"] == (
        "Về việc cấp Giấy phép xây dựng nhà ở riêng lẻ cho hộ ông Lê Văn Tám tại thôn Đìa"
    )
    assert meta["signer_name"] == "Nguyễn Thị Thu Hà"
    assert meta["signer_title"] == "PHÓ CHỦ TỊCH"
    assert meta["signer_authority"] == ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"]
    assert meta["recipients"] == ["Như Điều 3", "UBND huyện Đông Anh", "Lưu: VT, ĐCXD"]
    assert meta["language"] == "vi"
    old = meta["admin_unit_old"]
    assert (old["district_type"], old["district"], old["commune_type"], old["commune"]) == (
        "huyện",
        "Đông Anh",
        "xã",
        "Uy Nỗ",
    )
    new = meta["admin_unit_new"]
    assert new.get("commune") or (new["ambiguous"] and new["candidates"])
    assert set(meta["confidence"]) >= {"doc_number", "issue_date", "subject", "language", "admin_unit_old"}
    assert all(0.0 <= v <= 1.0 for v in meta["confidence"].values())


def test_describe_cong_van_has_no_type_code_of_its_own() -> None:
    meta = describe_text(LETTER)
    assert meta["doc_number"] == "05/UBND-VP"
    assert meta["doc_number_seq"] == "05"
    assert (meta["doc_type"], meta["doc_type_code"]) == ("Công văn", "CV")
    assert meta["subject"] == "V/v tăng cường quản lý trật tự xây dựng trên địa bàn phường Quảng An"
    assert meta["addressees"] == ["Ủy ban nhân dân phường Quảng An"]
    assert meta["admin_unit_old"]["district"] == "Tây Hồ"
    assert meta["admin_unit_old"]["commune"] == "Quảng An"


def test_describe_ocr_damaged_letter() -> None:
    meta = describe_text(LETTER_OCR)
    assert meta["issuing_body"] == "ỦY BAN NHÂN DÂN QUẬN TÂY HỒ"  # `TÂY HÒ` restored from the gazetteer
    assert meta["doc_number"] == "05/UBND-VP"
    assert meta["issue_date"] == "2024-03-12"
    assert meta["issue_place"] == "Tây Hồ"
    assert meta["doc_type_code"] == "CV"
    assert meta["subject"].startswith("V/v tăng cường")
    assert meta["signer_title"] == "PHÓ CHỦ TỊCH"
    assert meta["confidence"]["issue_date"] < describe_text(LETTER)["confidence"]["issue_date"]


def test_describe_english_document() -> None:
    meta = describe_text(ENGLISH)
    assert meta["language"] == "en"
    assert meta["issuing_body"] == "PEOPLE'S COMMITTEE OF THUY KHUE WARD"
    assert meta["parent_body"] == "HANOI PEOPLE'S COMMITTEE"
    assert (meta["doc_type"], meta["doc_type_code"]) == ("Notice", "TB")
    assert (meta["issue_place"], meta["issue_date"]) == ("Tay Ho", "2024-03-04")
    assert meta["subject"] == "On the schedule for receiving citizens in March 2024"
    assert meta["signer_title"] == "VICE CHAIRMAN"
    assert meta["signer_authority"] == ["FOR THE CHAIRMAN"]
    assert meta["admin_unit_old"]["commune"] == "Thụy Khuê"
    assert meta["admin_unit_old"]["district"] == "Tây Hồ"


def test_describe_english_page_of_a_former_commune() -> None:
    # xã Kim Lan was merged into Kim Đức before 2025; the English page prints it without diacritics and
    # the package keeps only `kimlan`: the name comes back with its marks, and the merge is said
    text = (
        ENGLISH.replace("OF THUY KHUE WARD", "OF KIM LAN COMMUNE")
        .replace("Tay Ho, March", "Gia Lam, March")
        .replace("The People's Committee of Thuy Khue Ward", "The Commune People's Committee")
    )
    meta = describe_text(text)
    assert meta["issuing_body"] == "PEOPLE'S COMMITTEE OF KIM LAN COMMUNE"  # English stays as printed
    old = meta["admin_unit_old"]
    assert (old["district"], old["commune_type"], old["commune"]) == ("Gia Lâm", "xã", "Kim Lan")
    assert old["merged_into"] == "xã Kim Đức"
    assert meta["admin_unit_new"]["commune"] == "Bát Tràng"  # Kim Đức went whole into it


def test_describe_district_letter_with_ocr_damaged_commune() -> None:
    # the ward is named once, abbreviated and with an OCR slip (`P.Quảng Ann`)
    text = LETTER_OCR.replace("phường Quảng An", "khu dân cư").replace("phường\nQuảng An", "P.Quảng Ann")
    assert "Quảng An " not in text and "P.Quảng Ann" in text
    old = describe_text(text)["admin_unit_old"]
    assert (old["district"], old["commune"]) == ("Tây Hồ", "Quảng An")


def test_describe_district_letter_naming_no_commune() -> None:
    # a district's letter whose text names no ward: the district only, never a guessed commune
    text = LETTER.replace("phường Quảng An", "khu dân cư").replace("phường\nQuảng An", "khu dân cư")
    assert "Quảng An" not in text
    meta = describe_text(text)
    assert meta["admin_unit_old"] == {
        "province": "Thành phố Hà Nội",
        "district_type": "quận",
        "district": "Tây Hồ",
        "source": "text",
    }
    assert meta["confidence"]["admin_unit_old"] == 0.6


def test_absent_fields_are_absent_not_guessed() -> None:
    meta = describe_text("Ủy ban nhân dân phường thông báo lịch tiếp công dân trong tháng này tại trụ sở.")
    for field in ("doc_number", "issue_date", "doc_type_code", "signer_name", "recipients", "issuing_body"):
        assert field not in meta
        assert field not in meta["confidence"]


def test_duplicate_key_ignores_spelling_differences() -> None:
    a = duplicate_key("05", "UBND-VP", "ỦY BAN NHÂN DÂN QUẬN TÂY HỒ")
    b = duplicate_key("5", "ubnd-vp", "UBND QUẬN TÂY HỒ")
    assert a == b == "5|ubnd-vp|uy ban nhan dan quan tay ho"
    assert duplicate_key("5", "UBND-VP", None) is None
    assert describe_text(LETTER)["duplicate_key"] == describe_text(LETTER_OCR)["duplicate_key"]


def test_word_confidences_lower_field_confidence() -> None:
    words = [[Word("05/UBND-VP", 30.0, (0, 0, 10, 10)), Word("Tây", 95.0, (0, 0, 10, 10))]]
    plain = describe_text(LETTER)
    with_words = describe_text(LETTER, words=words)
    assert with_words["confidence"]["doc_number"] < plain["confidence"]["doc_number"]


# --- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\f\n ",
        "\x00\x01\x02\xff" * 200,
        "ÿþ\ufffd\ufffd\ufffd%PDF-1.4 \x89PNG\r\n" * 50,
        "12345 678 / - .",
    ],
)
def test_bad_input_gives_empty_result(text: str) -> None:
    meta = describe_text(text)
    assert meta["language"] == "unknown"
    assert not {"doc_number", "issue_date", "issuing_body", "subject"} & set(meta)


def test_huge_text_is_read_head_and_tail() -> None:
    filler = "Nội dung báo cáo chi tiết về tình hình quản lý đất đai trên địa bàn phường.\n" * 700_000
    meta = describe_text(DECISION.replace("QUYẾT ĐỊNH:\n", "QUYẾT ĐỊNH:\n" + filler))
    assert meta["doc_number"] == "88/QĐ-UBND"
    assert meta["signer_name"] == "Nguyễn Thị Thu Hà"


def test_non_string_input() -> None:
    assert describe_text(None)["language"] == "unknown"  # type: ignore[arg-type]


def test_city_body_name_is_not_a_number_cue() -> None:
    # `HÀ NỘI` folds to `ha noi`: `no` followed by a letter is not `No.:`
    text = DECISION.replace(
        "UBND HUYỆN ĐÔNG ANH\nỦY BAN NHÂN DÂN\nXÃ UY NỖ", "ỦY BAN NHÂN DÂN\nTHÀNH PHỐ HÀ NỘI"
    )
    meta = describe_text(text)
    assert meta["issuing_body"] == "ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI"
    assert "parent_body" not in meta
    assert meta["doc_number"] == "88/QĐ-UBND"


def test_closest_title_wins() -> None:
    # `THÔNG BÁO` is one letter from `THÔNG CÁO` (TC): the closest title is taken
    text = LETTER.replace("Số: 05/UBND-VP", "Số: 05/TB-UBND").replace(
        "V/v tăng cường quản lý trật tự\nxây dựng trên địa bàn phường Quảng An\n", ""
    )
    text = text.replace(
        "Kính gửi: Ủy ban nhân dân phường Quảng An.", "THÔNG BÁO\nVề việc kiểm tra công trình"
    )
    meta = describe_text(text)
    assert (meta["doc_type_code"], meta["doc_type"]) == ("TB", "Thông báo")
    assert meta["confidence"]["doc_type_code"] > 0.9


# --- type title, subject, addressees -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "code", "lang"),
    [
        ("QUYẾT ĐỊNH", "QĐ", "vi"),
        ("QUYÉT ĐỊNH", "QĐ", "vi"),  # OCR: É for Ế
        ("TỜ TRlNH", "TTr", "vi"),
        ("GIẤY CHỨNG NHẬN", "GCN", "vi"),
        ("KÉ HOẠCH", "KH", "vi"),
        ("NOTICE", "TB", "en"),
        ("DECISION", "QĐ", "en"),
        ("_— GIẤY MỜI", "GM", "vi"),
        ("THÔNG BÁO", "TB", "vi"),
    ],
)
def test_title_variants(line: str, code: str, lang: str) -> None:
    from pipeline.metadata.doctypes import title_code

    assert title_code(line) == (code, lang)


def test_title_is_not_a_body_line() -> None:
    from pipeline.metadata.doctypes import title_code

    assert title_code("Quyết định này có hiệu lực kể từ ngày ký.") is None
    assert title_code("CHỦ TỊCH ỦY BAN NHÂN DÂN QUẬN TÂY HỒ") is None


@pytest.mark.parametrize(
    ("lines", "subject"),
    [
        (
            [
                "Về việc thu hồi đất để thực hiện dự án cải tạo,",
                "mở rộng đường Âu Cơ",
                "CHỦ TỊCH ỦY BAN NHÂN DÂN",
            ],
            "Về việc thu hồi đất để thực hiện dự án cải tạo, mở rộng đường Âu Cơ",
        ),
        (
            [
                "Kết quả công tác quản lý trật tự xây dựng quý III",
                "năm 2024",
                "Thực hiện Kế hoạch số 12/KH-UBND ...",
            ],
            "Kết quả công tác quản lý trật tự xây dựng quý III năm 2024",
        ),
        (
            [
                "Dự hội nghị triển khai công tác cấp Giấy",
                "chứng nhận quyền sử dụng đất",
                "Ủy ban nhân dân phường trân trọng kính mời:",
            ],
            "Dự hội nghị triển khai công tác cấp Giấy chứng nhận quyền sử dụng đất",
        ),
        (
            ["Tuyên truyền, phổ biến pháp luật về đất đai năm 2025", "I. MỤC ĐÍCH, YÊU CẦU"],
            "Tuyên truyền, phổ biến pháp luật về đất đai năm 2025",
        ),
        (
            ["—", "Thực hiện phong trào Bình dân học vụ số trên địa bàn phường", "Quảng An", "1. Nội dung"],
            "Thực hiện phong trào Bình dân học vụ số trên địa bàn phường Quảng An",
        ),
        (
            [
                "Hộ gia đình văn hóa năm 2024",
                "Các tổ dân phố tổ chức tuyên truyền, vận động nhân dân chấp hành nghiêm các quy định",
            ],
            "Hộ gia đình văn hóa năm 2024",
        ),
    ],
)
def test_subject_after_title(lines: list[str], subject: str) -> None:
    from pipeline.metadata.subject import parse_subject_after_title

    found = parse_subject_after_title(lines, 0)
    assert found is not None and found[0] == subject


@pytest.mark.parametrize(
    ("lines", "subject"),
    [
        (
            ["V/v đề nghị cấp Giấy chứng nhận", "quyền sử dụng đất cho hộ gia đình"],
            "V/v đề nghị cấp Giấy chứng nhận quyền sử dụng đất cho hộ gia đình",
        ),
        (["V/V trả lời đơn của công dân"], "V/v trả lời đơn của công dân"),
        (["Vv số hóa hồ sơ lưu trữ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"], "V/v số hóa hồ sơ lưu trữ"),
        (["V/ số hóa hồ sơ, tài liệu lưu trữ"], "V/v số hóa hồ sơ, tài liệu lưu trữ"),
    ],
)
def test_subject_of_cong_van(lines: list[str], subject: str) -> None:
    from pipeline.metadata.subject import parse_vv

    found = parse_vv(lines)
    assert found is not None and found[0] == subject


def test_addressees_single_and_list() -> None:
    from pipeline.metadata.subject import parse_addressees

    assert parse_addressees(["Kính gửi: Công an quận Tây Hồ."], 0, 5) == (["Công an quận Tây Hồ"], 0.9)
    found = parse_addressees(
        ["Kính gửi:", "- Ủy ban nhân dân quận Tây Hồ;", "- Phòng Tư pháp quận.", "Căn cứ ..."], 0, 5
    )
    assert found is not None and found[0] == ["Ủy ban nhân dân quận Tây Hồ", "Phòng Tư pháp quận"]


def test_closing_with_ocr_bullets_and_specks() -> None:
    lines = [
        "Trên đây là báo cáo của Ủy ban nhân dân phường./.",
        "Nơi nhận:",
        "nhận:",
        "~ UBND phường Hạ Đình;",
        "= Thường trực Quận ủy; - Chủ tịch, các PCT UBND;",
        "~ Lưu: VI; TCKH.",
        "TRƯỞNG PHÒNG",
        "“NNz",
        "Lương Tiến Lộc",
    ]
    recipients, signer_block = parse_closing(lines)
    assert recipients is not None
    assert recipients[0] == [
        "UBND phường Hạ Đình",
        "Thường trực Quận ủy",
        "Chủ tịch, các PCT UBND",
        "Lưu: VT, TCKH",
    ]
    signer = parse_signer(signer_block)
    assert (signer["signer_title"][0], signer["signer_name"][0]) == ("TRƯỞNG PHÒNG", "Lương Tiến Lộc")


def test_wrapped_codes_of_the_archive_line() -> None:
    recipients, signer_block = parse_closing(
        ["Nơi nhận:", "- Như trên;", "- Lưu: VT,", "TCKH.", "TRƯỞNG PHÒNG", "Lê An"]
    )
    assert recipients is not None and recipients[0] == ["Như trên", "Lưu: VT, TCKH"]
    assert parse_signer(signer_block)["signer_title"][0] == "TRƯỞNG PHÒNG"


def test_signer_block_read_as_one_line() -> None:
    out = parse_signer(["TM. ỦY BAN NHÂN DÂN PHÓ CHỦ TỊCH KT. CHỦ TỊCH `", "9", "Đính Thu Hương"])
    assert out["signer_authority"][0] == ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"]
    assert out["signer_title"][0] == "PHÓ CHỦ TỊCH"
    assert out["signer_name"][0] == "Đinh Thu Hương"


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(max_size=80),
            st.sampled_from(
                DECISION.splitlines() + LETTER_OCR.splitlines() + ["\f", "Số:", "ngày", "Nơi nhận:"]
            ),
        ),
        max_size=40,
    )
)
def test_describe_never_raises(parts: list[str]) -> None:
    meta = describe_text("\n".join(parts))
    assert meta["language"] in ("vi", "en", "mixed", "unknown")
    assert set(meta["confidence"]) <= set(meta)
    assert all(0.0 <= v <= 1.0 for v in meta["confidence"].values())
