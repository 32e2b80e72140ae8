from __future__ import annotations

import json

import pytest

from pipeline.sidecar import InvalidSidecarError, merge_sidecar, parse_sidecar, sidecar_key


def test_sidecar_key_replaces_the_extension() -> None:
    assert sidecar_key("cau-giay/2024/qd-123.pdf") == "cau-giay/2024/qd-123.json"
    assert sidecar_key("scan.tar.tif") == "scan.tar.json"
    assert sidecar_key("noext") == "noext.json"


def test_valid_sidecar_is_normalised() -> None:
    raw = {
        "file_code": " HS-01 ",
        "box_number": "12",
        "issue_date": "2024-04-03",
        "retention_period": "Vĩnh viễn",
    }
    assert parse_sidecar(json.dumps(raw).encode(), "a/x.json") == {
        "file_code": "HS-01",
        "box_number": "12",
        "issue_date": "2024-04-03",
        "retention_period": "Vĩnh viễn",
    }


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"{not json", "not valid UTF-8 JSON"),
        (b"\xff\xfe\x00", "not valid UTF-8 JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (json.dumps({"box_number": ["a"]}).encode(), "box_number"),
        (json.dumps({"issue_date": "03/04/2024"}).encode(), "issue_date"),
        (json.dumps({"unknown_field": 1}).encode(), "unknown_field"),
        (b'{"notes": "' + b"x" * 70_000 + b'"}', "limit is"),
    ],
)
def test_invalid_sidecars_are_refused_with_the_reason(data: bytes, message: str) -> None:
    with pytest.raises(InvalidSidecarError, match=message) as info:
        parse_sidecar(data, "a/x.json")
    assert "a/x.json" in str(info.value)
    assert info.value.reason == "invalid_sidecar"


def test_sidecar_wins_and_extracted_values_are_kept() -> None:
    extracted = {"doc_number": "123/QĐ-UBND", "subject": "Về việc ...", "confidence": {"doc_number": 0.8}}
    merged = merge_sidecar(extracted, {"doc_number": "124/QĐ-UBND", "file_code": "HS-01"})
    assert merged["doc_number"] == "124/QĐ-UBND"
    assert merged["extracted"] == {"doc_number": "123/QĐ-UBND"}
    assert merged["file_code"] == "HS-01" and merged["subject"] == "Về việc ..."
    assert merged["confidence"]["doc_number"] == 1.0


def test_sidecar_saved_with_a_bom_is_accepted() -> None:
    assert parse_sidecar(b'\xef\xbb\xbf{"box_number": "3"}', "a/x.json") == {"box_number": "3"}


def test_every_archival_config_key_may_come_from_a_sidecar() -> None:
    """What the exports read from the batch config may also come per document from the sidecar: the
    sidecar model accepts each of those keys, and the exports show the sidecar's value."""
    from pipeline.exports import CONFIG_KEYS, archival_record, decree30_record

    typed = {"doc_order": 3, "issued_amount": 12, "due_date": "2024-05-01"}
    raw = {key: typed.get(key, f"giá trị {key}") for key in CONFIG_KEYS}
    sidecar = parse_sidecar(json.dumps(raw).encode(), "a/x.json")
    assert set(sidecar) == set(CONFIG_KEYS)
    record = {"doc_number": "12/QĐ-UBND", "issue_date": "2024-04-03", "sidecar": sidecar}
    arc, d30 = archival_record(record, {"organ_id": "batch-organ"}), decree30_record(record)
    assert arc["docId"] == "giá trị file_code.3"  # the sidecar wins over the batch
    assert arc["docCode"] == "giá trị file_code.0000003"
    assert arc["riskRecovery"] == "giá trị risk_recovery" and arc["process"] == "giá trị process"
    assert arc["mode"] == "giá trị access_mode" and arc["format"] == "giá trị physical_state"
    assert d30["Priority"] == "giá trị urgency" and d30["DraftingUnit"] == "giá trị drafting_unit"
