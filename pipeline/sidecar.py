"""Optional sidecar metadata a district office uploads next to a scan (`<name>.json`).

It carries what the office already knows and the page never shows (file code, box, retention). It is
validated strictly: an invalid sidecar quarantines its record with the reason, so the office can fix it.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from core.errors import InputError

MAX_SIDECAR_BYTES = 64 * 1024


class InvalidSidecarError(InputError):
    reason = "invalid_sidecar"
    hint = "fix or remove the sidecar JSON next to the scan and upload it again"


def _not_a_boolean(value: Any) -> Any:
    # JSON `true` would otherwise pass as the count 1
    if isinstance(value, bool):
        raise ValueError("must be a whole number, not true/false")
    return value


Count = Annotated[int, BeforeValidator(_not_a_boolean)]


class Sidecar(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, str_max_length=2000)

    file_code: str | None = Field(None, description="mã hồ sơ")
    box_number: str | None = Field(None, description="số hộp / cặp")
    sheet_number: str | None = None
    retention_period: str | None = Field(None, description="thời hạn bảo quản, e.g. 'Vĩnh viễn', '20 năm'")
    access_mode: str | None = Field(None, description="chế độ sử dụng, e.g. 'Công khai', 'Hạn chế'")
    district: str | None = None
    commune: str | None = None
    issuing_body: str | None = None
    doc_number: str | None = None
    doc_type_code: str | None = None
    issue_date: date | None = None
    subject: str | None = None
    signer_name: str | None = None
    notes: str | None = None
    # archival elements no page shows (pipeline.exports.CONFIG_KEYS): per document, over the batch config
    doc_order: Count | None = Field(None, ge=1, description="số thứ tự văn bản trong hồ sơ")
    organ_id: str | None = Field(None, description="mã định danh cơ quan lưu trữ (phông)")
    info_sign: str | None = Field(None, description="ký hiệu thông tin")
    keyword: str | None = Field(None, description="từ khóa")
    description: str | None = Field(None, description="ghi chú")
    autograph: str | None = Field(None, description="bút tích")
    physical_state: str | None = Field(None, description="tình trạng vật lý")
    confidence_level: str | None = Field(None, description="mức độ tin cậy")
    urgency: str | None = Field(None, description="mức độ khẩn")
    drafting_unit: str | None = Field(None, description="đơn vị soạn thảo")
    issued_amount: Count | None = Field(None, ge=1, description="số lượng bản phát hành")
    due_date: date | None = Field(None, description="hạn xử lý")
    risk_recovery: str | None = Field(None, description="chế độ dự phòng: 1 có, 0 không")
    risk_recovery_status: str | None = Field(None, description="tình trạng dự phòng: 01 đã, 02 chưa")
    process: str | None = Field(None, description="quy trình xử lý: 1 có file luồng xử lý đi kèm")


def sidecar_key(key: str) -> str:
    """`a/b/scan.pdf` -> `a/b/scan.json`."""
    head, _, name = key.rpartition("/")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{head}/{stem}.json" if head else f"{stem}.json"


def parse_sidecar(data: bytes, key: str) -> dict[str, Any]:
    if len(data) > MAX_SIDECAR_BYTES:
        raise InvalidSidecarError(f"sidecar is {len(data)} bytes, the limit is {MAX_SIDECAR_BYTES}", path=key)
    try:
        raw = json.loads(data.decode("utf-8-sig"))  # Notepad saves with a BOM
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:  # deep nesting too
        raise InvalidSidecarError(f"sidecar is not valid UTF-8 JSON: {exc}", path=key) from exc
    if not isinstance(raw, dict):
        raise InvalidSidecarError("sidecar must be a JSON object", path=key)
    try:
        return Sidecar.model_validate(raw).model_dump(mode="json", exclude_none=True)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'root'}: {e['msg']}" for e in exc.errors()[:5]
        )
        raise InvalidSidecarError(f"sidecar fields invalid: {problems}", path=key) from exc


def merge_sidecar(extracted: dict[str, Any], sidecar: dict[str, Any]) -> dict[str, Any]:
    """Sidecar values win; the extracted ones they replace are kept under `extracted`."""
    merged = dict(extracted)
    replaced = {}
    for field, value in sidecar.items():
        if field in merged and merged[field] != value:
            replaced[field] = merged[field]
        merged[field] = value
    if replaced:
        merged["extracted"] = replaced
    merged.setdefault("confidence", {})
    merged["confidence"] = {**merged["confidence"], **dict.fromkeys(sidecar, 1.0)}
    return merged
