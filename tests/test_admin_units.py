"""Old units found in text, and their successors after 1 July 2025 (Resolution 1656/NQ-UBTVQH15).

The mapping data comes from the `vietnamadminunits` package; these tests pin the Hanoi cases the
issue names: a ward merged whole, a ward split between several new units, a former district.
"""

from __future__ import annotations

from typing import Any

from pipeline.units.data import gazetteer
from pipeline.units.mapping import map_to_new
from pipeline.units.mentions import find_mentions
from pipeline.units.names import restore_unit_names
from pipeline.units.resolve import UnitEvidence, resolve_old_unit

HN = "Thành phố Hà Nội"


def _old(bodies: list[str], text: str, place: str | None = None) -> tuple[dict[str, Any] | None, float]:
    return resolve_old_unit(UnitEvidence(tuple(bodies), text, place))


def _names(unit: dict) -> set[str]:
    return {c["commune"] for c in unit["candidates"]}


def test_gazetteer_counts_for_hanoi() -> None:
    gaz = gazetteer()
    districts = [d for d in gaz.districts.values() if d.province_key == "thanhphohanoi"]
    communes = [c for c in gaz.communes.values() if c.district.province_key == "thanhphohanoi"]
    new = [n for n in gaz.new_communes.values() if n.province_key == "thanhphohanoi"]
    assert (len(districts), len(communes), len(new)) == (30, 526, 126)
    assert sum(n.type == "phường" for n in new) == 51
    assert sum(n.type == "xã" for n in new) == 75


def test_ward_merged_whole() -> None:
    new, conf = map_to_new({"province": HN, "district": "Ba Đình", "commune": "Trúc Bạch"})
    assert new is not None
    assert (new["commune_type"], new["commune"], new["province"]) == ("phường", "Ba Đình", HN)
    assert new["ambiguous"] is False
    assert conf > 0.9


def test_commune_merged_whole() -> None:
    new, _ = map_to_new({"province": HN, "district": "Gia Lâm", "commune": "Kiêu Kỵ", "commune_type": "xã"})
    assert new is not None and (new["commune_type"], new["commune"]) == ("xã", "Gia Lâm")


def test_split_ward_returns_every_candidate() -> None:
    new, conf = map_to_new({"province": HN, "district": "Hoàn Kiếm", "commune": "Hàng Bông"})
    assert new is not None
    assert new["ambiguous"] is True and new["reason"] == "split"
    assert "commune" not in new  # no silent pick
    assert _names(new) == {"Hoàn Kiếm", "Cửa Nam"}
    assert conf <= 0.5
    new, _ = map_to_new({"province": HN, "district": "Cầu Giấy", "commune": "Nghĩa Đô"})
    assert new is not None and _names(new) == {"Nghĩa Đô", "Ngọc Hà", "Tây Hồ"}


def test_former_district_lists_its_successors() -> None:
    new, conf = map_to_new({"province": HN, "district_type": "quận", "district": "Cầu Giấy"})
    assert new is not None
    assert new["ambiguous"] is True and new["reason"] == "district_only"
    assert {"Cầu Giấy", "Nghĩa Đô", "Yên Hòa"} <= _names(new)
    assert conf < 0.5


def test_unknown_unit_maps_to_nothing() -> None:
    assert map_to_new({"province": HN, "district": "Không Có", "commune": "Không Có"}) == (None, 0.0)
    assert map_to_new(None) == (None, 0.0)


def test_mentions_vietnamese_and_english() -> None:
    found = find_mentions(
        "Ủy ban nhân dân phường Nguyễn Trung\nTrực, quận Ba Đình; PEOPLE'S COMMITTEE OF NGHIA DO WARD"
    )
    got = [(m.level, m.text_name) for m in found]
    assert ("commune", "Nguyễn Trung Trực") in got
    assert ("district", "Ba Đình") in got
    assert ("commune", "Nghia Do") in got


def test_personal_names_are_not_units() -> None:
    # `Phương` and `Quân` are given names, not `phường` / `quận`
    assert find_mentions("ông (bà) Lê Phương Mai và Trần Quân Hà Đông") == []


def test_commune_issuer_district_from_gazetteer() -> None:
    unit, conf = _old(["ỦY BAN NHÂN DÂN PHƯỜNG KHƯƠNG MAI"], "Thông báo của phường.")
    assert unit is not None
    assert (unit["district"], unit["commune"], unit["commune_type"]) == ("Thanh Xuân", "Khương Mai", "phường")
    assert conf > 0.9


def test_district_issuer_commune_from_body() -> None:
    text = "Giao Ủy ban nhân dân phường Quảng An kiểm tra. Công an phường Quảng An phối hợp. Sở Tư pháp."
    unit, _ = _old(["ỦY BAN NHÂN DÂN QUẬN TÂY HỒ"], text)
    assert unit is not None and (unit["district"], unit["commune"]) == ("Tây Hồ", "Quảng An")


def test_same_commune_name_in_two_districts_needs_a_district() -> None:
    # thị trấn and xã Yên Viên are both in Gia Lâm; the type word decides
    unit, _ = _old(["ỦY BAN NHÂN DÂN HUYỆN GIA LÂM"], "UBND thị trấn Yên Viên báo cáo.")
    assert unit is not None and (unit["commune_type"], unit["commune"]) == ("thị trấn", "Yên Viên")


def test_former_name_merged_before_2025_keeps_the_printed_name() -> None:
    # phường Sài Đồng was merged into Phúc Lợi before 2025; documents still carry its name
    unit, _ = _old(["ỦY BAN NHÂN DÂN PHƯỜNG SÀI ĐỒNG"], "")
    assert unit is not None
    assert (unit["district"], unit["commune"]) == ("Long Biên", "Sài Đồng")
    assert unit["merged_into"] == "phường Phúc Lợi"
    new, _ = map_to_new(unit)
    assert new is not None


def test_restore_unit_names() -> None:
    assert restore_unit_names("ỦY BAN NHÂN DÂN PHƯỜNG CỰ KHÔI") == "ỦY BAN NHÂN DÂN PHƯỜNG CỰ KHỐI"
    assert restore_unit_names("UBND QUẬN NAM TƯ LIEM") == "UBND QUẬN NAM TỪ LIÊM"
    assert restore_unit_names("UBND THÀNH PHỐ HA NỘI") == "UBND THÀNH PHỐ HÀ NỘI"
    # English names stay as printed
    assert restore_unit_names("PEOPLE'S COMMITTEE OF NGHIA DO WARD") == "PEOPLE'S COMMITTEE OF NGHIA DO WARD"


def test_document_of_a_new_ward_after_july_2025() -> None:
    from pipeline.describe import describe_text

    text = """ỦY BAN NHÂN DÂN
PHƯỜNG CẦU GIẤY
Số: 15/TB-UBND
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Hà Nội, ngày 20 tháng 8 năm 2025
THÔNG BÁO
Về việc tiếp nhận hồ sơ đất đai tại Trung tâm phục vụ hành chính công phường
Ủy ban nhân dân phường Cầu Giấy thông báo việc tiếp nhận hồ sơ của khu vực phường Dịch Vọng cũ.
Nơi nhận:
- Lưu: VT.
CHỦ TỊCH
Lê Minh Quân
"""
    meta = describe_text(text)
    new = meta["admin_unit_new"]
    assert (new["commune_type"], new["commune"], new["ambiguous"]) == ("phường", "Cầu Giấy", False)
    assert meta["admin_unit_old"]["commune"] == "Dịch Vọng"


def test_commune_name_shared_by_provinces_uses_place_and_default_province() -> None:
    gaz = gazetteer()
    assert len({c.district.province_key for c in gaz.commune_index["quangtrung"]}) > 1
    # no province named anywhere: the archive's province (Hanoi); the date line's place picks the district
    unit, _ = _old(["ỦY BAN NHÂN DÂN PHƯỜNG QUANG TRUNG"], "Thông báo lịch tiếp dân.", place="Hà Đông")
    assert unit is not None
    assert (unit["province"], unit["district"], unit["commune"]) == (HN, "Hà Đông", "Quang Trung")


# --- commune names in other forms: former names, address abbreviations, OCR slips ---------------------


def test_former_names_fold_to_keywords_of_their_district() -> None:
    # the table of former names with diacritics must spell, letter for letter, a keyword the package
    # keeps for a commune of that district: a typo in the table could never match
    from pipeline.textnorm import squash
    from pipeline.units.data import FORMER_NAMES

    gaz = gazetteer()
    for district, names in FORMER_NAMES.items():
        for name in names:
            hits = [
                c
                for c in gaz.commune_index.get(squash(name), [])
                if c.district.name == district and not gaz.is_primary(squash(name), c)
            ]
            assert len(hits) == 1, (district, name)


def test_former_name_printed_without_diacritics_gets_them_back() -> None:
    # English page of a commune merged into Bát Tràng before 2025: the gazetteer only knows `dongdu`
    unit, conf = _old(
        ["PEOPLE'S COMMITTEE OF DONG DU COMMUNE", "HANOI PEOPLE'S COMMITTEE"], "", place="Gia Lam"
    )
    assert unit is not None
    assert (unit["district"], unit["commune_type"], unit["commune"]) == ("Gia Lâm", "xã", "Đông Dư")
    assert unit["merged_into"] == "xã Bát Tràng"
    assert 0.7 <= conf < 0.95
    # the same from the body of a district's letter, and OCR that lost a mark in a Vietnamese header
    unit, _ = _old(
        ["PEOPLE'S COMMITTEE OF GIA LAM DISTRICT"], "The Kim Lan Commune People's Committee shall report."
    )
    assert unit is not None and (unit["commune"], unit["merged_into"]) == ("Kim Lan", "xã Kim Đức")
    unit, _ = _old(["ỦY BAN NHÂN DÂN PHƯỜNG SAI ĐỒNG"], "")
    assert unit is not None and unit["commune"] == "Sài Đồng"
    unit, _ = _old(["UBND QUẬN ĐỐNG ĐA"], "Giao UBND phường Ngã Tư Sờ kiểm tra.")
    assert unit is not None and (unit["commune"], unit["merged_into"]) == ("Ngã Tư Sở", "phường Thịnh Quang")
    assert restore_unit_names("ỦY BAN NHÂN DÂN PHƯỜNG SAI ĐỒNG") == "ỦY BAN NHÂN DÂN PHƯỜNG SÀI ĐỒNG"
    # `dongdu` is also xã Đồng Du (Hà Nam): without context the header is left as printed
    assert restore_unit_names("ỦY BAN NHÂN DÂN XÃ DONG DU") == "ỦY BAN NHÂN DÂN XÃ DONG DU"


def test_address_abbreviations_name_the_commune() -> None:
    district_body = ["ỦY BAN NHÂN DÂN QUẬN CẦU GIẤY"]
    for text in (
        "Công trình tại số 12 ngõ 5, P. Dịch Vọng, Q. Cầu Giấy.",
        "Công trình tại số 12 ngõ 5, P.Dịch Vọng, Q.Cầu Giấy.",
        "Giao UBND P.DỊCH VỌNG kiểm tra.",
    ):
        unit, _ = _old(district_body, text)
        assert unit is not None and (unit["commune_type"], unit["commune"]) == ("phường", "Dịch Vọng"), text
    for text in ("Giao UBND TT. Trâu Quỳ kiểm tra.", "Giao UBND TT Trâu Quỳ kiểm tra.", "UBND TT.Trâu Quỳ"):
        unit, _ = _old(["ỦY BAN NHÂN DÂN HUYỆN GIA LÂM"], text)
        assert unit is not None and (unit["commune_type"], unit["commune"]) == ("thị trấn", "Trâu Quỳ"), text
    unit, _ = _old(["SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG"], "thửa đất tại X. Kiêu Kỵ, H. Gia Lâm")
    assert unit is not None and (unit["district"], unit["commune"]) == ("Gia Lâm", "Kiêu Kỵ")
    got = [(m.level, m.text_name) for m in find_mentions("số 3, P.Trúc Bạch, Q.Ba Đình, TX. Sơn Tây")]
    assert got == [("commune", "Trúc Bạch"), ("district", "Ba Đình"), ("district", "Sơn Tây")]


def test_ocr_slip_in_a_commune_name_of_the_known_district() -> None:
    district_body = ["ỦY BAN NHÂN DÂN QUẬN CẦU GIẤY"]
    for text in (
        "Giao Ủy ban nhân dân phường Dịch Vọngg kiểm tra.",
        "Giao Ủy ban nhân dân phường Dich V0ng kiểm tra.",
        "Giao Ủy ban nhân dân phường Dịch\nVọnq kiểm tra.",
        "The Dich Vonq Ward People's Committee shall inspect.",
    ):
        unit, conf = _old(district_body, text)
        assert unit is not None and unit["commune"] == "Dịch Vọng", text
        assert conf < 0.7  # below an exact mention
    # a lone `l` or `I` after the name is the digit 1 (`Mỹ Đình l`)
    unit, _ = _old(["UBND QUẬN NAM TỪ LIÊM"], "Công an phường Mỹ Đình l phối hợp.")
    assert unit is not None and unit["commune"] == "Mỹ Đình 1"
    # the issuing body itself, with the district from the date line's place
    unit, conf = _old(["ỦY BAN NHÂN DÂN PHƯỜNG DỊCH VQNG"], "", place="Cầu Giấy")
    assert unit is not None and (unit["district"], unit["commune"]) == ("Cầu Giấy", "Dịch Vọng")
    assert 0.7 < conf < 0.95


def test_no_commune_is_guessed_when_the_text_names_none() -> None:
    # `Mỹ Đình` without its number is 1 or 2; `xã hội` is not a commune; a bare `phường` names none
    for body, text in (
        (["UBND QUẬN NAM TỪ LIÊM"], "Giao UBND phường Mỹ Đình kiểm tra."),
        (
            ["ỦY BAN NHÂN DÂN QUẬN NAM TỪ LIÊM"],
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nBảo đảm an sinh xã hội. Khai báo tạm trú với Công an "
            "phường trong vòng 12 giờ. Foreigners staying in the ward must declare their residence.",
        ),
        (["PEOPLE'S COMMITTEE", "OF HOAN KIEM DISTRICT"], "The results shall be reported to the Ward."),
    ):
        unit, conf = _old(body, text)
        assert unit is not None and "commune" not in unit, (body, text)
        assert conf == 0.6


# --- issue 12: a town's English name, a ward name several districts share, the upload prefix ----------


def _hinted(bodies: list[str], text: str, hint: str | None) -> tuple[dict[str, Any] | None, float]:
    return resolve_old_unit(UnitEvidence(tuple(bodies), text, None, hint))


def test_english_town_is_a_district_level_town() -> None:
    # thị xã Sơn Tây is `Son Tay Town` in English; thị trấn Trâu Quỳ is a `Town` too, at commune level
    unit, _ = _old(["PEOPLE'S COMMITTEE OF SON TAY TOWN"], "The Town People's Committee requests ...")
    assert unit is not None and (unit["district_type"], unit["district"]) == ("thị xã", "Sơn Tây")
    unit, _ = _old(["PEOPLE'S COMMITTEE OF TRAU QUY TOWN"], "")
    assert unit is not None and (unit["district"], unit["commune_type"], unit["commune"]) == (
        "Gia Lâm",
        "thị trấn",
        "Trâu Quỳ",
    )


def _shared_names() -> dict[tuple[str, str], list[str]]:
    """Hanoi commune names (type, name) that several former districts have, with those districts."""
    gaz = gazetteer()
    names: dict[tuple[str, str], list[str]] = {}
    for c in gaz.communes.values():
        if c.district.province_key == "thanhphohanoi":
            names.setdefault((c.type, c.name), []).append(c.district.name)
    return {k: v for k, v in names.items() if len(v) > 1}


def test_shared_name_alone_gives_every_candidate_never_a_pick() -> None:
    unit, conf = _old(["ỦY BAN NHÂN DÂN PHƯỜNG MINH KHAI"], "Thông báo lịch tiếp công dân.")
    assert unit is not None and unit["ambiguous"] is True and "district" not in unit
    assert (unit["commune_type"], unit["commune"]) == ("phường", "Minh Khai")
    assert {c["district"] for c in unit["candidates"]} == {"Bắc Từ Liêm", "Hai Bà Trưng"}
    assert conf <= 0.5
    new, _ = map_to_new(unit)
    assert new is not None and new["ambiguous"] is True and new["reason"] == "name_in_several_districts"
    assert len(new["candidates"]) >= 2


def test_upload_prefix_settles_every_shared_name() -> None:
    # every Hanoi commune name that several former districts share, from each of its districts' offices
    from storage.districts import slugify

    shared = _shared_names()
    assert len(shared) >= 10
    for (kind, name), districts in shared.items():
        for district in districts:
            unit, conf = _hinted([f"ỦY BAN NHÂN DÂN {kind.upper()} {name.upper()}"], "", slugify(district))
            assert unit is not None, (name, district)
            assert (unit["district"], unit["commune"], unit["source"]) == (district, name, "upload_prefix")
            assert conf <= 0.8


def test_upload_prefix_never_overrides_the_text() -> None:
    # the parent body names the district: the prefix of another office changes nothing
    unit, _ = _hinted(["ỦY BAN NHÂN DÂN PHƯỜNG MINH KHAI", "UBND QUẬN BẮC TỪ LIÊM"], "", "hai-ba-trung")
    assert unit is not None and (unit["district"], unit["source"]) == ("Bắc Từ Liêm", "text")
    # another ward of the text settles it before the prefix is asked
    text = "Phối hợp với UBND phường Vĩnh Tuy kiểm tra."
    unit, _ = _hinted(["ỦY BAN NHÂN DÂN PHƯỜNG MINH KHAI"], text, "bac-tu-liem")
    assert unit is not None and (unit["district"], unit["source"]) == ("Hai Bà Trưng", "text")
    # the prefix of a district that has no such ward: still every candidate
    unit, _ = _hinted(["ỦY BAN NHÂN DÂN PHƯỜNG MINH KHAI"], "", "cau-giay")
    assert unit is not None and unit["ambiguous"] is True
    # a name only one district has is not touched by the prefix
    unit, _ = _hinted(["ỦY BAN NHÂN DÂN PHƯỜNG DỊCH VỌNG"], "", "hai-ba-trung")
    assert unit is not None and (unit["district"], unit["source"]) == ("Cầu Giấy", "text")


def test_upload_prefix_finds_a_misread_ward_among_its_own() -> None:
    text = "Giao UBND phường Dịch Vọngg kiểm tra hiện trạng công trình."
    assert _old(["SỞ XÂY DỰNG"], text)[0] is None  # no district known: nothing guessed
    unit, _ = _hinted(["SỞ XÂY DỰNG"], text, "cau-giay")
    assert unit is not None and (unit["commune"], unit["source"]) == ("Dịch Vọng", "upload_prefix")


def test_every_upload_prefix_names_its_district() -> None:
    from storage.districts import load_districts

    gaz = gazetteer()
    for d in load_districts():
        found = gaz.district_by_slug(d.slug)
        assert found is not None and found.name == d.short_name, d.slug
    assert gaz.district_by_slug("no-such-district") is None


def test_describe_text_passes_the_hint() -> None:
    from pipeline.describe import describe_text

    text = """UBND THÀNH PHỐ HÀ NỘI
SỞ TÀI NGUYÊN
VÀ MÔI TRƯỜNG
Số: 149/QĐ-STNMT
Hà Nội, ngày 05 tháng 3 năm 2024
QUYẾT ĐỊNH
Về việc thu hồi đất tại xã Đông Xuân
"""
    assert describe_text(text)["admin_unit_old"]["ambiguous"] is True
    meta = describe_text(text, district_hint="soc-son")
    assert (meta["admin_unit_old"]["district"], meta["admin_unit_old"]["source"]) == (
        "Sóc Sơn",
        "upload_prefix",
    )
    assert meta["admin_unit_new"]["ambiguous"] is False


def test_province_names_are_whole_words_and_not_a_wards_name() -> None:
    from pipeline.units.mentions import provinces_in

    # phường Điện Biên (Ba Đình) is not tỉnh Điện Biên; `xã Xuân Giang` does not hide `An Giang`
    assert provinces_in("UBND QUẬN BA ĐÌNH ; UBND PHƯỜNG ĐIỆN BIÊN") == {}
    assert provinces_in("- Công an xã Xuân Giang;") == {}
    assert provinces_in("Dien Bien Ward People's Committee") == {}
    assert set(provinces_in("Sở Nội vụ tỉnh Điện Biên; HANOI PEOPLE'S COMMITTEE")) == {
        "tinhdienbien",
        "thanhphohanoi",
    }
    unit, _ = _old(["UBND PHƯỜNG ĐIỆN BIÊN", "UBND QUẬN BA ĐÌNH"], "Địa chỉ: phường Điện Biên, quận Ba Đình")
    assert unit is not None and (unit["district"], unit["commune"]) == ("Ba Đình", "Điện Biên")
