"""The index document of a record: the one place a `RecordResult` becomes what Elasticsearch stores.

The inputs are typed (the record model, the OCR pages); only the metadata is a dict, the one
`describe_text` and the sidecar produce, so each of its values is normalised on the way in. Metadata
fields the mapping does not know yet are kept in `extra` (a flattened field) instead of failing the
record against the strict mapping. Every field is described in docs/search.md.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from ocr.model import PageResult
from pipeline.metadata.doctypes import TYPE_BY_CODE
from pipeline.metadata.number import parse_number
from pipeline.record import PIPELINE_VERSION, Derivatives, RecordResult
from pipeline.units.assign import resolve_new_unit
from pipeline.units.resolve import UnitEvidence, resolve_old_unit
from search.folding import fold, norm_code, norm_name
from search.query import parse_date_bound
from search.review import review_state

__all__ = [
    "CORRECTABLE_FIELDS",
    "UNRESOLVED_UNIT",
    "corrected_fields",
    "index_document",
    "object_path",
    "unit_label",
]

# Label of a unit that could not be settled (an old unit split between new ones, a commune name several
# former districts share): a real bucket in the Kibana charts instead of a hidden missing value.
UNRESOLVED_UNIT = "(chưa xác định)"

# Metadata fields with a place in the mapping; anything else goes to `extra`.
_TEXT_FIELDS = ("issuing_body", "parent_body", "subject", "signer_name", "doc_type")
_PLAIN_FIELDS = (
    "doc_number",
    "doc_number_seq",
    "doc_symbol",
    "doc_type_code",
    "issue_place",
    "signer_title",
    "language",
    "duplicate_key",
)
_LIST_FIELDS = ("signer_authority", "recipients", "addressees")
_KNOWN_META = {
    *_TEXT_FIELDS,
    *_PLAIN_FIELDS,
    *_LIST_FIELDS,
    "issue_date",
    "admin_unit_old",
    "admin_unit_new",
    "received_number",
    "received_date",
    "signature_box",
    "language_detail",
    "confidence",
}


def object_path(bucket: str | None, key: str | None) -> str | None:
    """`bucket/key`, the value behind Kibana's URL formatter (never a presigned URL)."""
    return f"{bucket}/{key}" if bucket and key else None


def _nfc(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return unicodedata.normalize("NFC", text) if text else None


def _str_list(value: Any) -> list[str]:
    if value is None:
        return []
    items = [value] if isinstance(value, str | int | float) else value
    if not isinstance(items, Iterable) or isinstance(items, Mapping):
        return []
    return [s for s in (_nfc(v) for v in items if not isinstance(v, Mapping | list)) if s]


def _iso_date(value: Any) -> str | None:
    """An ISO date or None: a sidecar's odd date must not become a mapping error for the whole record."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10]).isoformat()
        except ValueError:
            return None
    return None


_LEVELS = (("commune_type", "commune"), ("district_type", "district"), (None, "province"))


def unit_label(unit: Mapping[str, Any] | None) -> str | None:
    """Human label, smallest unit first: `phường Dịch Vọng, quận Cầu Giấy, Thành phố Hà Nội`."""
    if not isinstance(unit, Mapping):
        return None
    if unit.get("label") or unit.get("name"):
        return _nfc(unit.get("label") or unit.get("name"))
    parts = []
    for type_key, name_key in _LEVELS:
        name = _nfc(unit.get(name_key))
        if name:
            kind = _nfc(unit.get(type_key)) if type_key else None
            parts.append(f"{kind} {name}" if kind else name)
    return ", ".join(parts) or None


def _unit_names(unit: Mapping[str, Any]) -> set[str]:
    """Every way an archivist may name the unit in a filter, normalised (`dich vong`, `phuong dich vong`)."""
    names: set[str] = set()
    for type_key, name_key in _LEVELS:
        name = _nfc(unit.get(name_key))
        if not name:
            continue
        names.add(norm_name(name))
        kind = _nfc(unit.get(type_key)) if type_key else None
        if kind:
            names.add(norm_name(f"{kind} {name}"))
    for key in ("label", "name", "code"):
        if unit.get(key):
            names.add(norm_name(str(unit[key])))
    return {n for n in names if n}


_UNIT_KEYS = ("province", "district_type", "district", "commune_type", "commune", "code", "level")
# how the unit was found (old: text | upload_prefix | issuing body; new: the mapping's data) and why it is
# not one unit (split, district_only, name_in_several_districts, outside_hanoi)
_UNIT_FACTS = ("source", "reason")


def _unit(unit: Any) -> dict[str, Any] | None:
    """An old or new unit. When it cannot be settled the extractor gives `candidates`: all of them are
    searchable (names_norm), so a filter by any candidate still finds the record, and the label says
    `(chưa xác định)` (a real bucket in Kibana's charts instead of a hidden missing value)."""
    if not isinstance(unit, Mapping):
        return None
    candidates = [c for c in unit.get("candidates") or [] if isinstance(c, Mapping | str)]
    resolved = any(_nfc(unit.get(k)) for k in ("commune", "label", "name", "code"))
    out: dict[str, Any] = {k: _nfc(unit.get(k)) for k in (*_UNIT_KEYS, *_UNIT_FACTS) if _nfc(unit.get(k))}
    names = _unit_names(unit)
    labels = []
    for cand in candidates:
        if isinstance(cand, str):
            labels.append(_nfc(cand))
            names.add(norm_name(cand))
        else:
            labels.append(unit_label(cand))
            names |= _unit_names(cand)
    out["candidates"] = [lab for lab in labels if lab]
    out["ambiguous"] = bool(unit.get("ambiguous")) or (
        not resolved and bool(out["candidates"]) and len(out["candidates"]) != 1
    )
    out["outside_hanoi"] = bool(unit.get("outside_hanoi"))
    if out["ambiguous"]:
        out["label"] = UNRESOLVED_UNIT
    elif resolved or not out["candidates"]:
        out["label"] = unit_label(unit)
    else:
        out["label"] = out["candidates"][0]
    out["names_norm"] = sorted(n for n in names if n)
    return out


def _page(page: PageResult) -> dict[str, Any]:
    text = _nfc(page.text) or ""
    return {
        "page_no": page.page_no,
        "text": text,
        "text_folded": fold(text),
        "mean_conf": page.mean_conf,
        "low_conf_share": page.low_conf_share,
        "quality": page.quality,
        "coverage": page.coverage,
        "reading": page.reading,
        "error": page.error,
        "text_source": page.text_source,
        "layer_rejected": page.layer_rejected,
    }


def _ocr(result: RecordResult) -> dict[str, Any]:
    poor = result.poor_pages
    timings = {k: round(v, 3) for k, v in result.timings.items()}
    return {
        "mean_conf": result.mean_conf,
        "low_conf_pages": poor,
        "n_low_conf_pages": len(poor),
        "low_conf": bool(poor),
        "steps": result.applied_steps,
        # not indexed (enabled: false): each page's measurements, for technicians
        "steps_detail": [{"page_no": p.page_no, "steps": p.steps} for p in result.pages],
        "timings": timings,
        "total_seconds": timings.get("total", sum(timings.values())),
    }


def _metadata_fields(meta: Mapping[str, Any]) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    for name in _TEXT_FIELDS:
        value = _nfc(meta.get(name))
        doc[name] = value
        doc[f"{name}_folded"] = fold(value) if value else None
    for name in _PLAIN_FIELDS:
        doc[name] = _nfc(meta.get(name))
    for name in _LIST_FIELDS:
        doc[name] = _str_list(meta.get(name))
    doc["doc_number_norm"] = norm_code(doc["doc_number"]) or None
    doc["doc_type_code_norm"] = norm_name(doc["doc_type_code"]) or None
    doc["issue_date"] = _iso_date(meta.get("issue_date"))
    doc["admin_unit_old"] = _unit(meta.get("admin_unit_old"))
    doc["admin_unit_new"] = _unit(meta.get("admin_unit_new"))
    # the incoming-document stamp (Decree 30's incoming fields) and an e-signature box read on the page
    doc["received_number"] = _nfc(meta.get("received_number"))
    doc["received_date"] = _iso_date(meta.get("received_date"))
    box = meta.get("signature_box") if isinstance(meta.get("signature_box"), Mapping) else {}
    fields = {k: _nfc(box.get(k)) for k in ("organization", "signer", "email", "time")}
    doc["signature_box"] = fields if any(fields.values()) else None
    doc["language_detail"] = meta.get("language_detail")
    conf = meta.get("confidence") if isinstance(meta.get("confidence"), Mapping) else {}
    doc["metadata_confidence"] = {
        str(k): float(v) for k, v in conf.items() if isinstance(v, int | float) and not isinstance(v, bool)
    }
    extra = {k: v for k, v in meta.items() if k not in _KNOWN_META and v not in (None, "", [], {})}
    doc["extra"] = {"metadata": extra} if extra else None
    return doc


def index_document(
    result: RecordResult,
    *,
    run_id: str,
    derivatives: Derivatives,
    processed_at: datetime | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """One Elasticsearch document for one processed object."""
    source = result.source
    pages = [_page(p) for p in result.pages]
    text = _nfc(result.text) or ""
    doc: dict[str, Any] = {
        "record_id": source.id,
        "bucket": source.bucket,
        "key": source.key,
        "etag": source.etag.strip('"') or None,
        "size": source.size,
        "mime": result.mime,
        "district": source.district or None,
        "n_pages": result.n_pages,
        "n_pages_failed": sum(1 for p in result.pages if not p.ok),
        "text": text,
        "text_folded": fold(text),
        "pages": pages,
        # integrity is checked, trust never (the national CA's chain, offline): see the mapping
        "signatures": [sig.to_dict() for sig in result.signatures],
        **_metadata_fields(result.metadata),
        "sidecar": dict(result.sidecar) or None,
        "ocr": _ocr(result),
        "pipeline_version": PIPELINE_VERSION,
        "processed_at": (processed_at or now or datetime.now(UTC)).isoformat(),
        "indexed_at": (now or datetime.now(UTC)).isoformat(),
        "run_id": run_id,
        "derivatives": {
            "processed_bucket": derivatives.processed_bucket,
            "pdf_key": derivatives.pdf_key,
            "text_key": derivatives.text_key,
            "json_key": derivatives.json_key,
        },
        "links": {
            "original": object_path(source.bucket, source.key),
            "pdf": object_path(derivatives.processed_bucket, derivatives.pdf_key),
        },
    }
    doc["status"] = _status(doc)
    doc["review"] = review_state(doc)
    return doc


def _status(doc: Mapping[str, Any]) -> str:
    """ok | partial (some pages failed) | no_text (nothing recognised) | low_confidence."""
    if not doc["text"].strip():
        return "no_text"
    if doc["n_pages_failed"]:
        return "partial"
    if doc["ocr"]["low_conf"]:
        return "low_confidence"
    return "ok"


# --- corrections: what a value typed by an editor sets in the index document ------------------------
# The Decree 30 fields an editor may correct, with their Vietnamese labels (the record page's order)
CORRECTABLE_FIELDS: dict[str, str] = {
    "parent_body": "Cơ quan chủ quản",
    "issuing_body": "Cơ quan ban hành",
    "doc_number": "Số, ký hiệu văn bản",
    "doc_type_code": "Loại văn bản",
    "issue_place": "Địa danh",
    "issue_date": "Ngày ban hành",
    "subject": "Trích yếu nội dung",
    "signer_title": "Chức vụ người ký",
    "signer_name": "Người ký",
    "recipients": "Nơi nhận",
    "admin_unit_old": "Đơn vị hành chính cũ",
    "admin_unit_new": "Đơn vị hành chính mới",
}


def _corrected_date(value: str) -> dict[str, Any]:
    text = value.strip()
    if not re.fullmatch(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{4}|\d{4}-\d{1,2}-\d{1,2}", text):
        raise ValueError(f"not a full date: {value!r} (write 03/04/2024 or 2024-04-03)")
    return {"issue_date": parse_date_bound(text, end=False)}


def _corrected_number(value: str) -> dict[str, Any]:
    number = " ".join(value.split())
    parts = parse_number(f"Số: {number}")
    if not parts or not parts.seq:
        raise ValueError(f"not a document number: {value!r} (write it as printed, e.g. 123/QĐ-UBND)")
    return {
        "doc_number": number,
        "doc_number_norm": norm_code(number) or None,
        "doc_number_seq": parts.seq,
        "doc_symbol": parts.symbol,
    }


def _corrected_type(value: str) -> dict[str, Any]:
    wanted = norm_name(value)
    for code, vi, _ in TYPE_BY_CODE.values():
        if wanted in (norm_name(code), norm_name(vi)):
            return {
                "doc_type_code": code,
                "doc_type_code_norm": norm_name(code),
                "doc_type": vi,
                "doc_type_folded": fold(vi),
            }
    raise ValueError(
        f"unknown document type {value!r} (a code such as QĐ, TB, CV or a name such as Quyết định)"
    )


def _corrected_unit(field: str, value: str) -> dict[str, Any]:
    name = " ".join(value.split())
    evidence = UnitEvidence((name,), name)
    unit = resolve_new_unit(evidence) if field == "admin_unit_new" else resolve_old_unit(evidence)[0]
    built = _unit(unit or {"label": name})
    if built is not None:
        built["names_norm"] = sorted({*built.get("names_norm", []), norm_name(name)})
    return {field: built}


def corrected_fields(field: str, value: str) -> dict[str, Any]:
    """The index fields that an editor's value for `field` sets: the field and its folded, normalised or
    split companions, exactly as `index_document` would have built them. ValueError for a value that
    cannot be that field (the form shows the message)."""
    if field not in CORRECTABLE_FIELDS:
        raise ValueError(f"{field!r} cannot be corrected")
    if not value or not value.strip():
        raise ValueError("the new value is empty")
    if field == "doc_number":
        return _corrected_number(value)
    if field == "issue_date":
        return _corrected_date(value)
    if field == "doc_type_code":
        return _corrected_type(value)
    if field in ("admin_unit_old", "admin_unit_new"):
        return _corrected_unit(field, value)
    if field in _LIST_FIELDS:
        return {field: _str_list([v for v in re.split(r"[\n;]", value) if v.strip()])}
    text = _nfc(value)
    out: dict[str, Any] = {field: text}
    if field in _TEXT_FIELDS:
        out[f"{field}_folded"] = fold(text) if text else None
    return out
