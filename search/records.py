"""The record document: what the flows hand to `search`, and what goes into Elasticsearch.

`build_record_doc(record)` turns the flows' record dict (see docs/search.md, "Input record") into one
Elasticsearch document. It is tolerant: every metadata field may be missing, None or oddly typed, and
unknown metadata fields are kept in `extra` (a flattened field) instead of breaking the strict mapping.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from search.folding import fold, norm_code, norm_name

__all__ = [
    "LOW_CONF_THRESHOLD",
    "UNRESOLVED_UNIT",
    "build_record_doc",
    "object_path",
    "record_id",
    "unit_label",
]

# A page whose mean word confidence is below this counts as low confidence when the pipeline did not
# say which pages were (ocr.low_conf_pages wins when given).
LOW_CONF_THRESHOLD = 60.0
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


def record_id(bucket: str, key: str) -> str:
    """Stable document id of an object: the same (bucket, key) always gives the same id.

    The etag is deliberately *not* part of the id: a new version of an object (new etag) must replace
    the old document, not sit beside it. The etag is stored in the document and in the ledger, which is
    what decides whether an object needs processing again. A hash because S3 keys can be 1024 bytes
    and Elasticsearch ids at most 512; bucket names cannot hold a newline, so the join is unambiguous.
    """
    return hashlib.sha256(f"{bucket}\n{key}".encode()).hexdigest()[:40]


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
    """An ISO date string or None: a bad date must not turn into a mapping error for the whole record."""
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


def _iso_datetime(value: Any) -> str | None:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    if isinstance(value, str) and value.strip():
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).isoformat()
    return None


def _float(value: Any) -> float | None:
    try:
        return None if value is None or isinstance(value, bool) else float(value)
    except (TypeError, ValueError):
        return None


def _int(value: Any) -> int | None:
    try:
        return None if value is None or isinstance(value, bool) else int(value)
    except (TypeError, ValueError):
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


def _page(page: Mapping[str, Any], index: int) -> dict[str, Any]:
    text = _nfc(page.get("text")) or ""
    mean_conf = _float(page.get("mean_conf"))
    return {
        "page_no": _int(page.get("page_no")) or index + 1,
        "text": text,
        "text_folded": fold(text),
        "mean_conf": mean_conf,
        "low_conf_share": _float(page.get("low_conf_share")),
        "error": _nfc(page.get("error")),
        "text_source": _nfc(page.get("text_source")),
        "layer_rejected": _nfc(page.get("layer_rejected")),
    }


_SIGNATURE_KEYS = ("field", "signer", "organisation", "issuer", "serial", "integrity", "coverage", "trust")
_SIGNATURE_KEYS += ("kind", "subfilter", "reason", "location", "error")


def _signature(sig: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {k: _nfc(sig.get(k)) for k in _SIGNATURE_KEYS}
    out["signed_at"] = _iso_datetime(sig.get("signed_at"))
    out["covers_whole_file"] = bool(sig.get("covers_whole_file"))
    return out


def _ocr(ocr: Any, pages: list[dict[str, Any]]) -> dict[str, Any]:
    ocr = ocr if isinstance(ocr, Mapping) else {}
    mean_conf = _float(ocr.get("mean_conf"))
    if mean_conf is None:
        confs = [p["mean_conf"] for p in pages if p["mean_conf"] is not None]
        mean_conf = sum(confs) / len(confs) if confs else None
    low = ocr.get("low_conf_pages")
    if low is None:
        confs = [(p["page_no"], p["mean_conf"]) for p in pages if p["mean_conf"] is not None]
        low = [page_no for page_no, conf in confs if conf < LOW_CONF_THRESHOLD]
    low_pages = sorted({n for n in (_int(v) for v in low) if n is not None})
    timings_in = ocr.get("timings") if isinstance(ocr.get("timings"), Mapping) else {}
    timings = {str(k): f for k, v in timings_in.items() if (f := _float(v)) is not None}
    steps_in = ocr.get("steps") if isinstance(ocr.get("steps"), list) else []
    step_names = []
    for step in steps_in:
        name = step if isinstance(step, str) else (step.get("step") or step.get("name") or step.get("op"))
        if name and str(name) not in step_names:
            step_names.append(str(name))
    return {
        "mean_conf": mean_conf,
        "low_conf_pages": low_pages,
        "n_low_conf_pages": len(low_pages),
        "low_conf": bool(low_pages),
        "steps": step_names,
        "steps_detail": steps_in,  # not indexed (enabled: false): measurements for technicians
        "timings": timings,
        "total_seconds": _float(timings_in.get("total")) if "total" in timings_in else sum(timings.values()),
    }


_DERIVATIVE_KEYS = ("processed_bucket", "pdf_key", "text_key", "json_key")


def build_record_doc(record: Mapping[str, Any], *, now: datetime | None = None) -> dict[str, Any]:
    """One Elasticsearch document for one processed object (see docs/search.md for every field)."""
    bucket, key = str(record["bucket"]), str(record["key"])
    meta = record.get("metadata") if isinstance(record.get("metadata"), Mapping) else {}
    pages = [_page(p, i) for i, p in enumerate(record.get("pages") or []) if isinstance(p, Mapping)]
    text = _nfc(record.get("text"))
    if text is None:
        text = "\n\f\n".join(p["text"] for p in pages)

    doc: dict[str, Any] = {
        "record_id": record_id(bucket, key),
        "bucket": bucket,
        "key": key,
        "etag": str(record.get("etag") or "").strip('"') or None,
        "size": _int(record.get("size")),
        "mime": _nfc(record.get("mime")),
        "district": _nfc(record.get("district")) or (key.split("/", 1)[0] if "/" in key else None),
        "n_pages": _int(record.get("n_pages")) or len(pages),
        "n_pages_failed": sum(1 for p in pages if p["error"]),
        "text": text,
        "text_folded": fold(text),
        "pages": pages,
        "signatures": [_signature(s) for s in record.get("signatures") or [] if isinstance(s, Mapping)],
    }
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
    doc["metadata_confidence"] = {str(k): f for k, v in conf.items() if (f := _float(v)) is not None}
    extra = {k: v for k, v in meta.items() if k not in _KNOWN_META and v not in (None, "", [], {})}
    doc["extra"] = {"metadata": extra} if extra else None
    sidecar = record.get("sidecar")
    doc["sidecar"] = dict(sidecar) if isinstance(sidecar, Mapping) and sidecar else None

    doc["ocr"] = _ocr(record.get("ocr"), pages)
    doc["status"] = _status(doc)
    doc["pipeline_version"] = _nfc(record.get("pipeline_version"))
    doc["processed_at"] = _iso_datetime(record.get("processed_at"))
    doc["indexed_at"] = (now or datetime.now(UTC)).isoformat()
    doc["run_id"] = _nfc(record.get("run_id"))

    deriv = record.get("derivatives") if isinstance(record.get("derivatives"), Mapping) else {}
    processed_bucket = _nfc(deriv.get("processed_bucket"))
    doc["derivatives"] = {k: _nfc(deriv.get(k)) for k in _DERIVATIVE_KEYS}
    doc["links"] = {
        "original": object_path(bucket, key),
        "pdf": object_path(processed_bucket, _nfc(deriv.get("pdf_key"))),
    }
    return doc


def _status(doc: Mapping[str, Any]) -> str:
    """ok | partial (some pages failed) | no_text (nothing recognised) | low_confidence."""
    if not (doc["text"] or "").strip():
        return "no_text"
    if doc["n_pages_failed"]:
        return "partial"
    if doc["ocr"]["low_conf"]:
        return "low_confidence"
    return "ok"
