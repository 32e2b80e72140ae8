"""Descriptive metadata of Circular 05/2025/TT-BNV's three levels: fonds (phông), file (hồ sơ),
document (tài liệu), one small XML file each, elements in the order of the Circular's XML schema.

The Circular's tables list fewer elements than its schema (17 and 16 against 18): we follow the
schema (docs/archival.md). Elements a page never shows come from the record's sidecar, else the
export's batch configuration, else stay empty (written as empty elements, never invented).
Document elements are `pipeline.exports.archival_record`'s.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from pipeline.exports import ARCHIVAL_FIELDS, LANGUAGE_NAMES, archival_record

# hồ sơ (file) level, the schema's 18 elements
FILE_FIELDS = [
    "arcFileCode", "title", "maintenance", "mode", "language", "startDate", "endDate", "keyword", "totalDoc",
    "numberOfPaper", "numberOfPage", "format", "inforSign", "confidenceLevel", "paperFileCode", "description",
    "riskRecovery", "riskRecoveryStatus",
]  # fmt: skip
FONDS_FIELDS = [
    "organId",
    "fondsName",
    "fondsHistory",
    "archivesTime",
    "lookupTools",
    "copyNumber",
    "description",
]
DOCUMENT_FIELDS = ARCHIVAL_FIELDS

# batch-config keys of the file level: `files: {"<file code>": {"title": ..., ...}}` per hồ sơ, or the
# same keys at the top of the config for every hồ sơ of the export
FILE_CONFIG_KEYS = {
    "title": "file_title",
    "maintenance": "retention_period",
    "mode": "access_mode",
    "keyword": "keyword",
    "numberOfPaper": "sheet_count",
    "format": "physical_state",
    "inforSign": "info_sign",
    "confidenceLevel": "confidence_level",
    "paperFileCode": "paper_file_code",
    "description": "file_description",
    "riskRecovery": "risk_recovery",
    "riskRecoveryStatus": "risk_recovery_status",
}
FONDS_CONFIG_KEYS = {
    "organId": "organ_id",
    "fondsName": "fonds_name",
    "fondsHistory": "fonds_history",
    "archivesTime": "archives_time",
    "lookupTools": "lookup_tools",
    "copyNumber": "copy_number",
    "description": "fonds_description",
}
UNFILED = "CHUA-LAP-HO-SO"  # records with no file code from sidecar or config: one hồ sơ, said in the report


def file_code_of(record: Mapping[str, Any], config: Mapping[str, Any]) -> str:
    sidecar = record.get("sidecar") or {}
    return str(sidecar.get("file_code") or config.get("file_code") or UNFILED)


@dataclass
class FileSummary:
    """What the file level takes from its documents, gathered as they stream past (O(1) each)."""

    code: str
    documents: int = 0
    pages: int = 0
    first_date: str | None = None
    last_date: str | None = None
    languages: set[str] = field(default_factory=set)
    retention: set[str] = field(default_factory=set)
    access: set[str] = field(default_factory=set)

    def add(self, record: Mapping[str, Any], document: Mapping[str, Any]) -> None:
        self.documents += 1
        self.pages += int(document.get("numberOfPage") or 0)
        day = record.get("issue_date")
        if day:
            self.first_date = min(filter(None, (self.first_date, str(day))))
            self.last_date = max(filter(None, (self.last_date, str(day))))
        if record.get("language") in LANGUAGE_NAMES:
            self.languages.add(str(record["language"]))
        for bucket, value in (
            (self.retention, document.get("maintenance")),
            (self.access, document.get("mode")),
        ):
            if value:
                bucket.add(str(value))

    def to_json(self) -> dict[str, Any]:
        data = dict(vars(self))
        for key in ("languages", "retention", "access"):
            data[key] = sorted(data[key])
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FileSummary:
        summary = cls(**{k: v for k, v in data.items() if k not in ("languages", "retention", "access")})
        summary.languages, summary.retention, summary.access = (
            set(data["languages"]),
            set(data["retention"]),
            set(data["access"]),
        )
        return summary


def _language(codes: Iterable[str]) -> str | None:
    codes = set(codes)
    if codes <= {"vi"} or codes <= {"en"}:
        return LANGUAGE_NAMES.get(next(iter(codes))) if codes else None
    return LANGUAGE_NAMES["mixed"]


def file_record(summary: FileSummary, config: Mapping[str, Any]) -> dict[str, Any]:
    """The hồ sơ elements: counts and dates from its documents, the rest from the configuration
    (`files[code]` over the top-level keys). A retention or access mode all its documents share
    stands for the file when the configuration gives none."""
    own = {**config, **((config.get("files") or {}).get(summary.code) or {})}
    values: dict[str, Any] = {name: own.get(key) for name, key in FILE_CONFIG_KEYS.items()}
    values.update(
        arcFileCode=summary.code,
        language=_language(summary.languages),
        startDate=summary.first_date,
        endDate=summary.last_date,
        totalDoc=summary.documents,
        numberOfPage=summary.pages,
    )
    if not values["maintenance"] and len(summary.retention) == 1:
        values["maintenance"] = next(iter(summary.retention))
    if not values["mode"] and len(summary.access) == 1:
        values["mode"] = next(iter(summary.access))
    values["confidenceLevel"] = values["confidenceLevel"] or "Số hóa"
    return {name: values.get(name) for name in FILE_FIELDS}


def fonds_record(config: Mapping[str, Any]) -> dict[str, Any]:
    return {name: config.get(key) for name, key in FONDS_CONFIG_KEYS.items()}


def document_record(
    record: Mapping[str, Any], config: Mapping[str, Any], file_code: str, ordinal: int
) -> dict[str, Any]:
    """The document elements, with the hồ sơ's code and the document's place in it (the sidecar's
    `doc_order`, else its place in the export's date order)."""
    sidecar = record.get("sidecar") or {}
    cfg = {**config, "file_code": file_code, "doc_order": sidecar.get("doc_order") or ordinal}
    return archival_record(record, cfg)


def to_xml(root: str, values: Mapping[str, Any], fields: list[str]) -> bytes:
    """`<root><element>value</element>...</root>`: every element of the level, in the schema's order."""
    el = etree.Element(root)
    for name in fields:
        child = etree.SubElement(el, name)
        value = values.get(name)
        if value not in (None, ""):
            child.text = "; ".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
    return etree.tostring(el, xml_declaration=True, encoding="UTF-8", pretty_print=True)
