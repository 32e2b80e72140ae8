"""The web application's rules without servers: corrections applied over a reprocessed document, the
review score, what a correction sets in the index document, passwords, the login limit, redirects."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from pipeline.document import corrected_fields
from search.corrections import CHECKED, Correction, display, overlay
from search.query import split_highlight
from search.review import page_quality, review_state
from search.users import DUMMY_HASH, hash_password, verify_password
from storage.districts import is_district_identity
from web.auth import LoginLimiter
from web.guard import safe_next
from web.record_view import field_rows, page_rows, reason_labels


def machine_doc(number: str = "123/QĐ-UBND", etag: str = "e1") -> dict[str, Any]:
    return {
        "record_id": "r1",
        "etag": etag,
        "doc_number": number,
        "doc_number_norm": number.replace("Đ", "D"),
        "issue_date": "2024-04-03",
        "issuing_body": "Ủy ban nhân dân phường Dịch Vọng",
        "doc_type": "Quyết định",
        "subject": "Về việc thu hồi đất",
        "metadata_confidence": {"doc_number": 0.6, "issue_date": 0.9, "issuing_body": 0.9, "subject": 0.8},
        "ocr": {"low_conf": False, "n_low_conf_pages": 0, "low_conf_pages": []},
        "pages": [{"page_no": 1, "text": "Số: 123/QĐ-UBND", "mean_conf": 90.0, "low_conf_share": 0.05}],
        "sidecar": None,
    }


def correction(field: str, value: str, at: str = "2026-01-01T00:00:00+00:00") -> Correction:
    return Correction(
        record_id="r1", by="editor.a", at=at, field=field, value=value, patch=corrected_fields(field, value)
    )


def test_overlay_keeps_the_correction_and_the_new_machine_value_beside_it() -> None:
    fixed = correction("doc_number", "124/QĐ-UBND")
    first = overlay(machine_doc(), {"doc_number": fixed})
    assert first["doc_number"] == "124/QĐ-UBND" and first["doc_number_norm"] == "124/QD-UBND"
    assert first["doc_number_seq"] == "124" and first["doc_symbol"] == "QĐ-UBND"
    assert first["corrections"]["doc_number"]["machine_value"] == "123/QĐ-UBND"
    assert first["metadata_confidence"]["doc_number"] == 1.0
    assert first["corrected_fields"] == ["doc_number"]
    # reprocessing reads the page differently: the correction still wins, the new reading is kept beside it
    again = overlay(machine_doc(number="128/QĐ-UBND"), {"doc_number": fixed})
    assert again["doc_number"] == "124/QĐ-UBND"
    assert again["corrections"]["doc_number"]["machine_value"] == "128/QĐ-UBND"


def test_a_second_correction_keeps_the_machine_value_not_the_first_correction() -> None:
    doc = overlay(machine_doc(), {"doc_number": correction("doc_number", "124/QĐ-UBND")})
    doc = overlay(doc, {"doc_number": correction("doc_number", "125/QĐ-UBND")})
    assert doc["doc_number"] == "125/QĐ-UBND"
    assert doc["corrections"]["doc_number"]["machine_value"] == "123/QĐ-UBND"


def test_a_check_survives_reprocessing_only_for_the_same_version_of_the_scan() -> None:
    mark = Correction(record_id="r1", by="editor.a", at="2026-01-02T00:00:00+00:00", kind=CHECKED, etag="e1")
    same = overlay(machine_doc(etag="e1"), {CHECKED: mark})
    assert same["review"]["checked_by"] == "editor.a"
    new_version = overlay(machine_doc(etag="e2"), {CHECKED: mark})
    assert "checked_by" not in new_version["review"]


def test_review_score_puts_poor_pages_and_missing_fields_first() -> None:
    good = machine_doc()
    poor = copy.deepcopy(good)
    poor["pages"][0].update(mean_conf=40.0, low_conf_share=0.6)
    poor["ocr"] = {"low_conf": True, "n_low_conf_pages": 1, "low_conf_pages": [1]}
    poor["doc_number"] = None
    good_state, poor_state = review_state(good), review_state(poor)
    assert poor_state["score"] < good_state["score"]
    assert poor_state["needed"] and {"low_conf_pages", "missing:doc_number"} <= set(poor_state["reasons"])
    assert "field:doc_number" in good_state["reasons"]  # 0.6 < 0.7: worth a look


def test_page_quality_prefers_the_ocr_page_score_when_there_is_one() -> None:
    assert page_quality({"mean_conf": 90.0, "low_conf_share": 0.4}) == pytest.approx(0.6)
    assert page_quality({"mean_conf": 90.0, "quality": 0.3}) == 0.3
    assert page_quality({"text": ""}) is None


@pytest.mark.parametrize(
    ("field", "value"),
    [("doc_number", "không phải số"), ("issue_date", "2024"), ("doc_type_code", "XYZ"), ("subject", "  ")],
)
def test_corrected_fields_refuse_values_that_cannot_be_the_field(field: str, value: str) -> None:
    with pytest.raises(ValueError):
        corrected_fields(field, value)


def test_corrected_fields_build_the_companions_search_uses() -> None:
    assert corrected_fields("issue_date", "03/04/2024") == {"issue_date": "2024-04-03"}
    assert corrected_fields("doc_type_code", "thong bao")["doc_type_code"] == "TB"
    assert corrected_fields("subject", "Về việc")["subject_folded"] == "Ve viec"
    unit = corrected_fields("admin_unit_new", "phường Cầu Giấy")["admin_unit_new"]
    assert "cau giay" in unit["names_norm"] and unit["label"].startswith("phường Cầu Giấy")
    with pytest.raises(ValueError):
        corrected_fields("text", "anything")  # only the Decree 30 fields


def test_display_of_values() -> None:
    assert display({"label": "phường Cầu Giấy"}) == "phường Cầu Giấy"
    assert display(["a", "b"]) == "a; b"
    assert display("") is None and display(None) is None


def test_field_rows_say_where_each_value_came_from() -> None:
    doc = overlay(machine_doc(), {"doc_number": correction("doc_number", "124/QĐ-UBND")})
    doc["sidecar"] = {"issuing_body": "Ủy ban nhân dân phường Dịch Vọng"}
    rows = {r.name: r for r in field_rows(doc)}
    assert rows["doc_number"].source == "corrected" and rows["doc_number"].correction["by"] == "editor.a"
    assert rows["issuing_body"].source == "sidecar"
    assert rows["subject"].source == "page" and rows["subject"].confidence == 0.8
    assert rows["signer_name"].source == "none"
    pages = page_rows({**doc, "ocr": {"low_conf_pages": [1]}}, {1: "Số: <em>123</em>"})
    assert pages[0].poor and pages[0].highlighted == "Số: <em>123</em>"
    assert reason_labels(["missing:doc_number"]) == ["Số, ký hiệu văn bản: không đọc được"]


def test_split_highlight_marks_only_the_matched_words() -> None:
    assert split_highlight("a <em>thu hồi</em> <b>") == [("a ", False), ("thu hồi", True), (" <b>", False)]


def test_passwords_are_salted_argon2_and_short_ones_refused() -> None:
    h = hash_password("mat-khau-dai-du")
    assert h.startswith("$argon2id$") and h != hash_password("mat-khau-dai-du")
    assert verify_password(h, "mat-khau-dai-du") and not verify_password(h, "sai")
    assert not verify_password("not a hash", "x") and not verify_password(DUMMY_HASH, "")
    with pytest.raises(ValueError):
        hash_password("ngan")


def test_district_identities_are_not_people() -> None:
    assert is_district_identity("sohoa-cau-giay") and is_district_identity("SOHOA-PIPELINE")
    assert is_district_identity("cau-giay") and is_district_identity("phuong-cau-giay")  # a commune too
    assert not is_district_identity("nguyen.van.a")


def test_login_limiter_blocks_after_the_allowed_failures_per_name_and_address() -> None:
    limiter = LoginLimiter(attempts=3, window=60)
    for _ in range(3):
        assert not limiter.blocked("10.0.0.1", "a")
        limiter.failed("10.0.0.1", "a")
    assert limiter.blocked("10.0.0.1", "a")
    assert not limiter.blocked("10.0.0.2", "a")  # another address
    assert not limiter.blocked("10.0.0.1", "b")  # another name, until the address's own limit
    for name in "bcdefghij":
        limiter.failed("10.0.0.1", name)
    assert limiter.blocked("10.0.0.1", "z")  # 4x the attempts from one address


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/records/x?q=a", "/records/x?q=a"),
        ("//evil.example/", "/"),
        ("https://evil.example", "/"),
        (None, "/"),
    ],
)
def test_login_redirects_only_within_the_site(value: str | None, expected: str) -> None:
    assert safe_next(value) == expected


def test_unreadable_corrections_keep_records_from_being_indexed() -> None:
    """Elasticsearch away: every document gets a failed result (the sink marks it failed, the next run
    does it again) rather than being indexed without its corrections."""
    from core.retry import RetryBudget
    from search.client import make_client
    from search.corrections import apply_corrections

    es = make_client("http://127.0.0.1:9", timeout=2)  # nothing listens on the discard port
    docs = [machine_doc(), {**machine_doc(), "record_id": "r2"}]
    refused = apply_corrections(es, docs, index="sohoa-audit", budget=RetryBudget(max_wait=0))
    assert set(refused) == {"r1", "r2"}
    assert all(not r.ok and r.reason_code == "es_unavailable" for r in refused.values())
    assert "corrections" not in docs[0]  # untouched
