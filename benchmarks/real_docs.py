"""The real-documents set (`corpus/real-docs`) for the metadata benchmark.

Twelve born-digital documents from ministries and provinces, with the exact text of each page
(`gt/<id>-p<N>.txt`, `pdftotext -layout`: the two header columns interleaved line by line), the page
images at 200 dpi, and metadata ground truth per document (`meta/<id>.json`, conventions in
`meta/README.md`). Seven real scans have no ground truth: their predictions are printed to be read.

The set is split in two halves of six: the rules were tuned on TUNE and checked on the other half.
Scored with the normalisation and the list F1 of the corpus's `score_metadata.py` (imported).
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

# Tuned on these; the other six are the check half. Each half has a ministry or the government,
# provincial departments, a provincial People's Committee and one odd layout (annex, incoming stamp).
TUNE = ("bnv-8977", "cp-nd45", "ld-hdtd-pl3", "ld-skhcn", "ld-ttxt", "qngai-tb11")

FIELDS = (
    "issuing_body",
    "parent_body",
    "doc_number",
    "doc_symbol",
    "doc_type_code",
    "doc_type",
    "issue_place",
    "issue_date",
    "subject",
    "signer_name",
    "signer_title",
)
TARGETS = {"doc_number": 0.9, "doc_type_code": 0.9, "issue_date": 0.9, "issuing_body": 0.9}

# Numbers of the scans as their file names give them (README of the set); not a ground truth.
SCAN_NUMBERS = {
    "ttg-464": "464/TTg-CĐS",
    "c04-2388": "2388/C04-P6",
    "das-kh753": "753/KH-DCT",
    "ld-ubnd-gm560": "560/GM-UBND",
    "ld-cat-298": "298/TTr-CAT-PC04",
    "qngai-qd138": "04/QĐ-BCĐ138",
}


def scorer(corpus_root: Path) -> ModuleType:
    """The corpus's `score_metadata.py`, imported for its `norm` and `f1`."""
    spec = importlib.util.spec_from_file_location("score_metadata", corpus_root / "score_metadata.py")
    if spec is None or spec.loader is None:
        raise FileNotFoundError(corpus_root / "score_metadata.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def documents(real_dir: Path) -> list[dict[str, Any]]:
    return json.loads((real_dir / "manifest.json").read_text(encoding="utf-8"))


def gt_pages(real_dir: Path, doc: dict[str, Any]) -> list[str]:
    return [(real_dir / p).read_text(encoding="utf-8") for p in doc.get("gt_files") or []]


def as_ground_truth(meta: dict[str, Any]) -> dict[str, Any]:
    """A `describe_text` result in the conventions of `meta/README.md`: the signer's authority lines
    and title joined, a công văn's subject without its `V/v`."""
    out = dict(meta)
    if out.get("signer_title"):
        out["signer_title"] = " ".join([*out.get("signer_authority", []), out["signer_title"]])
    subject = str(out.get("subject") or "")
    if subject.startswith("V/v "):
        out["subject"] = subject[4:]
    return out


def _outside_hanoi(meta: dict[str, Any], gt: dict[str, Any]) -> bool:
    """No Hanoi unit, and the unit says `outside_hanoi` (or there is none: a page that names no body)."""
    unit = meta.get("admin_unit_old") or {}
    if "Hà Nội" in str(unit):
        return False
    return bool(unit.get("outside_hanoi")) if gt.get("issuing_body") else not unit


def score(real_dir: Path, preds: dict[str, dict[str, Any]], ids: list[str], sm: ModuleType) -> dict[str, Any]:
    """Per-field accuracy (recipients: F1) over `ids`, `outside_hanoi` (none of these documents is
    from Hanoi: the share whose old unit says so, and never a Hanoi unit) and the misses."""
    table: dict[str, list[float]] = {k: [] for k in (*FIELDS, "recipients", "outside_hanoi")}
    misses: list[str] = []
    for sid in ids:
        gt = json.loads((real_dir / "meta" / f"{sid}.json").read_text(encoding="utf-8"))
        pred = as_ground_truth(preds.get(sid, {}))
        for k in FIELDS:
            ok = sm.norm(gt.get(k)) == sm.norm(pred.get(k))
            table[k].append(1.0 if ok else 0.0)
            if not ok:
                misses.append(f"{sid:18s} {k:14s} truth {gt.get(k)!r}  got {pred.get(k)!r}")
        table["recipients"].append(sm.f1(gt.get("recipients"), pred.get("recipients")))
        table["outside_hanoi"].append(1.0 if _outside_hanoi(pred, gt) else 0.0)
    fields = {k: round(sum(v) / len(v), 3) for k, v in table.items() if v}
    return {
        "fields": fields,
        "mean": round(sum(fields.values()) / len(fields), 3),
        "n": len(ids),
        "misses": misses,
    }
