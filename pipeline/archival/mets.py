"""The two METS files of one hồ sơ's submission package (Circular 05/2025/TT-BNV SIP_hoso on E-ARK
CSIP), the representation's written as a stream (lxml's incremental writer): the package's METS (the
hồ sơ's EAD.xml, the schemas, the representation) and the representation's METS (one EAD_DOC and one
PDF/A per document, linked in `MetadataLink/File` divisions). Every file is listed with its size, time
and SHA-256; nothing is held in memory per document.
"""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
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
CONTENT_TYPE = "Mixed"  # a hồ sơ package: the Circular's SIP_hoso (a loose-document package is "Collection")
CONTENT_INFORMATION_TYPE = "MIXED"
# eark-validator 1.1.3 (CSIP63) asks every file group for an "other" content information type
GROUP_CONTENT_INFO = {
    f"{{{CSIP}}}CONTENTINFORMATIONTYPE": "OTHER",
    f"{{{CSIP}}}OTHERCONTENTINFORMATIONTYPE": "TT05/2025/TT-BNV",
}
DESCRIPTION_MDTYPE = "DC"  # the Circular's simpledc files, as its packages declare them
DESCRIPTION_MDTYPE_VERSION = "1.0.0"


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
    return etree.Element(
        _m("mdRef"),
        {
            "LOCTYPE": "URL",
            _x("type"): "simple",
            _x("href"): ref.href,
            "MDTYPE": DESCRIPTION_MDTYPE,
            "MDTYPEVERSION": DESCRIPTION_MDTYPE_VERSION,
            "MIMETYPE": ref.mimetype,
            **_fixity(ref),
        },
    )


def _dmd_sec(dmd_id: str, ref: FileRef) -> etree._Element:
    sec = etree.Element(_m("dmdSec"), {"ID": dmd_id, "CREATED": ref.created, "STATUS": "CURRENT"})
    sec.append(_md_ref(ref))
    return sec


def _file(file_id: str, ref: FileRef) -> etree._Element:
    el = etree.Element(_m("file"), {"ID": file_id, "MIMETYPE": ref.mimetype, **_fixity(ref)})
    etree.SubElement(el, _m("FLocat"), {"LOCTYPE": "URL", _x("type"): "simple", _x("href"): ref.href})
    return el


_CONTENT_INFO = {f"{{{CSIP}}}CONTENTINFORMATIONTYPE": CONTENT_INFORMATION_TYPE}


def _root_attrs(objid: str, label: str) -> dict[str, str]:
    return {
        "OBJID": objid,
        "LABEL": label,
        "TYPE": CONTENT_TYPE,
        **_CONTENT_INFO,
        "PROFILE": CSIP_PROFILE,
        f"{{{XSI}}}schemaLocation": SCHEMA_LOCATION,
    }


@dataclass
class Header:
    """What both METS of a package say of who made it: the software, the fonds (phông) submitting it
    and the hồ sơ it holds (the Circular's packages carry the file code as `altRecordID`)."""

    software_version: str
    fonds: Mapping[str, Any]
    file_code: str
    created: str = field(default_factory=now_iso)

    def element(self) -> etree._Element:
        hdr = etree.Element(
            _m("metsHdr"),
            {
                "CREATEDATE": self.created,
                "LASTMODDATE": self.created,
                "RECORDSTATUS": "NEW",
                f"{{{CSIP}}}OAISPACKAGETYPE": "SIP",
            },
        )
        agent = etree.SubElement(
            hdr, _m("agent"), {"ROLE": "CREATOR", "TYPE": "OTHER", "OTHERTYPE": "SOFTWARE"}
        )
        etree.SubElement(agent, _m("name")).text = "sohoa"
        note = etree.SubElement(agent, _m("note"), {f"{{{CSIP}}}NOTETYPE": "SOFTWARE VERSION"})
        note.text = self.software_version
        fonds = self.fonds
        if fonds.get("fondsName") or fonds.get("organId"):
            submitter = etree.SubElement(hdr, _m("agent"), {"ROLE": "ARCHIVIST", "TYPE": "ORGANIZATION"})
            etree.SubElement(submitter, _m("name")).text = str(fonds.get("fondsName") or fonds.get("organId"))
            if fonds.get("organId"):  # mã phông: the identification code the archive files by
                note = etree.SubElement(submitter, _m("note"), {f"{{{CSIP}}}NOTETYPE": "IDENTIFICATIONCODE"})
                note.text = str(fonds["organId"])
        etree.SubElement(hdr, _m("altRecordID"), {"TYPE": "SUBMISSIONAGREEMENT"}).text = self.file_code
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


def write_representation_mets(
    path: Path, label: str, documents: Callable[[], Iterable[DocumentEntry]], header: Header
) -> None:
    """The representation's METS: a dmdSec per document, the PDFs in the `Data` group, and per
    document a `MetadataLink/File` division joining its description to its file. `documents()` gives
    the hồ sơ's documents afresh for each of the three sections, streamed from disk."""
    with etree.xmlfile(str(path), encoding="UTF-8") as xf:
        xf.write_declaration()
        with xf.element(_m("mets"), _root_attrs("rep1", label), nsmap=NSMAP):
            xf.write(header.element())
            for doc in documents():
                xf.write(_dmd_sec(f"dmd-{doc.doc_id}", doc.description))
            with (
                xf.element(_m("fileSec"), {"ID": "filesec-rep"}),
                xf.element(_m("fileGrp"), {"ID": "filegrp-data", "USE": "Data", **GROUP_CONTENT_INFO}),
            ):
                for doc in documents():
                    if doc.pdf:
                        xf.write(_file(f"file-{doc.doc_id}", doc.pdf))
            with (
                xf.element(_m("structMap"), {"ID": "structmap-rep", "TYPE": "PHYSICAL", "LABEL": "CSIP"}),
                xf.element(_m("div"), {"ID": "div-rep", "LABEL": "rep1", "TYPE": "ORIGINAL"}),
            ):
                data = etree.Element(_m("div"), {"ID": "div-rep-data", "LABEL": "Data"})
                etree.SubElement(data, _m("fptr"), {"FILEID": "filegrp-data"})
                xf.write(data)
                with xf.element(_m("div"), {"ID": "div-metadata-link", "LABEL": "MetadataLink"}):
                    for doc in documents():
                        attrs = {
                            "ID": f"div-{doc.doc_id}",
                            "LABEL": "MetadataLink/File",
                            "DMDID": f"dmd-{doc.doc_id}",
                        }
                        div = etree.Element(_m("div"), attrs)
                        if doc.pdf:
                            etree.SubElement(div, _m("fptr"), {"FILEID": f"file-{doc.doc_id}"})
                        xf.write(div)


def write_package_mets(
    path: Path,
    objid: str,
    label: str,
    file_description: FileRef,
    representation_mets: FileRef,
    documentation: Iterable[FileRef],
    schemas: Iterable[FileRef],
    header: Header,
) -> None:
    """The package's METS: the hồ sơ described (dmdSec), the documentation and schema files, the
    representation's METS listed and pointed to. Small whatever the number of documents."""
    with etree.xmlfile(str(path), encoding="UTF-8") as xf:
        xf.write_declaration()
        with xf.element(_m("mets"), _root_attrs(objid, label), nsmap=NSMAP):
            xf.write(header.element())
            xf.write(_dmd_sec("dmd-file", file_description))
            file_sec = etree.Element(_m("fileSec"), {"ID": "filesec"})
            for use, refs in (("Documentation", documentation), ("Schemas", schemas)):
                grp = etree.SubElement(
                    file_sec,
                    _m("fileGrp"),
                    {"ID": f"filegrp-{use.lower()}", "USE": use, **GROUP_CONTENT_INFO},
                )
                for n, ref in enumerate(refs, 1):
                    grp.append(_file(f"file-{use.lower()}-{n}", ref))
            group = etree.SubElement(
                file_sec,
                _m("fileGrp"),
                {"ID": "filegrp-rep1", "USE": "Representations/rep1", **GROUP_CONTENT_INFO},
            )
            group.append(_file("file-rep1-mets", representation_mets))
            xf.write(file_sec)
            struct = etree.Element(_m("structMap"), {"ID": "structmap", "TYPE": "PHYSICAL", "LABEL": "CSIP"})
            top = etree.SubElement(struct, _m("div"), {"ID": "div-package", "LABEL": objid})
            etree.SubElement(top, _m("div"), {"ID": "div-metadata", "LABEL": "Metadata", "DMDID": "dmd-file"})
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
