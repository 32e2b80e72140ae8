"""The two METS files of an E-ARK CSIP package, written as streams (lxml's incremental writer): the
package's METS (fonds and hồ sơ descriptions, the representation) and the representation's METS (one
description and one PDF/A per document, grouped by hồ sơ). Every file is listed with its size, time
and SHA-256; nothing is held in memory per document.
"""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lxml import etree

METS = "http://www.loc.gov/METS/"
CSIP = "https://DILCIS.eu/XML/METS/CSIPExtensionMETS"
SIP = "https://DILCIS.eu/XML/METS/SIPExtensionMETS"
XLINK = "http://www.w3.org/1999/xlink"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NSMAP = {"mets": METS, "csip": CSIP, "sip": SIP, "xlink": XLINK, "xsi": XSI}
SCHEMA_LOCATION = (
    f"{METS} http://www.loc.gov/standards/mets/mets.xsd "
    f"{XLINK} http://www.loc.gov/standards/xlink/xlink.xsd "
    f"{CSIP} https://earkcsip.dilcis.eu/schema/DILCISExtensionMETS.xsd "
    f"{SIP} https://earksip.dilcis.eu/schema/DILCISExtensionSIPMETS.xsd"
)
CSIP_PROFILE = "https://earksip.dilcis.eu/profile/E-ARK-SIP.xml"
CONTENT_TYPE = "Textual works – Digital"  # CSIP content category vocabulary
CONTENT_INFORMATION_TYPE = "OTHER"
OTHER_CONTENT_INFORMATION_TYPE = "TT05/2025/TT-BNV"
DESCRIPTION_MDTYPE = "TT05-2025-TT-BNV"  # MDTYPE OTHER: the Circular's own elements


# The schemas a package carries in `schemas/`: the official files shipped by eark-validator (the E-ARK
# reference validator), located without importing it (its import reads vocabularies over the network).
SCHEMA_FILES = ("mets.xsd", "xlink.xsd", "DILCISExtensionMETS.xsd", "DILCISExtensionSIPMETS.xsd")


def schema_folder() -> Path:
    spec = importlib.util.find_spec("eark_validator")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the METS schemas come with eark-validator: pip install eark-validator")
    return Path(next(iter(spec.submodule_search_locations))) / "ipxml" / "resources" / "schema"


def _m(tag: str) -> str:
    return f"{{{METS}}}{tag}"


def _x(tag: str) -> str:
    return f"{{{XLINK}}}{tag}"


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


@dataclass
class FileRef:
    """One file of the package: its path (relative to the METS that lists it) and fixity."""

    href: str
    size: int
    checksum: str  # SHA-256, hex
    created: str
    mimetype: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def sha256_of(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def file_ref(path: Path, href: str, mimetype: str) -> FileRef:
    mtime = datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(microsecond=0).isoformat()
    return FileRef(href, path.stat().st_size, sha256_of(path), mtime, mimetype)


def _fixity(ref: FileRef) -> dict[str, str]:
    return {
        "SIZE": str(ref.size),
        "CREATED": ref.created,
        "CHECKSUM": ref.checksum,
        "CHECKSUMTYPE": "SHA-256",
    }


def _md_ref(ref: FileRef) -> etree._Element:
    el = etree.Element(
        _m("mdRef"),
        {
            "LOCTYPE": "URL",
            _x("type"): "simple",
            _x("href"): ref.href,
            "MDTYPE": "OTHER",
            "OTHERMDTYPE": DESCRIPTION_MDTYPE,
            "MIMETYPE": ref.mimetype,
            **_fixity(ref),
        },
    )
    return el


def _dmd_sec(dmd_id: str, ref: FileRef) -> etree._Element:
    sec = etree.Element(_m("dmdSec"), {"ID": dmd_id, "CREATED": ref.created, "STATUS": "CURRENT"})
    sec.append(_md_ref(ref))
    return sec


def _file(file_id: str, ref: FileRef) -> etree._Element:
    el = etree.Element(_m("file"), {"ID": file_id, "MIMETYPE": ref.mimetype, **_fixity(ref)})
    etree.SubElement(el, _m("FLocat"), {"LOCTYPE": "URL", _x("type"): "simple", _x("href"): ref.href})
    return el


_CONTENT_INFO = {
    f"{{{CSIP}}}CONTENTINFORMATIONTYPE": CONTENT_INFORMATION_TYPE,
    f"{{{CSIP}}}OTHERCONTENTINFORMATIONTYPE": OTHER_CONTENT_INFORMATION_TYPE,
}


def _root_attrs(objid: str, label: str) -> dict[str, str]:
    return {
        "OBJID": objid,
        "LABEL": label,
        "TYPE": CONTENT_TYPE,
        **_CONTENT_INFO,
        "PROFILE": CSIP_PROFILE,
        f"{{{XSI}}}schemaLocation": SCHEMA_LOCATION,
    }


def _header(created: str, software_version: str, fonds: Mapping[str, Any]) -> etree._Element:
    hdr = etree.Element(
        _m("metsHdr"),
        {
            "CREATEDATE": created,
            "LASTMODDATE": created,
            "RECORDSTATUS": "NEW",
            f"{{{CSIP}}}OAISPACKAGETYPE": "SIP",
        },
    )
    agent = etree.SubElement(hdr, _m("agent"), {"ROLE": "CREATOR", "TYPE": "OTHER", "OTHERTYPE": "SOFTWARE"})
    etree.SubElement(agent, _m("name")).text = "sohoa"
    etree.SubElement(agent, _m("note"), {f"{{{CSIP}}}NOTETYPE": "SOFTWARE VERSION"}).text = software_version
    if fonds.get("fondsName") or fonds.get("organId"):
        submitter = etree.SubElement(hdr, _m("agent"), {"ROLE": "ARCHIVIST", "TYPE": "ORGANIZATION"})
        etree.SubElement(submitter, _m("name")).text = str(fonds.get("fondsName") or fonds.get("organId"))
        if fonds.get("organId"):  # mã phông / mã cơ quan: the identification code the archive files by
            note = etree.SubElement(submitter, _m("note"), {f"{{{CSIP}}}NOTETYPE": "IDENTIFICATIONCODE"})
            note.text = str(fonds["organId"])
    return hdr


@dataclass
class DocumentEntry:
    """One document in the representation: its description and its PDF/A (None when it has none)."""

    doc_id: str
    label: str
    description: FileRef
    pdf: FileRef | None

    def to_json(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "label": self.label,
            "description": self.description.to_json(),
            "pdf": self.pdf.to_json() if self.pdf else None,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DocumentEntry:
        pdf = data.get("pdf")
        return cls(
            data["doc_id"], data["label"], FileRef(**data["description"]), FileRef(**pdf) if pdf else None
        )


def _document_div(doc: DocumentEntry) -> etree._Element:
    attrs = {"ID": f"div-{doc.doc_id}", "LABEL": doc.label, "TYPE": "tài liệu", "DMDID": f"dmd-{doc.doc_id}"}
    div = etree.Element(_m("div"), attrs)
    if doc.pdf:
        etree.SubElement(div, _m("fptr"), {"FILEID": f"file-{doc.doc_id}"})
    return div


def write_representation_mets(
    path: Path,
    objid: str,
    label: str,
    files: Callable[[], Iterable[tuple[str, Iterable[DocumentEntry]]]],
    *,
    software_version: str,
    fonds: Mapping[str, Any],
) -> None:
    """The representation's METS: a dmdSec per document, the PDFs in the `Data` group, and a structure
    of hồ sơ > document. `files()` gives (file code, its documents) afresh for each of the three
    sections, streamed from disk."""
    created = now_iso()
    with etree.xmlfile(str(path), encoding="UTF-8") as xf:
        xf.write_declaration()
        with xf.element(_m("mets"), _root_attrs(objid, label), nsmap=NSMAP):
            xf.write(_header(created, software_version, fonds))
            for _, docs in files():
                for doc in docs:
                    xf.write(_dmd_sec(f"dmd-{doc.doc_id}", doc.description))
            with (
                xf.element(_m("fileSec"), {"ID": "filesec-rep"}),
                xf.element(_m("fileGrp"), {"ID": "filegrp-data", "USE": "Data"}),
            ):
                for _, docs in files():
                    for doc in docs:
                        if doc.pdf:
                            xf.write(_file(f"file-{doc.doc_id}", doc.pdf))
            with (
                xf.element(_m("structMap"), {"ID": "structmap-rep", "TYPE": "PHYSICAL", "LABEL": "CSIP"}),
                xf.element(_m("div"), {"ID": "div-rep", "LABEL": label}),
                xf.element(_m("div"), {"ID": "div-rep-data", "LABEL": "Data"}),
            ):
                for n, (code, docs) in enumerate(files(), 1):
                    with xf.element(_m("div"), {"ID": f"div-file-{n}", "LABEL": code, "TYPE": "hồ sơ"}):
                        for doc in docs:
                            xf.write(_document_div(doc))


def write_package_mets(
    path: Path,
    objid: str,
    label: str,
    fonds_description: FileRef,
    file_descriptions: Iterable[tuple[str, FileRef]],
    representation_mets: FileRef,
    documentation: Iterable[FileRef],
    schemas: Iterable[FileRef],
    *,
    software_version: str,
    fonds: Mapping[str, Any],
) -> None:
    """The package's METS: the fonds and each hồ sơ described (dmdSec), the documentation and schema
    files, the representation's METS listed and pointed to. One entry per hồ sơ, so it stays small
    whatever the number of documents."""
    created = now_iso()
    files = list(file_descriptions)
    dmd_ids = ["dmd-fonds", *(f"dmd-file-{n}" for n in range(1, len(files) + 1))]
    with etree.xmlfile(str(path), encoding="UTF-8") as xf:
        xf.write_declaration()
        with xf.element(_m("mets"), _root_attrs(objid, label), nsmap=NSMAP):
            xf.write(_header(created, software_version, fonds))
            xf.write(_dmd_sec("dmd-fonds", fonds_description))
            for n, (_, ref) in enumerate(files, 1):
                xf.write(_dmd_sec(f"dmd-file-{n}", ref))
            file_sec = etree.Element(_m("fileSec"), {"ID": "filesec"})
            for use, refs in (("Documentation", documentation), ("Schemas", schemas)):
                # eark-validator 1.1.3 (CSIP63) wants the content information type on every group
                grp = etree.SubElement(
                    file_sec, _m("fileGrp"), {"ID": f"filegrp-{use.lower()}", "USE": use, **_CONTENT_INFO}
                )
                for n, ref in enumerate(refs, 1):
                    grp.append(_file(f"file-{use.lower()}-{n}", ref))
            group = etree.SubElement(
                file_sec,
                _m("fileGrp"),
                {"ID": "filegrp-rep1", "USE": "Representations/rep1", **_CONTENT_INFO},
            )
            group.append(_file("file-rep1-mets", representation_mets))
            xf.write(file_sec)
            struct = etree.Element(_m("structMap"), {"ID": "structmap", "TYPE": "PHYSICAL", "LABEL": "CSIP"})
            top = etree.SubElement(struct, _m("div"), {"ID": "div-package", "LABEL": objid})
            etree.SubElement(
                top, _m("div"), {"ID": "div-metadata", "LABEL": "Metadata", "DMDID": " ".join(dmd_ids)}
            )
            for use in ("Documentation", "Schemas"):
                div = etree.SubElement(top, _m("div"), {"ID": f"div-{use.lower()}", "LABEL": use})
                etree.SubElement(div, _m("fptr"), {"FILEID": f"filegrp-{use.lower()}"})
            reps = etree.SubElement(top, _m("div"), {"ID": "div-representations", "LABEL": "Representations"})
            etree.SubElement(reps, _m("fptr"), {"FILEID": "filegrp-rep1"})
            rep = etree.SubElement(reps, _m("div"), {"ID": "div-rep1", "LABEL": "Representations/rep1"})
            etree.SubElement(
                rep,
                _m("mptr"),
                {
                    "LOCTYPE": "URL",
                    _x("type"): "simple",
                    _x("href"): representation_mets.href,
                    _x("title"): "filegrp-rep1",
                },
            )
            xf.write(struct)
