"""Exports in the national field sets, as JSON and CSV per batch.

(a) `decree30_record`: the input fields of document management, Decree 30/2020/NĐ-CP appendix VI.
(b) `archival_record`: the document elements of Circular 05/2025/TT-BNV's submission package (EAD_doc,
    21 elements), with readable values; `pipeline.archival.circular05` writes them with the Circular's
    codes and date format.

Values that the page shows come from our metadata; values that never appear on a page (file code,
retention period, access mode, organ id, ...) come from the record's sidecar or the batch's
configuration, in that order, and are left empty when neither gives them: never invented.
The mapping table is in docs/metadata.md.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ocr.model import TEXT_LAYER

LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "Tiếng Anh", "mixed": "Tiếng Việt, Tiếng Anh"}

# Our batch-config / sidecar keys (see pipeline.sidecar.Sidecar) for values the page never shows.
CONFIG_KEYS = (
    "file_code",  # mã hồ sơ
    "doc_order",  # số thứ tự văn bản trong hồ sơ
    "organ_id",  # mã định danh cơ quan lưu trữ (phông)
    "retention_period",  # thời hạn bảo quản
    "access_mode",  # chế độ sử dụng
    "info_sign",  # ký hiệu thông tin
    "keyword",  # từ khóa
    "description",  # ghi chú
    "autograph",  # bút tích
    "physical_state",  # tình trạng vật lý
    "confidence_level",  # mức độ tin cậy
    "urgency",  # mức độ khẩn
    "drafting_unit",  # đơn vị soạn thảo
    "issued_amount",  # số lượng bản phát hành
    "due_date",  # hạn xử lý
    "risk_recovery",  # chế độ dự phòng
    "risk_recovery_status",  # tình trạng dự phòng
    "process",  # quy trình xử lý
)
# mức độ tin cậy when neither sidecar nor config says: from where the pages' text came (a PDF's own
# text layer is an electronic original; OCR of a scan is a digitized copy)
BORN_DIGITAL, DIGITIZED, MIXED_ORIGIN = "Gốc điện tử", "Số hóa", "Hỗn hợp"

# Decree 30/2020/NĐ-CP appendix VI, in its order (the outgoing-document list); SignerInfo in two columns
DECREE30_APPENDIX_FIELDS = [
    "FileCode", "DocOrdinal", "TypeName", "CodeNumber", "CodeNotation", "IssuedDate", "OrganName", "Subject",
    "Language", "PageAmount", "Description", "SignerInfo.Position", "SignerInfo.FullName", "To", "Priority",
    "IssuedAmount", "DueDate",
]  # fmt: skip
DECREE30_FIELDS = [*DECREE30_APPENDIX_FIELDS, "Keyword", "DraftingUnit", "IssuedPlace"]
# the column headers an archivist reads (the appendix's own names for the fields)
DECREE30_HEADERS_VI = {
    "FileCode": "Mã hồ sơ",
    "DocOrdinal": "Số thứ tự văn bản trong hồ sơ",
    "TypeName": "Tên loại văn bản",
    "CodeNumber": "Số của văn bản",
    "CodeNotation": "Ký hiệu của văn bản",
    "IssuedDate": "Ngày, tháng, năm văn bản",
    "OrganName": "Tên cơ quan, tổ chức ban hành văn bản",
    "Subject": "Trích yếu nội dung",
    "Language": "Ngôn ngữ",
    "PageAmount": "Số lượng trang của văn bản",
    "Description": "Ghi chú",
    "SignerInfo.Position": "Chức vụ người ký",
    "SignerInfo.FullName": "Họ và tên người ký",
    "To": "Nơi nhận",
    "Priority": "Độ khẩn",
    "IssuedAmount": "Số lượng bản phát hành",
    "DueDate": "Hạn xử lý",
    "Keyword": "Từ khóa",
    "DraftingUnit": "Đơn vị soạn thảo",
    "IssuedPlace": "Địa danh",
}
# Circular 05/2025/TT-BNV, EAD_doc of a submission package (appendices III and IV): 21 elements, in order
ARCHIVAL_FIELDS = [
    "docId", "docCode", "maintenance", "typeName", "codeNumber", "codeNotation", "issuedDate", "organName",
    "subject", "language", "numberOfPage", "inforSign", "keyword", "mode", "confidenceLevel", "autograph",
    "format", "riskRecovery", "riskRecoveryStatus", "process", "description",
]  # fmt: skip


def confidence_level(record: Mapping[str, Any]) -> str:
    """Gốc điện tử when every page was read from the PDF's own text, Hỗn hợp when some were, else Số hóa."""
    sources = set(record.get("text_sources") or ())
    if TEXT_LAYER in sources:
        return BORN_DIGITAL if sources == {TEXT_LAYER} else MIXED_ORIGIN
    return DIGITIZED


def _settings(record: Mapping[str, Any], config: Mapping[str, Any] | None) -> dict[str, Any]:
    """Sidecar (per record) over batch configuration over what the record itself says."""
    merged: dict[str, Any] = {"confidence_level": confidence_level(record)}
    merged.update({k: v for k, v in (config or {}).items() if v not in (None, "")})
    sidecar = record.get("sidecar") or {}
    if sidecar.get("notes") and not sidecar.get("description"):
        sidecar = {**sidecar, "description": sidecar["notes"]}
    merged.update({k: v for k, v in sidecar.items() if v not in (None, "")})
    return merged


def _n_pages(meta: Mapping[str, Any]) -> int | None:
    """The record's page count, else the number of pages the language detail saw."""
    if meta.get("n_pages"):
        return int(meta["n_pages"])
    pages = (meta.get("language_detail") or {}).get("pages")
    return len(pages) if pages else None


def _signer_position(meta: Mapping[str, Any]) -> str | None:
    """`KT. CHỦ TỊCH` / `PHÓ CHỦ TỊCH`: the authority lines and the title, as signed."""
    parts = [*(meta.get("signer_authority") or []), meta.get("signer_title")]
    text = " ".join(str(p) for p in parts if p)
    return text or None


def decree30_record(meta: Mapping[str, Any], config: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Decree 30/2020/NĐ-CP, appendix VI: document-management input fields."""
    cfg = _settings(meta, config)
    lang = meta.get("language")
    return {
        "FileCode": cfg.get("file_code"),
        "DocOrdinal": cfg.get("doc_order"),
        "TypeName": meta.get("doc_type"),
        "CodeNumber": meta.get("doc_number_seq"),
        "CodeNotation": meta.get("doc_symbol"),
        "IssuedDate": meta.get("issue_date"),
        "OrganName": meta.get("issuing_body"),
        "Subject": meta.get("subject"),
        "Language": LANGUAGE_NAMES.get(str(lang)) if lang else None,
        "PageAmount": _n_pages(meta),
        "Description": cfg.get("description"),
        "SignerInfo": {"Position": _signer_position(meta), "FullName": meta.get("signer_name")},
        "To": list(meta.get("recipients") or []),
        "Priority": cfg.get("urgency"),
        "IssuedAmount": cfg.get("issued_amount"),
        "DueDate": cfg.get("due_date"),
        "Keyword": cfg.get("keyword"),
        "DraftingUnit": cfg.get("drafting_unit"),
        "IssuedPlace": meta.get("issue_place"),
    }


def _ordinal(order: Any) -> int | None:
    text = str(order or "").strip()
    return int(text) if text.isdigit() and int(text) > 0 else None


def archival_record(meta: Mapping[str, Any], config: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Circular 05/2025/TT-BNV document elements (readable values). Its identifiers come from the hồ
    sơ: `docId` = file code + `.` + the document's place in it, `docCode` the same place on 7 digits."""
    cfg = _settings(meta, config)
    lang = meta.get("language")
    file_code, order = cfg.get("file_code"), _ordinal(cfg.get("doc_order"))
    known = bool(file_code and order)
    return {
        "docId": f"{file_code}.{order}" if known else None,
        "docCode": f"{file_code}.{order:07d}" if known else None,
        "maintenance": cfg.get("retention_period"),
        "typeName": meta.get("doc_type"),
        "codeNumber": meta.get("doc_number_seq"),
        "codeNotation": meta.get("doc_symbol"),
        "issuedDate": meta.get("issue_date"),
        "organName": meta.get("issuing_body"),
        "subject": meta.get("subject"),
        "language": LANGUAGE_NAMES.get(str(lang)) if lang else None,
        "numberOfPage": _n_pages(meta),
        "inforSign": cfg.get("info_sign"),
        "keyword": cfg.get("keyword"),
        "mode": cfg.get("access_mode"),
        "confidenceLevel": cfg.get("confidence_level"),
        "autograph": cfg.get("autograph"),
        "format": cfg.get("physical_state"),
        "riskRecovery": cfg.get("risk_recovery"),
        "riskRecoveryStatus": cfg.get("risk_recovery_status"),
        "process": cfg.get("process"),
        "description": cfg.get("description"),
    }


def flat_row(record: Mapping[str, Any], columns: list[str]) -> dict[str, str]:
    """One table row: nested fields by dotted column name (`SignerInfo.Position`), lists joined `; `."""
    row: dict[str, str] = {}
    for col in columns:
        value: Any = record
        for part in col.split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
        if isinstance(value, list):
            value = "; ".join(str(v) for v in value)
        row[col] = "" if value is None else str(value)
    return row


def write_batch(
    records: Iterable[Mapping[str, Any]],
    out_dir: Path,
    config: Mapping[str, Any] | None = None,
    name: str = "batch",
) -> dict[str, Path]:
    """Write `<name>.decree30.{json,csv}` and `<name>.archival.{json,csv}`; return the paths.

    Each record is a `describe_text` result plus optional `file`, `n_pages` and `sidecar`.
    The CSVs are UTF-8 with a BOM so that spreadsheet programs show the Vietnamese letters.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    d30: list[dict[str, Any]] = []
    arc: list[dict[str, Any]] = []
    for rec in records:
        source = {"file": rec.get("file")} if rec.get("file") else {}
        d30.append({**source, **decree30_record(rec, config)})
        arc.append({**source, **archival_record(rec, config)})
    paths: dict[str, Path] = {}
    for kind, rows, columns in (("decree30", d30, DECREE30_FIELDS), ("archival", arc, ARCHIVAL_FIELDS)):
        jpath = out_dir / f"{name}.{kind}.json"
        jpath.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
        cpath = out_dir / f"{name}.{kind}.csv"
        cols = ["file", *columns]
        with cpath.open("w", encoding="utf-8-sig", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=cols)
            writer.writeheader()
            for row in rows:
                writer.writerow(flat_row(row, cols))
        paths[f"{kind}_json"], paths[f"{kind}_csv"] = jpath, cpath
    return paths
