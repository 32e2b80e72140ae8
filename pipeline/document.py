"""The index document of a record: the one place a `RecordResult` becomes what Elasticsearch stores.

The inputs are typed (the record model, the OCR pages); only the metadata is a dict, the one
`describe_text` and the sidecar produce, so each of its values is normalised on the way in. Metadata
fields the mapping does not know yet are kept in `extra` (a flattened field) instead of failing the
record against the strict mapping. Every field is described in docs/search.md.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from ocr.model import PageResult
from pipeline.record import PIPELINE_VERSION, Derivatives, RecordResult
from search.folding import fold, norm_code, norm_name

__all__ = ["UNRESOLVED_UNIT", "index_document", "object_path", "unit_label"]

# Label of admin_unit_new when the old unit maps to several new ones or to none: a real bucket in the
# Kibana "per new unit" chart instead of a hidden missing value.
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


_UNIT_KEYS = ("province", "district_type", "district", "commune_type", "commune", "code")


def _unit_old(unit: Any) -> dict[str, Any] | None:
    if not isinstance(unit, Mapping):
        return None
    out: dict[str, Any] = {k: _nfc(unit.get(k)) for k in _UNIT_KEYS if _nfc(unit.get(k))}
    out["label"] = unit_label(unit)
    out["names_norm"] = sorted(_unit_names(unit))
    return out


def _unit_new(unit: Any) -> dict[str, Any] | None:
    """The new (post-July-2025) unit. When the mapping is ambiguous the pipeline gives `candidates`:
    all of them are searchable (names_norm) so a filter by any candidate still finds the record."""
    if not isinstance(unit, Mapping):
        return None
    candidates = [c for c in unit.get("candidates") or [] if isinstance(c, Mapping | str)]
    resolved = any(_nfc(unit.get(k)) for k in ("commune", "label", "name", "code"))
    out: dict[str, Any] = {k: _nfc(unit.get(k)) for k in _UNIT_KEYS if _nfc(unit.get(k))}
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
    out["ambiguous"] = bool(unit.get("ambiguous")) or (not resolved and len(out["candidates"]) != 1)
    if resolved and not unit.get("ambiguous"):
        out["label"] = unit_label(unit)
    elif len(out["candidates"]) == 1 and not unit.get("ambiguous"):
        out["label"] = out["candidates"][0]
    else:
        out["label"] = UNRESOLVED_UNIT
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
    doc["admin_unit_old"] = _unit_old(meta.get("admin_unit_old"))
    doc["admin_unit_new"] = _unit_new(meta.get("admin_unit_new"))
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
