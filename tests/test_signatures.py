"""Digital signatures of PDFs signed here with a test CA (pyHanko + cryptography): what is read, what
a change after signing does, and that no signed original is ever rewritten by processing."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from ocr.engine import OcrOptions
from pipeline.archival import verapdf
from pipeline.process import process_file
from pipeline.record import SourceObject
from pipeline.signatures import COPY_NOTE, read_signatures
from samples import born_digital as bd


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("signed")
    person = bd.make_identity("Nguyễn Văn Bình", "Ủy ban nhân dân quận Cầu Giấy")
    agency = bd.make_identity("Văn phòng UBND quận Cầu Giấy", "Ủy ban nhân dân quận Cầu Giấy")
    letter = bd.word_pdf(d / "letter.pdf", [bd.Letter()])
    pades = bd.sign_pdf(letter, d / "pades.pdf", person)
    twice = bd.sign_pdf(pades, d / "twice.pdf", agency, field="Signature2", visible=False)
    mixed = bd.word_pdf(d / "mixed.pdf", [bd.Letter(), bd.scan_image(bd.ANNEX_LINES)])
    return {
        "letter": letter,
        "pades": pades,
        "cms": bd.sign_pdf(letter, d / "cms.pdf", person, pades=False),
        "twice": twice,
        "tampered": bd.tamper_signed_bytes(pades, d / "tampered.pdf"),
        "updated": bd.append_update(pades, d / "updated.pdf"),
        "mixed_signed": bd.sign_pdf(mixed, d / "mixed-signed.pdf", person),
    }


def recent(iso: str | None) -> bool:
    when = datetime.fromisoformat(iso or "")
    return datetime.now(UTC) - timedelta(hours=1) < when <= datetime.now(UTC)


@pytest.mark.parametrize("kind", ["pades", "cms"])
def test_signer_organisation_and_time_are_read_and_trust_is_never_claimed(
    signed: dict[str, Path], kind: str
) -> None:
    [sig] = read_signatures(signed[kind])
    assert sig.signer == "Nguyễn Văn Bình"
    assert sig.organisation == "Ủy ban nhân dân quận Cầu Giấy"
    assert sig.issuer == "sohoa test CA"
    assert recent(sig.signed_at)  # PAdES: the signature dictionary's /M; CMS: the signingTime attribute
    assert sig.subfilter == {"pades": "ETSI.CAdES.detached", "cms": "adbe.pkcs7.detached"}[kind]
    assert sig.integrity == "intact" and sig.covers_whole_file
    assert sig.trust == "not_checked"
    assert "valid" not in json.dumps(sig.to_dict()).lower()


def test_two_signatures_person_then_agency_are_both_read_in_order(signed: dict[str, Path]) -> None:
    first, second = read_signatures(signed["twice"])
    assert (first.signer, second.signer) == ("Nguyễn Văn Bình", "Văn phòng UBND quận Cầu Giấy")
    assert first.integrity == second.integrity == "intact"
    assert not first.covers_whole_file and second.covers_whole_file  # the agency signed after


def test_a_byte_changed_inside_the_signed_range_breaks_integrity(signed: dict[str, Path]) -> None:
    [sig] = read_signatures(signed["tampered"])
    assert sig.integrity == "broken"
    assert sig.signer == "Nguyễn Văn Bình" and sig.signed_at  # still said who and when


def test_an_update_after_signing_leaves_the_signature_intact_but_not_covering_the_file(
    signed: dict[str, Path],
) -> None:
    [sig] = read_signatures(signed["updated"])
    assert sig.integrity == "intact"
    assert not sig.covers_whole_file and sig.coverage == "entire_revision"


def test_a_document_timestamp_is_read_with_the_tsa_time_and_its_integrity(
    signed: dict[str, Path], tmp_path: Path
) -> None:
    tsa = bd.make_identity("sohoa test TSA", "sohoa tests", tsa=True)
    at = datetime(2025, 1, 24, 20, 1, 14, tzinfo=timezone(timedelta(hours=7)))
    stamped = bd.timestamp_pdf(signed["pades"], tmp_path / "stamped.pdf", tsa, at)
    person, stamp = read_signatures(stamped)
    assert person.kind == "signature" and person.integrity == "intact"
    assert stamp.kind == "document_timestamp" and stamp.integrity == "intact"
    assert datetime.fromisoformat(stamp.signed_at or "") == at and stamp.signer == "sohoa test TSA"
    broken = bd.tamper_signed_bytes(stamped, tmp_path / "stamped-tampered.pdf")
    assert [s.integrity for s in read_signatures(broken)] == ["broken", "broken"]


def test_unsigned_and_unparseable_files(signed: dict[str, Path], tmp_path: Path) -> None:
    assert read_signatures(signed["letter"]) == []
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.7\n1 0 obj << /ByteRange [0 10 20 30] /Contents <00> >> endobj\n%%EOF")
    [sig] = read_signatures(junk)  # no exception: the record goes on, and says why
    assert sig.integrity == "unreadable" and sig.error


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow
def test_process_file_reads_layer_and_signature_and_leaves_the_original_untouched(
    signed: dict[str, Path], tmp_path: Path
) -> None:
    original = signed["mixed_signed"]
    before = digest(original)
    source = SourceObject("intake", "cau-giay/qd-123.pdf", "etag")
    result = process_file(original, source, OcrOptions(pdf=True, workdir=tmp_path))
    assert digest(original) == before
    assert [p.text_source for p in result.pages] == ["text_layer", "ocr"]
    assert "Hiệp hội rau quả Đà Lạt" in result.pages[0].text
    assert "PHỤ LỤC" in result.pages[1].text
    [sig] = result.signatures
    assert sig.signer == "Nguyễn Văn Bình" and sig.integrity == "intact"
    assert result.metadata.get("doc_number") == "123/QĐ-UBND"
    # the searchable PDF is a labelled copy without the signature (which it could not keep)
    assert result.pdf_path and result.pdf_path != original
    copy = PdfReader(result.pdf_path)
    assert len(copy.pages) == 2 and copy.metadata["/Subject"] == COPY_NOTE  # in the XMP too (PDF/A)
    assert copy.xmp_metadata.dc_description == {"x-default": COPY_NOTE}
    assert result.pdfa["made"] and "cau-giay/qd-123.pdf" in copy.xmp_metadata.dc_source
    [verdict] = verapdf.validate([result.pdf_path])  # the label keeps the copy a valid PDF/A-2b
    assert verdict.compliant, verdict.failed_rules
    assert b"/ByteRange" not in result.pdf_path.read_bytes()
    assert read_signatures(original)[0].integrity == "intact"


def test_sohoa_ocr_writes_signatures_and_never_overwrites_its_input(
    signed: dict[str, Path], tmp_path: Path
) -> None:
    import typer

    from cli.ocr import ocr_command

    app = typer.Typer()
    app.command()(ocr_command)
    src = tmp_path / "in" / "qd.pdf"
    src.parent.mkdir()
    src.write_bytes(signed["pades"].read_bytes())
    before = digest(src)
    ok = CliRunner().invoke(app, [str(src), "--out", str(tmp_path / "out"), "--pdf", "--jobs", "1"])
    assert ok.exit_code == 0, ok.output
    data = json.loads((tmp_path / "out" / "qd.json").read_text())
    assert data["signatures"][0]["signer"] == "Nguyễn Văn Bình"
    assert data["pages"][0]["text_source"] == "text_layer"
    assert PdfReader(tmp_path / "out" / "qd.pdf").metadata["/Subject"] == COPY_NOTE
    same = CliRunner().invoke(app, [str(src), "--out", str(src.parent), "--pdf", "--jobs", "1"])
    assert same.exit_code == 1 and "over the input itself" in same.output
    assert digest(src) == before


def test_signing_time_is_the_first_intact_signature() -> None:
    """The issue date may not be later than this (describe_text(signed_at=...)): the issuer signs
    first; a broken signature or a later timestamp says nothing about the document's own date."""
    from pipeline.signatures import Signature, signing_time

    sigs = [
        Signature("intact", signed_at="2025-01-24T20:01:14+07:00"),
        Signature("intact", signed_at="2025-01-23T09:00:00+07:00"),
        Signature("broken", signed_at="2025-01-01T09:00:00+07:00"),
        Signature("intact", signed_at="2024-12-01T09:00:00+07:00", kind="document_timestamp"),
    ]
    assert signing_time(sigs) == datetime.fromisoformat("2025-01-23T09:00:00+07:00")
    assert signing_time([]) is None
