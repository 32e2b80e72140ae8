"""An uploaded PDF that is a scan, rebuilt the image way: each page's image as stored, nothing else.

A scanner or a scanning program writes one image per page and, often, its own invisible text on top
(OCR in fonts it does not embed, or garbage: `real/congvan-1.pdf` draws WinAnsi Times over a G4 page).
The pipeline does not use that text (`ocr.textlayer` refuses it as `scanned_page` and OCRs the page),
and sending the page through Ghostscript embeds substitute fonts for it, several times the scan's size,
and keeps its `.notdef` glyphs, which PDF/A forbids. So such a PDF is rebuilt as the image uploads are:
a new page of the same boxes and /Rotate, the image XObject's compressed data copied as it is (DCT,
CCITT, Flate: never decoded), drawn with the same matrix, and nothing else; `pdfa.py` then adds the OCR
text layer, the output intent and the XMP.

`scan_layout` decides by the page structure: a page is a scan page when its content draws exactly one
image over at least `FULL_PAGE` of the visible page and otherwise only text that does not show
(render mode 3 or 7, or painted before the image, which covers it) and graphics-state operators. Any
other drawing, a form XObject, an inline image, an image PDF/A or this copy cannot carry as is (a
filter outside `FILTERS`, CMYK or other colour spaces, masks, an ICC profile above v4.2) and the whole
document goes to Ghostscript, as born-digital PDFs do. Annotations are not copied (a signature field
cannot be kept by a copy; a note drawn in a font it does not embed is not PDF/A): their count is said.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf

from ocr.pagescan import NotAScan, drawn_image, filters
from ocr.pdfdoc import inherited

FULL_PAGE = 0.9  # share of the visible page the image must cover
FILTERS = {Name.DCTDecode, Name.CCITTFaxDecode, Name.FlateDecode, Name.RunLengthDecode}
_COPIED = ("/Width", "/Height", "/BitsPerComponent", "/Decode")
_IMAGE_KEY = "/Im0"


@dataclass
class ScanPage:
    """One page of a scanned PDF: its image, the matrix that draws it, the boxes it is seen in."""

    image: pikepdf.Stream
    matrix: list[float]  # a b c d e f, the CTM at the image's `Do`
    boxes: dict[str, pikepdf.Object]  # /MediaBox, /CropBox, /Rotate, /UserUnit as the page has them
    annotations: Counter[str] = field(default_factory=Counter)  # subtype -> how many, left out


def _icc_ok(profile: pikepdf.Object) -> bool:
    """An ICC profile stream PDF/A-2 takes: 1 or 3 components, version at most 4.2."""
    if not isinstance(profile, pikepdf.Stream) or int(profile.get("/N", 0)) not in (1, 3):
        return False
    try:
        header = profile.read_bytes()[:12]
    except pikepdf.PdfError:
        return False
    return len(header) == 12 and (header[8], header[9]) <= (4, 0x20)


def _base_ok(cs: pikepdf.Object) -> bool:
    if cs in (Name.DeviceGray, Name.DeviceRGB):
        return True
    return isinstance(cs, Array) and len(cs) == 2 and cs[0] == Name.ICCBased and _icc_ok(cs[1])


def _colour_space_ok(cs: pikepdf.Object) -> bool:
    if _base_ok(cs):
        return True
    return isinstance(cs, Array) and len(cs) == 4 and cs[0] == Name.Indexed and _base_ok(cs[1])


def _image_problem(image: pikepdf.Object) -> str | None:
    """Why this image cannot be copied as is into the PDF/A, or None."""
    if image.get("/ImageMask") or "/SMask" in image or "/Mask" in image:
        return "masked_image"
    if not all(f in FILTERS for f in filters(image)):
        return "image_filter"
    if not _colour_space_ok(image.get("/ColorSpace")):
        return "image_colour_space"
    return None


def _page_layout(page: pikepdf.Page, page_no: int) -> ScanPage:
    """The one image of a scan page and how it is drawn; NotAScan says why the page is not one."""
    drawn = drawn_image(page, page_no)
    problem = _image_problem(drawn.image)
    if problem:
        raise NotAScan(problem, page_no)
    image, m = drawn.image, drawn.matrix
    box = [float(v) for v in (inherited(page.obj, "/CropBox") or inherited(page.obj, "/MediaBox"))]
    corners = np.array([[0, 0, 1], [1, 0, 1], [0, 1, 1], [1, 1, 1]], dtype=np.float64) @ m
    ix0, iy0 = corners[:, :2].min(axis=0)
    ix1, iy1 = corners[:, :2].max(axis=0)
    bx0, by0, bx1, by1 = min(box[0], box[2]), min(box[1], box[3]), max(box[0], box[2]), max(box[1], box[3])
    overlap = max(0.0, min(ix1, bx1) - max(ix0, bx0)) * max(0.0, min(iy1, by1) - max(iy0, by0))
    if overlap < FULL_PAGE * (bx1 - bx0) * (by1 - by0):
        raise NotAScan("image_not_full_page", page_no)
    boxes = {k: inherited(page.obj, k) for k in ("/MediaBox", "/CropBox", "/Rotate", "/UserUnit")}
    annotations = Counter(str(a.get("/Subtype", "?")).lstrip("/") for a in page.obj.get("/Annots", []))
    return ScanPage(image, [float(v) for v in m[:, :2].ravel()], boxes, annotations)


def scan_layout(pdf: Pdf) -> list[ScanPage]:
    """Every page's image and placement; NotAScan (with the first page that is not) otherwise."""
    return [_page_layout(page, i) for i, page in enumerate(pdf.pages, 1)]


def _foreign(out: Pdf, obj: Any) -> Any:
    """`obj` of another PDF as an object of `out` (qpdf copies only indirect objects across)."""
    if not isinstance(obj, pikepdf.Object):
        return obj  # None, or a number or boolean (pikepdf gives them as Python values)
    if obj.is_indirect:
        return out.copy_foreign(obj)
    if isinstance(obj, Array):
        return Array([_foreign(out, v) for v in obj])
    if isinstance(obj, Dictionary):
        return Dictionary({k: _foreign(out, v) for k, v in obj.items()})
    return pikepdf.Object.parse(obj.unparse())  # a name, number, string, boolean or null


def _copy_stream(out: Pdf, stream: pikepdf.Stream, keys: tuple[str, ...]) -> pikepdf.Stream:
    """A new stream in `out` holding `stream`'s encoded data, byte for byte, and only `keys` of its
    dictionary besides the filters."""
    copy = out.make_stream(b"")
    copy.write(
        stream.read_raw_bytes(),
        filter=_foreign(out, stream.get("/Filter")),
        decode_parms=_foreign(out, stream.get("/DecodeParms")),
    )
    for key in keys:
        if key in stream:
            copy[key] = _foreign(out, stream[key])
    return copy


def _colour_space(out: Pdf, cs: pikepdf.Object) -> pikepdf.Object:
    if isinstance(cs, Name):
        return Name(str(cs))
    if cs[0] == Name.ICCBased:
        return Array([Name.ICCBased, _copy_stream(out, cs[1], ("/N",))])
    lookup = cs[3]
    lookup = _copy_stream(out, lookup, ()) if isinstance(lookup, pikepdf.Stream) else _foreign(out, lookup)
    return Array([Name.Indexed, _colour_space(out, cs[1]), int(cs[2]), lookup])


def rebuild(layout: list[ScanPage]) -> Pdf:
    """A new PDF of the scan pages: each its boxes, its image (encoded data copied), one `Do`."""
    out = Pdf.new()
    for page in layout:
        image = _copy_stream(out, page.image, _COPIED)
        image.Type, image.Subtype = Name.XObject, Name.Image
        image.ColorSpace = _colour_space(out, page.image.ColorSpace)
        matrix = " ".join(f"{v:.6f}".rstrip("0").rstrip(".") for v in page.matrix)
        content = f"q {matrix} cm {_IMAGE_KEY} Do Q".encode()
        obj = Dictionary(
            Type=Name.Page,
            Resources=Dictionary(XObject=Dictionary({_IMAGE_KEY: image})),
            Contents=out.make_stream(content),
        )
        for key, value in page.boxes.items():
            if value is not None:
                obj[key] = _foreign(out, value)
        out.pages.append(pikepdf.Page(obj))
    return out
