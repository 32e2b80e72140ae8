"""What the record page shows, built from the index document: the Decree 30 fields with their confidence
and where each came from, the units, the pages. Plain functions: the template only lays them out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pipeline.document import CORRECTABLE_FIELDS
from search.corrections import display
from search.review import page_quality

__all__ = ["REASON_LABELS", "FieldRow", "PageRow", "field_rows", "page_rows"]

# confidence keys of the extractor, where they differ from the field's name
_CONF_KEY = {"doc_type_code": "doc_type"}
# sidecar keys (pipeline.sidecar.Sidecar) that give a field
_SIDECAR_KEY = {
    f: f for f in ("issuing_body", "doc_number", "doc_type_code", "issue_date", "subject", "signer_name")
}

REASON_LABELS = {
    "low_conf_pages": "trang đọc kém",
    "field": "độ tin cậy thấp",
    "missing": "không đọc được",
}


@dataclass(frozen=True)
class FieldRow:
    name: str
    label: str
    value: str | None
    confidence: float | None
    source: str  # page | sidecar | corrected | none
    correction: Mapping[str, Any] | None  # value, previous, machine_value, by, at, reason

    @property
    def source_label(self) -> str:
        return {
            "page": "đọc từ trang",
            "sidecar": "từ tệp kèm theo của đơn vị (sidecar)",
            "corrected": "đã được sửa",
            "none": "không tìm thấy",
        }[self.source]

    @property
    def low(self) -> bool:
        return self.source == "page" and self.confidence is not None and self.confidence < 0.7


def field_rows(doc: Mapping[str, Any]) -> list[FieldRow]:
    conf = doc.get("metadata_confidence") or {}
    corrections = doc.get("corrections") or {}
    sidecar = doc.get("sidecar") or {}
    rows = []
    for name, label in CORRECTABLE_FIELDS.items():
        value = display(doc.get(name))
        if name == "issue_date" and value and value.count("-") == 2:
            year, month, day = value.split("-")
            value = f"{day}/{month}/{year}"  # as Vietnamese write it (and as a correction may be typed)
        if name == "doc_type_code" and doc.get("doc_type"):
            value = f"{doc.get('doc_type')} ({doc.get(name)})" if doc.get(name) else doc.get("doc_type")
        c = conf.get(_CONF_KEY.get(name, name), conf.get(name))
        confidence = float(c) if isinstance(c, int | float) else None
        if name in corrections:
            source = "corrected"
        elif _SIDECAR_KEY.get(name) in sidecar:
            source = "sidecar"
        elif value:
            source = "page"
        else:
            source = "none"
        rows.append(FieldRow(name, label, value, confidence, source, corrections.get(name)))
    return rows


@dataclass(frozen=True)
class PageRow:
    page_no: int
    text: str
    highlighted: str | None  # the text with the search's words in <em>, when a search led here
    quality: float | None
    poor: bool
    error: str | None


def page_rows(doc: Mapping[str, Any], highlights: Mapping[int, str]) -> list[PageRow]:
    poor = set((doc.get("ocr") or {}).get("low_conf_pages") or [])
    rows = []
    for page in doc.get("pages") or []:
        n = int(page.get("page_no") or len(rows) + 1)
        rows.append(
            PageRow(
                page_no=n,
                text=page.get("text") or "",
                highlighted=highlights.get(n),
                quality=page_quality(page),
                poor=n in poor,
                error=page.get("error"),
            )
        )
    return rows


def reason_labels(reasons: list[str]) -> list[str]:
    """`missing:doc_number` → `Số, ký hiệu văn bản: không đọc được`."""
    labels = {**CORRECTABLE_FIELDS, "doc_type": "Loại văn bản"}
    out = []
    for r in reasons:
        kind, _, name = r.partition(":")
        text = REASON_LABELS.get(kind, kind)
        out.append(f"{labels.get(name, name)}: {text}" if name else text)
    return out
