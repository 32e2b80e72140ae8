"""An uploaded PDF that is a scan gets its PDF/A the image way (issue 15), judged by the real veraPDF.

The scanned PDFs are made here as scanners make them: a 1-bit CCITT G4 page and a JPEG page, each
with the scanner's own invisible text in a font it does not embed, whose codes map to `.notdef`, and a
typewriter note (FreeText) over the page. Ghostscript turned such a file (`real/congvan-1.pdf`) into
a PDF/A that veraPDF rejects (6.2.11.8-1) at 4.3x the scan; here the page images are copied byte for
byte, the scanner's text and the note are left out, sohoa's OCR text goes on, and veraPDF passes.
"""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import img2pdf
import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name
from PIL import Image

from ocr.engine import OcrOptions
from pipeline.archival import verapdf
from pipeline.archival.derivative import make_pdfa
from pipeline.archival.scanpdf import NotAScan, scan_layout
from pipeline.process import process_file
from pipeline.record import RecordResult, SourceObject
from pipeline.signatures import COPY_NOTE
from tests.fixtures.ocr.pages import render_page
from tests.test_pdfa import LINES as PAGE_LINES

LINES = PAGE_LINES[:6]  # the page of tests/test_pdfa.py
GARBAGE = "CHiJ NGHiA VIVT NAM SO GIAO"  # the scanner's reading, as in congvan-1


def _g4_page() -> bytes:
    """A full A4 page of text at 300 dpi as a 1-bit CCITT G4 TIFF."""
    gray = Image.fromarray(render_page(LINES + LINES[3:] * 6, size=(2480, 3508), font_px=46, margin=160))
    buf = io.BytesIO()
    bitonal = gray.point(lambda v: 255 if v > 150 else 0).convert("1")
    bitonal.save(buf, "TIFF", compression="group4", dpi=(300, 300))
    return buf.getvalue()


def _jpeg_page() -> bytes:
    img = Image.fromarray(render_page(LINES, size=(2480, 1700), font_px=46, margin=160, rgb=True))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80, dpi=(300, 300))
    return buf.getvalue()


def _scanner_pdf(pages: list[bytes], out: Path, *, visible: bool = False) -> Path:
    """img2pdf's PDF of `pages` with what a scanning program adds: its own text (render mode 3, or 0
    when `visible`) in Times-Roman not embedded, every code mapped to `.notdef`, and a FreeText note
    whose appearance uses Helvetica, not embedded either."""
    with pikepdf.open(io.BytesIO(img2pdf.convert(pages))) as pdf:
        font = pdf.make_indirect(
            Dictionary(
                Type=Name.Font,
                Subtype=Name.Type1,
                BaseFont=Name("/Times-Roman"),
                Encoding=Dictionary(
                    Type=Name.Encoding,
                    BaseEncoding=Name.WinAnsiEncoding,
                    Differences=Array([32, *[Name("/.notdef")] * 95]),
                ),
            )
        )
        helvetica = Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica)
        for page in pdf.pages:
            page.obj.Resources.Font = Dictionary(OPBaseFont0=font)
            mode = 0 if visible else 3
            text = f"BT {mode} Tr /OPBaseFont0 14 Tf 80 700 Td ({GARBAGE}) Tj ET".encode()
            page.contents_add(pdf.make_stream(text))
            note = pdf.make_stream(
                b"BT /Helv 9 Tf 1 0 0 rg 2 2 Td (Co Huong gui van ban) Tj ET",
                Type=Name.XObject,
                Subtype=Name.Form,
                BBox=Array([0, 0, 200, 20]),
                Resources=Dictionary(Font=Dictionary(Helv=helvetica)),
            )
            annot = Dictionary(
                Type=Name.Annot,
                Subtype=Name.FreeText,
                Rect=Array([100, 100, 300, 120]),
                DA=pikepdf.String("/Helv 9 Tf"),
                Contents=pikepdf.String("Cô Hương gửi văn bản"),
                F=4,
                AP=Dictionary(N=note),
            )
            page.obj.Annots = Array([pdf.make_indirect(annot)])
        pdf.save(out)
    return out


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("scanpdf")
    return {
        "bitonal": _scanner_pdf([_g4_page()], folder / "bitonal.pdf"),
        "mixed": _scanner_pdf([_g4_page(), _jpeg_page()], folder / "mixed.pdf"),
    }


@pytest.fixture(scope="module")
def built(scans: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, RecordResult]:
    folder = tmp_path_factory.mktemp("scanpdf-work")
    return {
        name: process_file(
            path,
            SourceObject("b", path.name, "e", path.stat().st_size),
            OcrOptions(pdf=True, workdir=folder / name),
        )
        for name, path in scans.items()
    }


def _one(value: object) -> object:
    """`[x]` and `x` say the same for /Filter and /DecodeParms."""
    return value[0] if isinstance(value, Array) and len(value) == 1 else value


def _images(path: Path) -> list[tuple[bytes, dict[str, str]]]:
    with pikepdf.open(path) as pdf:
        out = []
        for page in pdf.pages:
            (image,) = page.get_images().values()
            keys = ("/Filter", "/DecodeParms", "/Width", "/Height", "/BitsPerComponent", "/ColorSpace")
            out.append((image.read_raw_bytes(), {k: repr(_one(image.get(k))) for k in keys}))
        return out


def _boxes(path: Path) -> list[list[float]]:
    with pikepdf.open(path) as pdf:
        return [[float(v) for v in page.mediabox] for page in pdf.pages]


@pytest.mark.slow
def test_a_scanned_pdf_is_rebuilt_from_its_images_and_passes_verapdf(
    scans: dict[str, Path], built: dict[str, RecordResult], tmp_path: Path
) -> None:
    mixed = built["mixed"]
    # the copy of a signed original: same build, labelled a copy (the signed-original rule)
    copy_path, copy_info = make_pdfa(
        scans["mixed"],
        mixed.mime,
        mixed.pages,
        mixed.metadata,
        OcrOptions(pdf=True, workdir=tmp_path / "copy"),
        copy_of="intake/cau-giay/qd-123.pdf",
    )
    assert copy_path and copy_info["method"] == "scan_pdf"
    names = ["bitonal", "mixed"]
    verdicts = verapdf.validate([built[n].pdf_path for n in names] + [copy_path])  # one JVM
    for name, verdict in zip([*names, "copy"], verdicts, strict=True):
        assert verdict.compliant, f"{name}: {verdict.summary()}"

    for name, result in built.items():
        # the scanner's text was refused (a scan page) and the OCR read every page
        assert [p.text_source for p in result.pages] == ["ocr"] * len(result.pages), name
        assert result.pdfa["method"] == "scan_pdf", result.pdfa
        assert result.pdfa["pages_with_text"] == len(result.pages)
        assert result.pdfa["annotations_left_out"] == {"FreeText": len(result.pages)}
        # the page images byte for byte (G4 stays G4, the JPEG its DCT bytes), the pages their size
        assert _images(result.pdf_path) == _images(scans[name])
        assert _boxes(result.pdf_path) == _boxes(scans[name])
        text = subprocess.run(["pdftotext", str(result.pdf_path), "-"], capture_output=True, text=True).stdout
        assert "123/QĐ-UBND" in text and "QUYẾT ĐỊNH" in text
        assert GARBAGE not in text  # the scanner's own text is out
        # the note is drawn on the page the OCR reads, so its words are in our text layer; the note
        # itself (an annotation in a font it does not embed) is not in the PDF/A, and the record says so
        assert "Co Huong gui van ban" in text
        with pikepdf.open(result.pdf_path) as pdf:
            fonts = {str(f.get("/BaseFont")) for p in pdf.pages for f in p.Resources.Font.values()}
            assert fonts == {"/GlyphLessFont"}
            assert "/Annots" not in pdf.pages[0].obj

    # the size target for a 1-bit page: the PDF/A at most 1.3x the scan
    bitonal = built["bitonal"]
    assert bitonal.pdf_path.stat().st_size <= 1.3 * scans["bitonal"].stat().st_size

    with pikepdf.open(copy_path) as pdf:
        assert pdf.open_metadata()["dc:description"] == COPY_NOTE
        assert str(pdf.docinfo["/Subject"]) == COPY_NOTE


def _plain_pdf(tmp_path: Path, content: bytes, images: int = 1, cmyk: bool = False) -> pikepdf.Pdf:
    pdf = pikepdf.new()
    page = pdf.add_blank_page(page_size=(595, 842))
    mode = "CMYK" if cmyk else "L"
    xobjects = {}
    for i in range(images):
        buf = io.BytesIO()
        Image.new(mode, (100, 140), 255 if mode == "L" else (0, 0, 0, 0)).save(buf, "JPEG")
        xobjects[f"/Im{i}"] = pdf.make_stream(
            buf.getvalue(),
            Type=Name.XObject,
            Subtype=Name.Image,
            Width=100,
            Height=140,
            BitsPerComponent=8,
            ColorSpace=Name.DeviceCMYK if cmyk else Name.DeviceGray,
            Filter=Name.DCTDecode,
        )
    page.obj.Resources = Dictionary(
        XObject=Dictionary(xobjects),
        Font=Dictionary(F1=Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica)),
    )
    page.obj.Contents = pdf.make_stream(content)
    return pdf


@pytest.mark.parametrize(
    ("content", "images", "cmyk", "reason"),
    [
        (b"BT /F1 12 Tf 3 Tr (x) Tj ET q 595 0 0 842 0 0 cm /Im0 Do Q", 1, False, None),
        (b"BT /F1 12 Tf (under the image) Tj ET q 595 0 0 842 0 0 cm /Im0 Do Q", 1, False, None),
        (b"q 595 0 0 842 0 0 cm /Im0 Do Q BT /F1 12 Tf (printed) Tj ET", 1, False, "visible_text"),
        (b"q 595 0 0 842 0 0 cm /Im0 Do Q q 595 0 0 842 0 0 cm /Im1 Do Q", 2, False, "more_than_one_image"),
        (b"q 300 0 0 400 0 0 cm /Im0 Do Q", 1, False, "image_not_full_page"),
        (b"q 595 0 0 842 0 0 cm /Im0 Do Q 0 0 100 100 re f", 1, False, "drawing"),
        (b"q 595 0 0 842 0 0 cm /Im0 Do Q", 1, True, "image_colour_space"),
        (b"BT /F1 12 Tf (born digital) Tj ET", 0, False, "no_image"),
    ],
)
def test_the_page_structure_decides(
    tmp_path: Path, content: bytes, images: int, cmyk: bool, reason: str | None
) -> None:
    """A scan page: one image over the page, any other text invisible or under it. Anything else
    (printed text over it, a second image or drawing, a small image, CMYK) goes to Ghostscript."""
    with _plain_pdf(tmp_path, content, images, cmyk) as pdf:
        if reason is None:
            [page] = scan_layout(pdf)
            assert page.matrix == [595, 0, 0, 842, 0, 0]
        else:
            with pytest.raises(NotAScan) as raised:
                scan_layout(pdf)
            assert raised.value.reason == reason
