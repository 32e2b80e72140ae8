"""PDF pages that are one scanned image: which image a page draws, and its pixels read as stored.

A scanner or a scanning program writes one image per page and, often, its own invisible text on top.
`drawn_image` walks a page's content and finds that image and the matrix that draws it, or says why the
page is more than that (`NotAScan`): any other drawing, a second image, an inline image, visible text.
The PDF/A rebuild (`pipeline.archival.scanpdf`) copies such images into the archival copy.

The loader reads them (`read_page_scan`): rendering a scan page with `pdftoppm` at 300 dpi costs 0.25-0.6
CPU s, more than a fifth of what Tesseract spends on the page, and resamples the scan even at its own
resolution (Splash smooths the strokes; a 200-dpi fax is blown up to 300). Taking the image's own pixels
costs a tenth of that and gives exactly what a TIFF of the same scan gives, so a scan reads the same
whether it was uploaded as an image or wrapped in a PDF. Only the plain case is read so: the image
upright and covering the media box, no annotations or graphics states, 8-bit gray or RGB or 1-bit gray,
no masks or decode arrays, a filter pikepdf decodes itself. Any other page is rendered as before.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pikepdf
from pikepdf import Array, Dictionary, Name

from ocr.pdfdoc import inherited, page_box, page_rotation

# outside a text object: graphics and text state, colour, marked content; nothing that draws
_STATE_OPS = {"q", "Q", "cm", "w", "J", "j", "M", "d", "ri", "i", "gs", "BX", "EX", "MP", "DP", "BMC", "BDC"}
_STATE_OPS |= {"EMC", "rg", "RG", "g", "G", "k", "K", "cs", "CS", "sc", "scn", "SC", "SCN"}
_STATE_OPS |= {"Tc", "Tw", "Tz", "TL", "Tf", "Ts", "Tr"}
_SHOW_OPS = {"Tj", "TJ", "'", '"'}
_INVISIBLE = (3, 7)  # text render modes that paint nothing

_DECODED_FILTERS = {
    Name.FlateDecode,
    Name.DCTDecode,
    Name.CCITTFaxDecode,
    Name.LZWDecode,
    Name.RunLengthDecode,
}
# an unreadable file or an undecodable image (pikepdf's own errors, and Pillow's while decoding)
_UNREADABLE = (
    pikepdf.PikepdfError,
    OSError,
    ValueError,
    TypeError,
    KeyError,
    NotImplementedError,
    AttributeError,
)
_TOLERANCE_PT = 1.0  # how far the image's edges may be from the page's (a scanner's rounding)


class NotAScan(Exception):
    """Why a PDF page is not one scanned image (`reason`: a short code)."""

    def __init__(self, reason: str, page_no: int) -> None:
        super().__init__(f"page {page_no}: {reason}")
        self.reason = reason
        self.page_no = page_no


@dataclass
class DrawnImage:
    image: pikepdf.Stream
    matrix: np.ndarray  # 3 x 3, the CTM at the image's `Do` (row vectors: [x y 1] @ matrix)
    graphics_state: bool  # an ExtGState (`gs`) was set: it may make the image translucent or blend it


def _matrix(values: list[pikepdf.Object]) -> np.ndarray:
    a, b, c, d, e, f = (float(v) for v in values)
    return np.array([[a, b, 0.0], [c, d, 0.0], [e, f, 1.0]])


def filters(image: pikepdf.Stream) -> list[pikepdf.Object]:
    found = image.get("/Filter")
    if found is None:
        return []
    return list(found) if isinstance(found, Array) else [found]


def drawn_image(page: pikepdf.Page, page_no: int) -> DrawnImage:
    """The one image XObject the page draws, and how; NotAScan says why the page is not one scan."""
    resources = inherited(page.obj, "/Resources")
    xobjects = resources.get("/XObject", Dictionary()) if isinstance(resources, Dictionary) else Dictionary()
    ctm, tr = np.eye(3), 0
    stack: list[tuple[np.ndarray, int]] = []
    in_text = graphics_state = False
    found: tuple[pikepdf.Stream, np.ndarray] | None = None
    try:
        instructions = pikepdf.parse_content_stream(page)
    except pikepdf.PdfError as exc:
        raise NotAScan("unreadable_content", page_no) from exc
    for instruction in instructions:
        if isinstance(instruction, pikepdf.ContentStreamInlineImage):
            raise NotAScan("inline_image", page_no)
        op, operands = str(instruction.operator), list(instruction.operands)
        if op == "q":
            stack.append((ctm, tr))
        elif op == "Q":
            ctm, tr = stack.pop() if stack else (ctm, tr)
        elif op == "cm" and len(operands) == 6:
            ctm = _matrix(operands) @ ctm
        elif op == "Tr" and operands:
            tr = int(operands[0])
        elif op == "BT":
            in_text = True
        elif op == "ET":
            in_text = False
        elif in_text:
            if op in _SHOW_OPS and tr not in _INVISIBLE and found is not None:
                raise NotAScan("visible_text", page_no)  # drawn over the image: part of what is seen
        elif op == "Do":
            xobject = xobjects.get(str(operands[0])) if operands else None
            if found is not None or not isinstance(xobject, pikepdf.Stream):
                raise NotAScan("more_than_one_image", page_no)
            if xobject.get("/Subtype") != Name.Image:
                raise NotAScan("not_an_image", page_no)
            found = (xobject, ctm)
        elif op in _STATE_OPS:
            graphics_state = graphics_state or op == "gs"
        else:
            raise NotAScan("drawing", page_no)
    if found is None:
        raise NotAScan("no_image", page_no)
    return DrawnImage(found[0], found[1], graphics_state)


@dataclass
class PageScan:
    image: np.ndarray  # H x W uint8 gray, or H x W x 3 RGB, as the page shows it (/Rotate applied)
    ppi: float  # the scan's resolution on the page


def read_page_scan(path: Path, page_no: int, max_pixels: int) -> PageScan | None:
    """The page's single full-page image, or None when the page is anything more, or its image is
    larger than `max_pixels` (then render it: the renderer's output is bounded by the page size)."""
    try:
        with pikepdf.open(path) as pdf:
            if not 1 <= page_no <= len(pdf.pages):
                return None
            return _page_scan(pdf.pages[page_no - 1], page_no, max_pixels)
    except NotAScan:
        return None
    except _UNREADABLE:
        return None  # the renderer reads it, or says what is wrong with it


def _page_scan(page: pikepdf.Page, page_no: int, max_pixels: int) -> PageScan | None:
    if page.obj.get("/Annots"):
        return None  # pdftoppm draws their appearances over the scan
    if float(inherited(page.obj, "/UserUnit") or 1) != 1:  # type: ignore[arg-type]
        return None  # points of another size: the scan's resolution would be misread
    drawn = drawn_image(page, page_no)
    (a, b, _), (c, d, _), (e, f, _) = drawn.matrix
    upright = a > 0 and d > 0 and abs(b) < 1e-9 and abs(c) < 1e-9
    x0, y0, x1, y1 = box = page_box(page.obj)
    cropped = (u - v for u, v in zip(page_box(page.obj, "/CropBox"), box, strict=True))
    edges = (e - x0, f - y0, e + a - x1, f + d - y1, *cropped)  # and the crop box is the media box
    if drawn.graphics_state or not upright or any(abs(v) > _TOLERANCE_PT for v in edges):
        return None
    if not _decodable(drawn.image) or int(drawn.image.Width) * int(drawn.image.Height) > max_pixels:
        return None  # checked before decoding: a few hundred KB of Flate data can hold gigapixels
    image = _pixels(drawn.image)
    if image is None:
        return None
    image = np.ascontiguousarray(np.rot90(image, k=-page_rotation(page.obj) // 90))
    return PageScan(image, ppi=round(int(drawn.image.Width) * 72 / a, 2))


def _decodable(image: pikepdf.Stream) -> bool:
    """8-bit gray or RGB, or 1-bit gray, unmasked, undecoded, in filters pikepdf decodes itself."""
    space, bits = image.get("/ColorSpace"), int(image.get("/BitsPerComponent", 0))
    return (
        all(f in _DECODED_FILTERS for f in filters(image))
        and not any(k in image for k in ("/SMask", "/Mask", "/Decode", "/SMaskInData"))
        and not image.get("/ImageMask", False)
        and (
            (space in (Name.DeviceGray, Name.DeviceRGB) and bits == 8)
            or (space == Name.DeviceGray and bits == 1)
        )
    )


def _pixels(image: pikepdf.Stream) -> np.ndarray | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pil = pikepdf.PdfImage(image).as_pil_image()
    mode = {"1": "L", "L": "L", "RGB": "RGB"}.get(pil.mode)
    if mode is None:
        return None
    arr = np.asarray(pil.convert(mode) if pil.mode != mode else pil)
    return arr if arr.shape[:2] == (int(image.Height), int(image.Width)) else None
