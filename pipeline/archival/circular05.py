"""Descriptive metadata of a Circular 05/2025/TT-BNV submission package of one hồ sơ (SIP_hoso,
appendix III): `EAD.xml` for the hồ sơ (18 elements) and one `EAD_DOC_<docId>.xml` per document (21),
each a flat `<simpledc>` without a namespace, with the Circular's codes (type, language, retention,
access mode, confidence level) and its date format (DD/MM/YYYY). The fonds (phông) is the code the
package's METS names its submitter by.

The Circular's own tables and its schemas disagree on the hồ sơ level (17 described, 16 in EAD.xsd, 18
in its XML outline); we write the outline's 18 (docs/archival.md). Elements a page never shows come
from the record's sidecar, else the export's batch configuration, else stay empty (written as empty
elements, never invented). Document values are `pipeline.exports.archival_record`'s.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from pipeline.exports import ARCHIVAL_FIELDS, LANGUAGE_NAMES, archival_record
from pipeline.textnorm import fold

ROOT = "simpledc"  # the root element of every descriptive file of the Circular
# hồ sơ level (EAD.xml of SIP_hoso), the 18 elements of the Circular's XML outline, in its order
FILE_FIELDS = [
    "fileCode", "title", "maintenance", "mode", "language", "startDate", "endDate", "keyword", "totalDoc",
    "numberOfPaper", "numberOfPage", "format", "inforSign", "confidenceLevel", "paperFileCode",
    "riskRecovery", "riskRecoveryStatus", "description",
]  # fmt: skip
DOCUMENT_FIELDS = ARCHIVAL_FIELDS  # EAD_doc, 21 elements

# The Circular's code lists. typeName: our type codes (pipeline.metadata.doctypes) to its 01-32.
TYPE_NAME_CODES = {
    "NQ": "01", "QĐ": "02", "CT": "03", "QC": "04", "QyĐ": "05", "TC": "06", "TB": "07", "HD": "08",
    "CTr": "09", "KH": "10", "PA": "11", "ĐA": "12", "DA": "13", "BC": "14", "TTr": "15", "GUQ": "16",
    "PG": "17", "PC": "18", "PB": "19", "BB": "20", "HĐ": "21", "CV": "22", "CĐ": "23", "GN": "24",
    "TTh": "25", "GM": "26", "GGT": "27", "GNP": "28",
}  # fmt: skip
OTHER_TYPE = "32"  # Khác: certificates, decrees, circulars, annexes
LANGUAGE_CODES = {"vi": "01", "en": "02", "mixed": "06"}  # Tiếng Việt, Tiếng Anh, Việt - Anh
# readable value (folded, lower case) -> code; a value that is already a code is kept
MAINTENANCE_CODES = {
    "vinh vien": "01", "70 nam": "02", "50 nam": "03", "30 nam": "04", "20 nam": "05", "10 nam": "06",
}  # fmt: skip
MODE_CODES = {
    "cong khai": "01",
    "su dung co dieu kien": "02",
    "co dieu kien": "02",
    "han che": "02",
    "mat": "03",
}
CONFIDENCE_CODES = {"goc dien tu": "01", "so hoa": "02", "hon hop": "03"}
FORMAT_CODES = {"tot": "01", "binh thuong": "02", "hong": "03"}
RISK_STATUS_CODES = {"da du phong": "01", "chua du phong": "02", "chua": "02"}

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
FONDS_CONFIG_KEYS = {"organId": "organ_id", "fondsName": "fonds_name"}  # named in each package's METS
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
    origins: set[str] = field(default_factory=set)  # the documents' confidence levels (coded)

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
            (self.origins, document.get("confidenceLevel")),
        ):
            if value:
                bucket.add(str(value))

    def to_json(self) -> dict[str, Any]:
        data = dict(vars(self))
        for key in _SETS:
            data[key] = sorted(data[key])
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FileSummary:
        summary = cls(**{k: v for k, v in data.items() if k not in _SETS})
        for key in _SETS:
            setattr(summary, key, set(data.get(key) or ()))
        return summary


_SETS = ("languages", "retention", "access", "origins")


def _coded(value: Any, codes: dict[str, str], valid: int) -> Any:
    """A readable value as the Circular's code (`Vĩnh viễn` -> `01`); a code (`01`..) stays; anything
    else is written as given (the receiving archive sees it, nothing is guessed)."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    if text.isdigit() and 1 <= int(text) <= valid:
        return f"{int(text):02d}"
    return codes.get(fold(text).lower(), text)


def _yes_no(value: Any) -> str | None:
    if value in (None, ""):
        return None
    return "1" if fold(str(value)).strip().lower() in ("1", "co", "true", "yes") else "0"


def circular_date(iso: Any) -> str | None:
    """`2024-03-01` -> `01/03/2024` (the Circular's date format); a year or a month alone stays."""
    text = str(iso or "")
    parts = text.split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        return f"{parts[2]}/{parts[1]}/{parts[0]}"
    return text or None


def _language(codes: Iterable[str]) -> str | None:
    codes = set(codes)
    if not codes:
        return None
    key = next(iter(codes)) if len(codes) == 1 else "mixed"
    return LANGUAGE_CODES.get(key, LANGUAGE_CODES["mixed"])


def _shared_codes(values: dict[str, Any]) -> dict[str, Any]:
    """The coded elements both levels share, from readable values."""
    return {
        "maintenance": _coded(values.get("maintenance"), MAINTENANCE_CODES, 7),
        "mode": _coded(values.get("mode"), MODE_CODES, 3),
        "confidenceLevel": _coded(values.get("confidenceLevel"), CONFIDENCE_CODES, 3),
        "format": _coded(values.get("format"), FORMAT_CODES, 3),
        "riskRecovery": _yes_no(values.get("riskRecovery")),
        "riskRecoveryStatus": _coded(values.get("riskRecoveryStatus"), RISK_STATUS_CODES, 2),
    }


def file_record(summary: FileSummary, config: Mapping[str, Any]) -> dict[str, Any]:
    """The hồ sơ elements (EAD.xml): counts and dates from its documents, the rest from the
    configuration (`files[code]` over the top-level keys). A retention or access mode all its
    documents share stands for the file when the configuration gives none."""
    own = {**config, **((config.get("files") or {}).get(summary.code) or {})}
    values: dict[str, Any] = {name: own.get(key) for name, key in FILE_CONFIG_KEYS.items()}
    if not values["maintenance"] and len(summary.retention) == 1:
        values["maintenance"] = next(iter(summary.retention))
    if not values["mode"] and len(summary.access) == 1:
        values["mode"] = next(iter(summary.access))
    if not values["confidenceLevel"]:  # its documents' origin: one for all, else Hỗn hợp
        origins = summary.origins or {CONFIDENCE_CODES["so hoa"]}
        values["confidenceLevel"] = next(iter(origins)) if len(origins) == 1 else CONFIDENCE_CODES["hon hop"]
    values.update(_shared_codes(values))
    values.update(
        fileCode=summary.code,
        language=_language(summary.languages),
        startDate=circular_date(summary.first_date),
        endDate=circular_date(summary.last_date),
        totalDoc=summary.documents,
        numberOfPage=summary.pages,
    )
    return {name: values.get(name) for name in FILE_FIELDS}


def fonds_record(config: Mapping[str, Any]) -> dict[str, Any]:
    """The fonds (phông) the packages belong to: its code and name go into each package's METS header."""
    return {name: config.get(key) for name, key in FONDS_CONFIG_KEYS.items()}


def document_record(
    record: Mapping[str, Any], config: Mapping[str, Any], file_code: str, ordinal: int
) -> dict[str, Any]:
    """The document elements (EAD_doc) with the Circular's codes, for the hồ sơ `file_code`, the
    document's place in it being the sidecar's `doc_order`, else its place in the export's order."""
    sidecar = record.get("sidecar") or {}
    cfg = {**config, "file_code": file_code, "doc_order": sidecar.get("doc_order") or ordinal}
    values = archival_record(record, cfg)
    values.update(_shared_codes(values))
    type_code = record.get("doc_type_code")
    values.update(
        typeName=TYPE_NAME_CODES.get(str(type_code), OTHER_TYPE) if type_code or values["typeName"] else None,
        language=LANGUAGE_CODES.get(str(record.get("language"))),
        issuedDate=circular_date(values["issuedDate"]),
        process=_yes_no(values["process"]),
    )
    return values


def to_xml(values: Mapping[str, Any], fields: list[str]) -> bytes:
    """`<simpledc><element>value</element>...</simpledc>`: every element of the level, in order."""
    el = etree.Element(ROOT)
    for name in fields:
        child = etree.SubElement(el, name)
        value = values.get(name)
        if value not in (None, ""):
            child.text = "; ".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
    return etree.tostring(el, xml_declaration=True, encoding="UTF-8", pretty_print=True)
