"""National field-set exports: Decree 30 appendix VI and the archival standard, JSON and CSV."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from pipeline.exports import ARCHIVAL_FIELDS, DECREE30_FIELDS, archival_record, decree30_record, write_batch

META = {
    "file": "tayho/2024/cv-05.pdf",
    "n_pages": 2,
    "issuing_body": "ỦY BAN NHÂN DÂN QUẬN TÂY HỒ",
    "doc_number": "05/UBND-VP",
    "doc_number_seq": "05",
    "doc_symbol": "UBND-VP",
    "doc_type": "Công văn",
    "doc_type_code": "CV",
    "issue_place": "Tây Hồ",
    "issue_date": "2024-03-12",
    "subject": "V/v tăng cường quản lý trật tự xây dựng",
    "signer_name": "Trần Quốc Bảo",
    "signer_title": "PHÓ CHỦ TỊCH",
    "signer_authority": ["KT. CHỦ TỊCH"],
    "recipients": ["Như trên", "Lưu: VT, QLĐT"],
    "language": "vi",
}


def test_decree30_fields_from_the_page() -> None:
    rec = decree30_record(META)
    assert rec["CodeNumber"] == "05"
    assert rec["CodeNotation"] == "UBND-VP"
    assert rec["IssuedDate"] == "2024-03-12"
    assert rec["TypeName"] == "Công văn"
    assert rec["OrganName"] == "ỦY BAN NHÂN DÂN QUẬN TÂY HỒ"
    assert rec["Language"] == "Tiếng Việt"
    assert rec["PageAmount"] == 2
    assert rec["SignerInfo"] == {"Position": "KT. CHỦ TỊCH PHÓ CHỦ TỊCH", "FullName": "Trần Quốc Bảo"}
    assert rec["To"] == ["Như trên", "Lưu: VT, QLĐT"]


def test_fields_not_on_the_page_are_never_invented() -> None:
    rec = archival_record(META)
    for key in ("docId", "docCode", "maintenance", "mode", "inforSign", "keyword", "autograph", "format"):
        assert rec[key] is None, key
    assert decree30_record(META)["FileCode"] is None


def test_config_then_sidecar_fill_archival_fields() -> None:
    config = {
        "organ_id": "H26.21",
        "retention_period": "20 năm",
        "access_mode": "Công khai",
        "file_code": "HS-01",
    }
    meta = {**META, "sidecar": {"retention_period": "Vĩnh viễn", "doc_order": "7"}}
    rec = archival_record(meta, config)
    assert rec["maintenance"] == "Vĩnh viễn"  # the sidecar wins over the batch
    assert rec["mode"] == "Công khai"
    assert rec["docId"] == "HS-01.7"  # the hồ sơ's code and the document's place in it
    assert rec["docCode"] == "HS-01.0000007"  # the same place on seven digits
    assert rec["confidenceLevel"] == "Số hóa"
    assert rec["numberOfPage"] == 2
    assert (rec["codeNumber"], rec["codeNotation"], rec["organName"]) == (
        "05",
        "UBND-VP",
        META["issuing_body"],
    )


def test_missing_metadata_gives_empty_values() -> None:
    rec = decree30_record({"language": "unknown"})
    assert rec["CodeNumber"] is None and rec["Language"] is None and rec["To"] == []


def test_write_batch_json_and_csv(tmp_path: Path) -> None:
    paths = write_batch(
        [META, {"file": "bad.pdf", "language": "unknown"}], tmp_path, {"organ_id": "H26"}, "b1"
    )
    data = json.loads(paths["decree30_json"].read_text(encoding="utf-8"))
    assert [r["file"] for r in data] == ["tayho/2024/cv-05.pdf", "bad.pdf"]
    with paths["archival_csv"].open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["file", *ARCHIVAL_FIELDS]
    assert rows[0]["codeNotation"] == "UBND-VP"
    assert rows[0]["language"] == "Tiếng Việt"
    assert rows[1]["codeNumber"] == ""
    with paths["decree30_csv"].open(encoding="utf-8-sig", newline="") as f:
        d30 = list(csv.DictReader(f))
    assert list(d30[0]) == ["file", *DECREE30_FIELDS]
    assert d30[0]["SignerInfo.FullName"] == "Trần Quốc Bảo"
    assert d30[0]["To"] == "Như trên; Lưu: VT, QLĐT"
