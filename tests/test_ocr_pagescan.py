"""A PDF page that is one scan is read as its stored image: the same pixels a TIFF of the scan gives,
placed and turned as poppler renders the page, and any page that is more than that is left to poppler."""

from __future__ import annotations

import io
import zlib
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from pikepdf import Dictionary, Name
from PIL import Image

from ocr import loader, pagescan, poppler
from ocr.engine import ocr_file
from tests.fixtures.ocr.pages import render_page

MAX_PIXELS = 200_000_000
PAGE = render_page(["Số: 12/QĐ-UBND", "Hà Nội, ngày 3 tháng 4"], size=(330, 240), font_px=22, margin=20)


def _stored(kind: str) -> tuple[bytes, dict[str, object], np.ndarray]:
    """The image's encoded bytes, its dictionary and the pixels it decodes to."""
    if kind in ("gray-flate", "rgb-flate"):
        arr = PAGE if kind == "gray-flate" else np.dstack([PAGE, PAGE // 2 + 100, PAGE])
        space = Name.DeviceGray if arr.ndim == 2 else Name.DeviceRGB
        keys = {"ColorSpace": space, "BitsPerComponent": 8, "Filter": Name.FlateDecode}
        return zlib.compress(arr.tobytes()), keys, arr
    if kind in ("gray-jpeg", "rgb-jpeg"):
        img = Image.fromarray(PAGE).convert("L" if kind == "gray-jpeg" else "RGB")
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=75)
        space = Name.DeviceGray if img.mode == "L" else Name.DeviceRGB
        keys = {"ColorSpace": space, "BitsPerComponent": 8, "Filter": Name.DCTDecode}
        return buf.getvalue(), keys, np.asarray(Image.open(io.BytesIO(buf.getvalue())))
    bits = PAGE > 128  # 1-bit: white is 1 in DeviceGray
    if kind == "bitonal-flate":
        packed = np.packbits(bits, axis=1).tobytes()
        keys = {"ColorSpace": Name.DeviceGray, "BitsPerComponent": 1, "Filter": Name.FlateDecode}
        return zlib.compress(packed), keys, np.where(bits, 255, 0).astype(np.uint8)
    bitonal = np.where(bits, 255, 0).astype(np.uint8)
    buf = io.BytesIO()  # CCITT G4, the strip out of a TIFF
    Image.fromarray(bitonal).convert("1").save(buf, "TIFF", compression="group4")
    tiff = Image.open(io.BytesIO(buf.getvalue()))
    offset, length = tiff.tag_v2[273][0], tiff.tag_v2[279][0]
    h, w = PAGE.shape
    keys = {
        "ColorSpace": Name.DeviceGray,
        "BitsPerComponent": 1,
        "Filter": Name.CCITTFaxDecode,
        "DecodeParms": Dictionary(
            K=-1, Columns=w, Rows=h, BlackIs1=True
        ),  # Pillow writes 1 = white (photometric 1)
    }
    return buf.getvalue()[offset : offset + length], keys, bitonal


def _scan_pdf(path: Path, kind: str, ppi: float, rotate: int = 0, content: bytes | None = None) -> np.ndarray:
    data, keys, pixels = _stored(kind)
    h, w = PAGE.shape
    pw, ph = w * 72 / ppi, h * 72 / ppi
    pdf = pikepdf.new()
    image = pdf.make_stream(data, Type=Name.XObject, Subtype=Name.Image, Width=w, Height=h, **keys)
    page = pdf.add_blank_page(page_size=(pw, ph))
    page.obj.Resources = Dictionary(
        XObject=Dictionary(Im0=image),
        Font=Dictionary(F1=Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica)),
    )
    page.obj.Contents = pdf.make_stream(content or f"q {pw:.4f} 0 0 {ph:.4f} 0 0 cm /Im0 Do Q".encode())
    if rotate:
        page.obj.Rotate = rotate
    pdf.save(path)
    return pixels


KINDS = ["gray-flate", "rgb-flate", "gray-jpeg", "rgb-jpeg", "bitonal-flate", "bitonal-g4"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("ppi", [150, 200, 300, 400])
@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
def test_a_scan_page_is_its_stored_image_where_poppler_draws_it(
    tmp_path: Path, kind: str, ppi: int, rotate: int
) -> None:
    path = tmp_path / "scan.pdf"
    pixels = _scan_pdf(path, kind, ppi, rotate)
    scan = pagescan.read_page_scan(path, 1, MAX_PIXELS)
    assert scan is not None and scan.ppi == pytest.approx(ppi, rel=1e-3)
    assert np.array_equal(scan.image, np.rot90(pixels, -rotate // 90))  # the stored pixels, exactly
    # poppler, rendering the page at the scan's resolution, puts the same picture in the same place
    rendered = poppler.render_page(path, 1, dpi=ppi, gray=scan.image.ndim == 2)
    assert rendered.shape == scan.image.shape
    assert np.abs(rendered.astype(int) - scan.image).mean() < 12  # Splash smooths strokes, nothing more


IMAGE = b"q 165 0 0 120 0 0 cm /Im0 Do Q"  # the 330 x 240 scan at 144 ppi fills the 165 x 120 pt page


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (IMAGE + b" BT /F1 12 Tf 10 10 Td (printed) Tj ET", "text printed over the scan"),
        (IMAGE + b" 0 0 20 20 re f", "a box drawn over it"),
        (b"q 82 0 0 60 0 0 cm /Im0 Do Q", "the scan covers a quarter of the page"),
        (b"q 0 120 -165 0 165 0 cm /Im0 Do Q", "the scan turned by the matrix"),
        (b"q 165 0 0 -120 0 120 cm /Im0 Do Q", "the scan mirrored"),
        (b"q 0 0 100 100 re W n " + IMAGE[2:], "a clip"),
        (b"/GS0 gs " + IMAGE, "a graphics state (it may make the scan translucent)"),
        (IMAGE + b" " + IMAGE, "two images"),
    ],
)
def test_a_page_that_is_more_than_a_scan_is_left_to_poppler(tmp_path: Path, content: bytes, why: str) -> None:
    path = tmp_path / "page.pdf"
    _scan_pdf(path, "gray-flate", 144, content=content)
    assert pagescan.read_page_scan(path, 1, MAX_PIXELS) is None, why


def test_invisible_ocr_text_over_a_scan_is_no_obstacle(tmp_path: Path) -> None:
    """What scanners write: the scan, then their own OCR in render mode 3 (it paints nothing)."""
    path = tmp_path / "page.pdf"
    pixels = _scan_pdf(path, "gray-flate", 144, content=IMAGE + b" BT 3 Tr /F1 12 Tf 10 10 Td (So 12) Tj ET")
    scan = pagescan.read_page_scan(path, 1, MAX_PIXELS)
    assert scan is not None and np.array_equal(scan.image, pixels)


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda pdf, img: setattr(img, "Decode", pikepdf.Array([1, 0])), "a decode array"),
        (lambda pdf, img: setattr(img, "SMask", pdf.make_stream(b"\xff" * 330 * 240)), "a soft mask"),
        (lambda pdf, img: setattr(pdf.pages[0].obj, "UserUnit", 2), "points twice as large"),
        (lambda pdf, img: setattr(pdf.pages[0].obj, "CropBox", pikepdf.Array([0, 0, 100, 100])),
         "a crop box inside the scan"),
        (lambda pdf, img: setattr(pdf.pages[0].obj, "Annots", pikepdf.Array([Dictionary(Subtype=Name.Text)])),
         "an annotation drawn over it"),
    ],
)  # fmt: skip
def test_images_poppler_would_draw_otherwise_are_rendered(tmp_path: Path, change: object, why: str) -> None:
    path = tmp_path / "page.pdf"
    _scan_pdf(path, "gray-flate", 144)
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        change(pdf, pdf.pages[0].Resources.XObject.Im0)  # type: ignore[operator]
        pdf.save(path)
    assert pagescan.read_page_scan(path, 1, MAX_PIXELS) is None, why


def test_an_image_over_the_pixel_limit_is_not_decoded(tmp_path: Path) -> None:
    """The limit is checked on the image's declared size, before any decoding (a bomb costs nothing)."""
    path = tmp_path / "page.pdf"
    _scan_pdf(path, "gray-flate", 144)
    h, w = PAGE.shape
    assert pagescan.read_page_scan(path, 1, w * h) is not None
    assert pagescan.read_page_scan(path, 1, w * h - 1) is None


def test_a_scan_whose_data_is_damaged_is_left_to_the_renderer(tmp_path: Path) -> None:
    """A truncated or garbled image stream: no pixels are made up here; poppler reads what it can, or
    the page fails with the renderer's reason (and the other pages go on)."""
    path = tmp_path / "page.pdf"
    _scan_pdf(path, "gray-flate", 144)
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        image = pdf.pages[0].Resources.XObject.Im0
        image.write(zlib.compress(PAGE.tobytes())[:300], filter=Name.FlateDecode)  # cut short
        pdf.save(path)
    assert pagescan.read_page_scan(path, 1, MAX_PIXELS) is None
    (page,) = loader.iter_page_images(path, dpi=144)
    assert page.render_dpi == 144  # the renderer's turn


def test_a_scan_reads_the_same_wrapped_in_a_pdf_as_a_tiff(tmp_path: Path) -> None:
    """Real Tesseract: the PDF of a 200-dpi G4 fax page and the TIFF of it give the same page."""
    text = ["QUYẾT ĐỊNH", "Về việc công nhận kết quả", "Số: 128/QĐ-UBND", "Hà Nội, ngày 12 tháng 3 năm 2025"]
    page = render_page(text, size=(1300, 500), font_px=36, margin=60)
    bits = Image.fromarray(np.where(page > 128, 255, 0).astype(np.uint8)).convert("1")
    tiff, pdf = tmp_path / "fax.tif", tmp_path / "fax.pdf"
    bits.save(tiff, compression="group4", dpi=(200, 200))
    bits.save(pdf, "PDF", resolution=200)
    from_tiff, from_pdf = ocr_file(tiff).pages[0], ocr_file(pdf).pages[0]
    assert "128/QĐ-UBND" in from_tiff.text
    assert next(loader.iter_page_images(pdf)).render_dpi is None  # read as stored, not rendered
    assert from_pdf.text == from_tiff.text
    assert from_pdf.source_size == from_tiff.source_size == (1300, 500)
