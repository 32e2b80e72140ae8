"""The PDF/A-2b derivative of a record: the scan as uploaded, the invisible OCR text, XMP metadata.

Images (TIFF, PNG, JPEG) go in untouched by re-encoding: img2pdf copies their compressed data into
the PDF (a 1-bit CCITT G4 TIFF stays G4, a gray PNG keeps its Flate data, a JPEG its DCT bytes;
what it cannot copy it re-encodes losslessly). An uploaded PDF that is a scan (one full-page image a
page, its own text not used: the OCR read every page) is rebuilt the same way from its page images,
their data copied, its own text left out (`scanpdf.py`). Any other uploaded PDF keeps its pages, and
Ghostscript rewrites whatever in them PDF/A forbids (`ghostscript.py`). Every page with OCR words gets the
invisible text layer (`textlayer.py`). Then the XMP metadata from the record, the sRGB output intent,
and the PDF/A identification. veraPDF (`verapdf.py`) is the judge; nothing here only claims it.

`build_pdfa` raises `PdfaError`: the caller keeps the record's text and metadata and records why.
"""

from __future__ import annotations

import io
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import img2pdf
import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf
from PIL import Image, ImageOps

from ocr.loader import PDF
from ocr.model import TEXT_LAYER, PageResult
from pipeline.archival import ghostscript, scanpdf
from pipeline.archival.errors import PdfaError
from pipeline.archival.textlayer import add_text_layer, glyphless_font, highest_code
from pipeline.signatures import COPY_NOTE

# Version-2 ICC profiles for the output intent (PDF/A-2 takes ICC up to v4.2; littleCMS's built-in sRGB
# is v4.4), from Debian's libgs-common, which comes with ghostscript. A document of gray and 1-bit pages
# only gets the gray one: 416 bytes instead of 2.5 kB, which counts against a 25 kB G4 page.
ICC_FOLDERS = [Path("/usr/share/color/icc/ghostscript"), Path("/usr/share/ghostscript/iccprofiles")]
SRGB, SGRAY = "srgb.icc", "sgray.icc"
CREATOR_TOOL = "sohoa"
LANGUAGE_CODES = {"vi": ["vi"], "en": ["en"], "mixed": ["vi", "en"]}


@dataclass
class PdfaBuild:
    path: Path
    # "images" (img2pdf, images copied), "scan_pdf" (a scanned PDF's page images copied, its text
    # left out) or "ghostscript" (an uploaded PDF rewritten)
    method: str
    pages: int
    pages_with_text: int
    size: int
    seconds: float
    not_a_scan: str | None = None  # an uploaded PDF sent to Ghostscript: why not the image way
    annotations_left_out: dict[str, int] | None = None  # a scanned PDF's annotations, by subtype

    def to_dict(self) -> dict[str, Any]:
        out = {
            "method": self.method,
            "pages": self.pages,
            "pages_with_text": self.pages_with_text,
            "size": self.size,
            "seconds": round(self.seconds, 3),
        }
        if self.not_a_scan:
            out["not_a_scan"] = self.not_a_scan
        if self.annotations_left_out:
            out["annotations_left_out"] = self.annotations_left_out
        return out


def icc_profile(name: str = SRGB) -> bytes:
    for folder in ICC_FOLDERS:
        if (folder / name).is_file():
            return (folder / name).read_bytes()
    raise PdfaError(
        f"no ICC profile {name} in {', '.join(map(str, ICC_FOLDERS))}: apt-get install ghostscript",
        reason="tool_missing",
    )


def _gray_only(pdf: Pdf) -> bool:
    """Every image of every page is gray or 1-bit (DeviceGray, or an ICC profile with one component)."""
    for page in pdf.pages:
        for _, image in page.get_images().items():
            cs = image.get("/ColorSpace")
            if image.get("/ImageMask"):
                continue
            if cs == Name.DeviceGray:
                continue
            if (
                isinstance(cs, Array)
                and len(cs) == 2
                and cs[0] == Name.ICCBased
                and int(cs[1].get("/N", 0)) == 1
            ):
                continue
            return False
    return True


def _image_pdf(source: Path) -> bytes:
    """img2pdf's PDF of the image's frames, their compressed data copied. Frames it refuses (alpha,
    a mirrored EXIF orientation) are flattened on white and re-encoded losslessly (PNG)."""
    try:
        return img2pdf.convert(str(source))
    except (img2pdf.AlphaChannelError, img2pdf.ExifOrientationError, ValueError):
        pass
    frames: list[bytes] = []
    with Image.open(source) as img:
        for i in range(getattr(img, "n_frames", 1)):
            img.seek(i)
            frame = ImageOps.exif_transpose(img) if img.format == "JPEG" else img.copy()
            if frame.mode in ("RGBA", "LA", "PA", "P") or "transparency" in frame.info:
                rgba = frame.convert("RGBA")
                white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
                frame = Image.alpha_composite(white, rgba).convert("RGB")
            buf = io.BytesIO()
            frame.save(buf, "PNG", dpi=img.info.get("dpi", (300, 300)))
            frames.append(buf.getvalue())
    return img2pdf.convert(frames)


_XMP_NAMESPACES = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
}


def _rdf_list(kind: str, values: Sequence[str], lang: bool = False) -> str:
    attr = ' xml:lang="x-default"' if lang else ""
    items = "".join(f"<rdf:li{attr}>{escape(v)}</rdf:li>" for v in values)
    return f"<rdf:{kind}>{items}</rdf:{kind}>"


def xmp_packet(properties: Mapping[str, str], lists: Mapping[str, str]) -> bytes:
    """An XMP packet of one rdf:Description: simple properties as attributes, the others as elements
    (`lists`: name -> its RDF container). Compact on purpose: qpdf keeps metadata streams uncompressed
    (XMP packets are meant to be found by scanning the file), so every byte of it is in the file."""
    ns = " ".join(f'xmlns:{k}="{v}"' for k, v in _XMP_NAMESPACES.items())
    attrs = "".join(f' {k}="{escape(v, {chr(34): "&quot;"})}"' for k, v in properties.items())
    body = "".join(f"<{k}>{v}</{k}>" for k, v in lists.items())
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        f'<rdf:Description rdf:about="" {ns}{attrs}>{body}</rdf:Description></rdf:RDF></x:xmpmeta>'
        '<?xpacket end="w"?>'
    ).encode()


def _pdf_date(moment: datetime) -> str:
    return moment.strftime("D:%Y%m%d%H%M%S+00'00'")


def _xmp(pdf: Pdf, metadata: Mapping[str, Any], title_fallback: str, copy_of: str | None) -> None:
    """Title = trích yếu, creator = issuing body, identifier = document number, date = issue date,
    language; the PDF/A-2b identification; for the copy of a signed original, the copy note and the
    original. A small Info dictionary beside it (PDF/A asks the two to agree): the title and issuing
    body always, as viewers reading only the Info dictionary (PDFium, poppler's pdfinfo) show them; the
    rest only on a copy of a signed original, whose label must show in every viewer's document
    properties."""
    now = datetime.now(UTC).replace(microsecond=0)
    title = metadata.get("subject") or " ".join(
        str(v) for v in (metadata.get("doc_type"), metadata.get("doc_number")) if v
    )
    title = str(title or title_fallback)
    producer = f"{CREATOR_TOOL} (pikepdf {pikepdf.__version__})"
    properties = {
        "pdfaid:part": "2",
        "pdfaid:conformance": "B",
        "xmp:CreatorTool": CREATOR_TOOL,
        "xmp:CreateDate": now.isoformat(),
        "pdf:Producer": producer,
    }
    lists = {"dc:title": _rdf_list("Alt", [title], lang=True)}
    if metadata.get("issuing_body"):
        lists["dc:creator"] = _rdf_list("Seq", [str(metadata["issuing_body"])])
    if metadata.get("doc_number"):
        properties["dc:identifier"] = str(metadata["doc_number"])
    if metadata.get("issue_date"):
        lists["dc:date"] = _rdf_list("Seq", [str(metadata["issue_date"])])
    if metadata.get("doc_type"):
        lists["dc:type"] = _rdf_list("Bag", [str(metadata["doc_type"])])
    languages = LANGUAGE_CODES.get(str(metadata.get("language")))
    if languages:
        lists["dc:language"] = _rdf_list("Bag", languages)
    if copy_of:
        lists["dc:description"] = _rdf_list("Alt", [COPY_NOTE], lang=True)
        properties["dc:source"] = copy_of
    pdf.Root.Metadata = pdf.make_stream(xmp_packet(properties, lists), Type=Name.Metadata, Subtype=Name.XML)
    info = Dictionary(Title=pikepdf.String(title))
    if metadata.get("issuing_body"):
        info.Author = pikepdf.String(str(metadata["issuing_body"]))
    if copy_of:
        info.Subject = pikepdf.String(COPY_NOTE)
        info.Creator = pikepdf.String(CREATOR_TOOL)
        info.Producer = pikepdf.String(producer)
        info.CreationDate = pikepdf.String(_pdf_date(now))
    pdf.trailer.Info = pdf.make_indirect(info)  # replaces the input's, with whatever it said


def _save(pdf: Pdf, out_path: Path) -> None:
    """Object streams (PDF 1.5, allowed in PDF/A-2) for the small objects; the XMP as written."""
    pdf.save(out_path, fix_metadata_version=False, object_stream_mode=pikepdf.ObjectStreamMode.generate)


def _output_intent(pdf: Pdf) -> None:
    gray = _gray_only(pdf)
    profile = pdf.make_stream(icc_profile(SGRAY if gray else SRGB), N=1 if gray else 3)
    name = "sGray" if gray else "sRGB"
    intent = Dictionary(
        Type=Name.OutputIntent,
        S=Name.GTS_PDFA1,
        OutputConditionIdentifier=pikepdf.String(name),
        Info=pikepdf.String(name),
        DestOutputProfile=profile,
    )
    pdf.Root.OutputIntents = Array([pdf.make_indirect(intent)])


def _strip_forbidden(pdf: Pdf) -> None:
    """What PDF/A forbids and img2pdf or a scanner may leave: /Interpolate true on images."""
    for page in pdf.pages:
        for _, image in page.get_images().items():
            if image.get("/Interpolate"):
                del image["/Interpolate"]


def _uploaded_pdf(source: Path, pages: Sequence[PageResult]) -> tuple[Pdf, str | None, dict[str, int] | None]:
    """The uploaded PDF to build on, why it is not a scan (None: it is, and it was rebuilt from its page
    images) and, for a scan, the annotations left out. A page whose own text the pipeline used keeps
    it: the document goes to Ghostscript. So does one whose page count the OCR does not match (the
    caller says so)."""
    pdf = Pdf.open(source)
    if any(p.text_source == TEXT_LAYER for p in pages):
        return pdf, "text_layer_used", None
    if len(pdf.pages) != len(pages):
        return pdf, "page_count", None
    try:
        layout = scanpdf.scan_layout(pdf)
    except scanpdf.NotAScan as exc:
        return pdf, exc.reason, None
    except (pikepdf.PdfError, ValueError, TypeError, KeyError, IndexError):
        return pdf, "unreadable_structure", None  # Ghostscript may still read it
    rebuilt = scanpdf.rebuild(layout)
    pdf.close()
    left_out: dict[str, int] = {}
    for page in layout:
        for kind, n in page.annotations.items():
            left_out[kind] = left_out.get(kind, 0) + n
    return rebuilt, None, left_out or None


def build_pdfa(
    source: Path,
    mime: str,
    pages: Sequence[PageResult],
    metadata: Mapping[str, Any],
    out_path: Path,
    *,
    font_file: Path,
    workdir: Path,
    copy_of: str | None = None,
) -> PdfaBuild:
    """Write the PDF/A-2b of one record to `out_path`. `pages` are the OCR results, in page order."""
    start = time.perf_counter()
    by_no = {p.page_no: p for p in pages}
    not_a_scan, left_out = None, None
    try:
        if mime == PDF:
            pdf, not_a_scan, left_out = _uploaded_pdf(source, pages)
            method = "ghostscript" if not_a_scan else "scan_pdf"
        else:
            pdf = Pdf.open(io.BytesIO(_image_pdf(source)))
            method = "images"
    except (pikepdf.PdfError, OSError, ValueError, img2pdf.ImageOpenError) as exc:
        raise PdfaError(f"the scan cannot be put into a PDF: {exc}", reason="pdfa_source") from exc
    with pdf:
        if len(pdf.pages) != len(pages):
            raise PdfaError(
                f"the PDF has {len(pdf.pages)} pages, the OCR {len(pages)}: the text cannot be placed",
                reason="pdfa_pages",
            )
        font = glyphless_font(pdf, font_file, highest_code(w.text for p in pages for w in p.words))
        with_text = sum(
            add_text_layer(pdf, page, by_no[i], font) for i, page in enumerate(pdf.pages, 1) if i in by_no
        )
        if method == "ghostscript":
            grafted = workdir / "pdfa-input.pdf"
            pdf.save(grafted)
        else:
            _strip_forbidden(pdf)
            _output_intent(pdf)
            _xmp(pdf, metadata, source.name, copy_of)
            _save(pdf, out_path)
    if method == "ghostscript":
        converted = workdir / "pdfa-gs.pdf"
        ghostscript.to_pdfa(grafted, converted, icc_profile(SRGB), workdir)
        with Pdf.open(converted) as pdf:
            _xmp(pdf, metadata, source.name, copy_of)
            _save(pdf, out_path)
        grafted.unlink(missing_ok=True)
        converted.unlink(missing_ok=True)
    return PdfaBuild(
        out_path,
        method,
        len(pages),
        with_text,
        out_path.stat().st_size,
        time.perf_counter() - start,
        not_a_scan,
        left_out,
    )
