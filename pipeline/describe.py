"""`describe_text`: OCR text (and word boxes) in, one flat metadata dict out.

This is what `sohoa ocr` writes into X.json, what `sohoa metadata` prints per line and what the flows
index. Field names are those of the corpus ground truth; a field that was not found is absent.
See docs/metadata.md for the fields, the confidences and the admin-unit objects.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ocr.model import Word
from pipeline import language
from pipeline.metadata.parse import parse_document
from pipeline.textnorm import clean_text, fold, letters_share
from pipeline.units.assign import resolve_units
from pipeline.units.data import EFFECTIVE_DATE
from pipeline.units.resolve import UnitEvidence

MAX_CHARS = 2_000_000  # longer text: the first and last part are read (header and closing live there)
_TAIL_CHARS = 200_000
MIN_LETTERS = 20

FIELD_ORDER = [
    "issuing_body", "parent_body", "doc_number", "doc_number_seq", "doc_symbol", "doc_type", "doc_type_code",
    "issue_place", "issue_date", "subject", "addressees", "signer_name", "signer_title", "signer_authority",
    "recipients", "received_number", "received_date", "signature_box", "admin_unit_old", "admin_unit_new",
    "language",
]  # fmt: skip
_EXPANSIONS = {"ubnd": "uy ban nhan dan", "hdnd": "hoi dong nhan dan", "tp": "thanh pho"}


def duplicate_key(seq: str | None, symbol: str | None, issuing_body: str | None) -> str | None:
    """Normalised (number, symbol, issuing body) of Decree 30: the same letter scanned twice gets the
    same key whatever the diacritics, case, spacing, leading zeros or `UBND` vs `ỦY BAN NHÂN DÂN`."""
    if not (seq and symbol and issuing_body):
        return None
    digits = seq.lstrip("0") or "0"
    sym = re.sub(r"[^a-z0-9-]", "", fold(symbol))
    words = re.findall(r"[a-z0-9]+", fold(issuing_body))
    body = " ".join(_EXPANSIONS.get(w, w) for w in words)
    return f"{digits}|{sym}|{body}"


def _word_conf_lookup(words: Sequence[Sequence[Word]] | None) -> dict[str, float]:
    table: dict[str, list[float]] = {}
    for page in words or []:
        for w in page:
            key = fold(w.text).strip(".,;:")
            if key:
                table.setdefault(key, []).append(float(w.conf))
    return {k: sum(v) / len(v) for k, v in table.items()}


def _ocr_factor(value: Any, table: dict[str, float]) -> float:
    """0.6-1.0 from the OCR confidences of the words that make the value (1.0 without word boxes)."""
    if not table:
        return 1.0
    text = value if isinstance(value, str) else " ".join(map(str, value)) if isinstance(value, list) else ""
    confs = [table[k] for k in (fold(t).strip(".,;:") for t in text.split()) if k in table]
    if not confs:
        return 1.0
    return 0.6 + 0.4 * max(0.0, min(100.0, sum(confs) / len(confs))) / 100


def _wordlike(text: str, sample: int = 5000) -> float:
    """Share of tokens that look like words (two or more letters, nothing else but end punctuation):
    about 0.8 for text, near 0 for binary data decoded as text or for specks."""
    tokens = text[:200_000].split()[:sample]
    if not tokens:
        return 0.0
    good = sum(1 for t in tokens if len(t.strip(".,;:()\"'")) >= 2 and t.strip(".,;:()\"'").isalpha())
    return good / len(tokens)


def _empty(lang: dict[str, Any]) -> dict[str, Any]:
    return {"language": "unknown", "language_detail": lang, "confidence": {"language": 0.0}}


def describe_text(
    text: str,
    page_texts: list[str] | None = None,
    words: list[list[Word]] | None = None,
    signed_at: datetime | None = None,
    district_hint: str | None = None,
) -> dict[str, Any]:
    """Metadata of one document. Never raises on bad input: it returns fewer fields.

    `signed_at`: when the document was signed (from its PDF's digital signature), an upper bound of
    the issue date: a date read later than that is a misreading. `district_hint`: the slug of the former
    district whose office uploaded the scan (its upload prefix, `cau-giay`): settles a commune name that
    several districts share (`admin_unit_old.source` is then `upload_prefix`)."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    if len(text) > MAX_CHARS:
        text = text[: MAX_CHARS - _TAIL_CHARS] + "\f" + text[-_TAIL_CHARS:]
        page_texts = None
    text = clean_text(text)
    pages = [clean_text(p) for p in page_texts] if page_texts else text.split("\f")
    # Reading order (left header column before the right one) is the OCR's job: ocr.layout rebuilds
    # it from the word boxes, so `text` already reads like the Decree 30 layout. Here the words only
    # weigh the confidences.
    full = "\n".join(pages)

    lang = language.detect_language(full, pages)
    if sum(c.isalpha() for c in full) < MIN_LETTERS or letters_share(full) < 0.35 or _wordlike(full) < 0.3:
        return _empty({"top": lang["top"], "pages": lang["pages"]})

    parsed = parse_document(pages, signed_at)
    fields = dict(parsed.fields)
    conf = dict(parsed.conf)

    bodies = tuple(b for b in (fields.get("issuing_body"), fields.get("parent_body")) if b)
    issued_after_reform = str(fields.get("issue_date", "")) >= EFFECTIVE_DATE
    evidence = UnitEvidence(bodies, full, fields.get("issue_place"), district_hint)
    units = resolve_units(evidence, issued_after_reform)
    if units.old:
        fields["admin_unit_old"], conf["admin_unit_old"] = units.old, units.old_conf
    if units.new:
        fields["admin_unit_new"], conf["admin_unit_new"] = units.new, round(units.new_conf, 3)

    fields["language"] = lang["language"]
    conf["language"] = lang["confidence"]

    table = _word_conf_lookup(words)
    if table:
        for k in list(conf):
            if k in fields and k not in ("language", "admin_unit_new"):
                conf[k] = round(conf[k] * _ocr_factor(fields[k], table), 3)

    out: dict[str, Any] = {k: fields[k] for k in FIELD_ORDER if k in fields}
    out["language_detail"] = {"top": lang["top"], "pages": lang["pages"]}
    key = duplicate_key(fields.get("doc_number_seq"), fields.get("doc_symbol"), fields.get("issuing_body"))
    if key:
        out["duplicate_key"] = key
    out["confidence"] = {k: conf[k] for k in out if k in conf}
    return out
