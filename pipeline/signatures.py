"""The digital signatures of a PDF (PAdES / CMS), read with pyHanko, for the record.

What is checked here: that the bytes each signature covers are the bytes it signed (`integrity`), and
whether it covers the whole file or only an earlier revision. What is not: the trust chain. Vietnamese
signatures chain to the national CA (Ban Cơ yếu Chính phủ); checking it needs that root, revocation
lists and OCSP, none of which are reachable offline. So `trust` is always `not_checked`, and nothing
here ever says a signature is "valid".

A signed original is the archival master: it is never rewritten (that would break its signature).
Derivatives made from it are labelled copies (`COPY_NOTE` in their XMP: pipeline.archival.pdfa).
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

log = logging.getLogger("sohoa.signatures")

Integrity = Literal["intact", "broken", "unreadable"]
COPY_NOTE = "Bản sao số hóa — bản gốc có chữ ký số"  # digitised copy; the original is digitally signed
_MARKER = b"/ByteRange"


@dataclass
class Signature:
    integrity: Integrity  # do the signed bytes still match the signature?
    field: str | None = None  # the signature field's name
    signer: str | None = None  # common name of the signer's certificate (a person or an agency)
    organisation: str | None = None  # organisation (and unit) of the signer's certificate
    issuer: str | None = None  # the certificate authority that issued it, as it names itself
    serial: str | None = None  # certificate serial number, hex
    signed_at: str | None = None  # ISO 8601 with offset: the signing time the signer reports
    covers_whole_file: bool = False  # false: the file was changed (appended to) after this signature
    coverage: str | None = None  # pyHanko's coverage level: entire_file, entire_revision, ...
    trust: str = "not_checked"  # the national CA's chain cannot be checked offline
    kind: str = "signature"  # or "document_timestamp"
    subfilter: str | None = None  # ETSI.CAdES.detached (PAdES), adbe.pkcs7.detached, ...
    reason: str | None = None
    location: str | None = None
    error: str | None = None  # why the signature could not be read, when integrity is unreadable

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _unreadable(exc: Exception, **known: Any) -> Signature:
    return Signature("unreadable", error=f"{type(exc).__name__}: {exc}"[:300], **known)


def has_signatures(path: Path, chunk: int = 1 << 20) -> bool:
    """A cheap look for a signature dictionary (`/ByteRange`) before pyHanko parses the file."""
    tail = b""
    with Path(path).open("rb") as fh:
        while block := fh.read(chunk):
            if _MARKER in tail + block:
                return True
            tail = block[-len(_MARKER) :]
    return False


def _names(cert: Any) -> tuple[str | None, str | None, str | None, str | None]:
    subject = cert.subject.native
    issuer = cert.issuer.native
    org = ", ".join(
        v for v in (subject.get("organization_name"), subject.get("organizational_unit_name")) if v
    )
    issuer_name = issuer.get("common_name") or issuer.get("organization_name")
    return subject.get("common_name"), org or None, issuer_name, format(int(cert.serial_number), "x")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _timestamp_integrity(sig: Any) -> tuple[bool, bool]:
    """A document timestamp signs a TSTInfo whose message imprint is the digest of the covered bytes:
    (the imprint matches the file, the TSA's signature over the TSTInfo holds)."""
    import hashlib

    from pyhanko.sign.validation.generic_cms import validate_sig_integrity

    content = sig.signed_data["encap_content_info"]["content"]
    imprint = content.parsed["message_imprint"]
    algorithm = imprint["hash_algorithm"]["algorithm"].native
    document = hashlib.new(algorithm, b"".join(_covered(sig))).digest()
    tst_digest = hashlib.new(sig.md_algorithm, content.contents).digest()
    _, valid = validate_sig_integrity(sig.signer_info, sig.signer_cert, "tst_info", tst_digest)
    return imprint["hashed_message"].native == document, valid


def _covered(sig: Any) -> list[bytes]:
    """The bytes a signature's /ByteRange covers."""
    stream = sig.reader.stream
    ranges = list(sig.sig_object["/ByteRange"])
    parts = []
    for offset, length in zip(ranges[::2], ranges[1::2], strict=True):
        stream.seek(offset)
        parts.append(stream.read(length))
    return parts


def _read_one(sig: Any) -> Signature:
    from pyhanko.sign.validation.generic_cms import validate_sig_integrity

    sig_dict = sig.sig_object
    kind = "document_timestamp" if sig.sig_object_type == "/DocTimeStamp" else "signature"
    subfilter = str(sig_dict.get("/SubFilter", "")).lstrip("/") or None
    known: dict[str, Any] = {
        "field": str(sig.field_name) if sig.field_name else None,
        "kind": kind,
        "subfilter": subfilter,
        "reason": str(sig_dict["/Reason"]) if "/Reason" in sig_dict else None,
        "location": str(sig_dict["/Location"]) if "/Location" in sig_dict else None,
    }
    try:
        known["signer"], known["organisation"], known["issuer"], known["serial"] = _names(sig.signer_cert)
        known["signed_at"] = _iso(sig.self_reported_timestamp)
        coverage = sig.evaluate_signature_coverage()
        if known["kind"] == "document_timestamp":
            intact, valid = _timestamp_integrity(sig)
        else:
            digest = sig.compute_digest()
            intact, valid = validate_sig_integrity(sig.signer_info, sig.signer_cert, "data", digest)
    except Exception as exc:  # a malformed signature must not cost the record: say it is unreadable
        log.warning("signature %s unreadable: %s", sig.field_name, exc)
        return _unreadable(exc, **known)
    return Signature(
        "intact" if intact and valid else "broken",
        covers_whole_file=coverage.name == "ENTIRE_FILE",
        coverage=coverage.name.lower(),
        **known,
    )


def read_signatures(path: Path) -> list[Signature]:
    """Every signature of a PDF, in signing order; [] when it has none. Never raises for a bad file:
    a file pyHanko cannot parse gives one `unreadable` entry (OCR and the rest go on)."""
    path = Path(path)
    if not has_signatures(path):
        return []
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        with path.open("rb") as fh:
            reader = PdfFileReader(fh, strict=False)
            return [_read_one(sig) for sig in reader.embedded_signatures]
    except Exception as exc:
        log.warning("%s: signatures unreadable: %s", path, exc)
        return [_unreadable(exc)]


def signing_time(signatures: list[Signature]) -> datetime | None:
    """When the document was signed: its first intact signature's time (the issuer signs first; a
    later signature or timestamp is a countersignature or an archive's)."""
    times = [
        datetime.fromisoformat(s.signed_at)
        for s in signatures
        if s.kind == "signature" and s.integrity == "intact" and s.signed_at
    ]
    return min(times) if times else None
