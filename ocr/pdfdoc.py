"""What a PDF's pages hold, read in-process with pikepdf: the page count, each page's size as poppler renders
it, and the fonts each page uses. No program runs: the text-layer judge needs these for every born-digital
page, and a `pdfinfo` plus a `pdffonts` run cost more CPU than the rest of a page's checks.

The fonts are the ones `pdffonts` lists (poppler's FontInfoScanner): the page's resources, the forms
and patterns they hold (recursively), and the resources of each annotation's appearance; per font the
columns the judge reads (name, embedded, ToUnicode, and poppler's name of the encoding).
`tests/test_pdfdoc.py` compares them with `pdffonts` on fonts of every kind. The same walk tells
whether a page may draw an image at all (else `pdfimages` need not run for it).

A file pikepdf cannot read raises `PageError` (not an input error): the OCR path then opens it with
poppler and reports what is wrong with it, as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, Stream

from ocr.errors import PageError
from ocr.poppler import PdfFont

# poppler's aliases of the base-14 fonts (GfxFont.cc, base14FontMap): a font that is not embedded and
# gives no encoding gets the base-14 font's own (StandardEncoding, or Symbol's, or ZapfDingbats')
_BASE14_STYLES = {
    "Arial": ("", ",Bold", ",BoldItalic", ",Italic", "-Bold", "-BoldItalic", "-BoldItalicMT", "-BoldMT",
              "-Italic", "-ItalicMT", "MT"),
    "Courier": ("", ",Bold", ",BoldItalic", ",Italic", "-Bold", "-BoldOblique", "-Oblique"),
    "CourierNew": ("", ",Bold", ",BoldItalic", ",Italic", "-Bold", "-BoldItalic", "-Italic",
                   "PS-BoldItalicMT", "PS-BoldMT", "PS-ItalicMT", "PSMT"),
    "Helvetica": ("", ",Bold", ",BoldItalic", ",Italic", "-Bold", "-BoldItalic", "-BoldOblique", "-Italic",
                  "-Oblique"),
    "Times": ("-Bold", "-BoldItalic", "-Italic", "-Roman"),
    "TimesNewRoman": ("", ",Bold", ",BoldItalic", ",Italic", "-Bold", "-BoldItalic", "-Italic", "PS",
                      "PS-Bold", "PS-BoldItalic", "PS-BoldItalicMT", "PS-BoldMT", "PS-Italic", "PS-ItalicMT",
                      "PSMT", "PSMT,Bold", "PSMT,BoldItalic", "PSMT,Italic"),
}  # fmt: skip
_BASE14_TEXT = {family + style for family, styles in _BASE14_STYLES.items() for style in styles}
_BASE14_OWN_ENCODING = {
    **{n: "Symbol" for n in ("Symbol", "Symbol,Bold", "Symbol,BoldItalic", "Symbol,Italic", "SymbolMT",
                             "SymbolMT,Bold", "SymbolMT,BoldItalic", "SymbolMT,Italic")},
    "ZapfDingbats": "ZapfDingbats",
}  # fmt: skip
_NAMED_ENCODINGS = {
    "/WinAnsiEncoding": "WinAnsi",
    "/MacRomanEncoding": "MacRoman",
    "/MacExpertEncoding": "MacExpert",
}
_SUBSET = re.compile(r"^[A-Z]{6}\+")
_FONT_TYPES = {
    "/Type1": "Type 1",
    "/MMType1": "Type 1",
    "/TrueType": "TrueType",
    "/Type3": "Type 3",
    "/CIDFontType0": "CID Type 0",
    "/CIDFontType2": "CID TrueType",
}


@dataclass
class PdfPage:
    page_no: int
    width_pt: float  # as poppler renders it (pdftoppm, pdftotext): the media box, turned by /Rotate
    height_pt: float
    rotate: int
    crop_area_pt2: float  # the visible box's area (CropBox, else MediaBox): what `pdfinfo` calls the size
    fonts: list[PdfFont] = field(default_factory=list)
    may_have_images: bool = True  # False only when no image can be drawn: `pdfimages` has nothing to say


@dataclass
class PdfDoc:
    pages: list[PdfPage]

    @property
    def count(self) -> int:
        return len(self.pages)

    def page(self, page_no: int) -> PdfPage:
        return self.pages[page_no - 1]


def read(path: Path) -> PdfDoc:
    """The pages of `path`. Cached per process (the judge and the batch's pool workers ask per page)."""
    st = Path(path).stat()
    return _read_cached(str(path), st.st_size, st.st_mtime_ns)


@lru_cache(maxsize=8)
def _read_cached(path_s: str, size: int, mtime: int) -> PdfDoc:
    try:
        with pikepdf.open(path_s) as pdf:
            pages: list[PdfPage] = []
            image_seen = False  # once one page may draw an image `pdfimages` runs anyway: no more looking
            for n, pdf_page in enumerate(pdf.pages, 1):
                pages.append(_page(pdf_page.obj, n, look_for_images=not image_seen))
                image_seen = image_seen or pages[-1].may_have_images
            return PdfDoc(pages)
    except (pikepdf.PdfError, pikepdf.PasswordError, OSError, ValueError, TypeError, KeyError) as exc:
        raise PageError(f"pikepdf cannot read the PDF: {exc}", path=path_s) from exc


def inherited(page: Dictionary, key: str) -> object:
    """A page attribute, from the page or the nearest page-tree node above it that has it."""
    node: object = page
    for _ in range(64):  # a page tree deeper than this is a loop
        if not isinstance(node, Dictionary):
            return None
        if key in node:
            return node[key]
        node = node.get("/Parent")
    return None


def page_box(page: Dictionary, key: str = "/MediaBox") -> tuple[float, float, float, float]:
    """A page box as (x0, y0, x1, y1), normalised; the crop box defaults to the media box."""
    box = inherited(page, key)
    if box is None and key == "/CropBox":
        box = inherited(page, "/MediaBox")
    x0, y0, x1, y1 = (float(v) for v in list(box or [0, 0, 612, 792])[:4])  # type: ignore[call-overload]
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def page_rotation(page: Dictionary) -> int:
    return int(inherited(page, "/Rotate") or 0) % 360  # type: ignore[call-overload]


def _page(page: Dictionary, page_no: int, *, look_for_images: bool = True) -> PdfPage:
    x0, y0, x1, y1 = page_box(page)
    rotate = page_rotation(page)
    w, h = (x1 - x0, y1 - y0) if rotate in (0, 180) else (y1 - y0, x1 - x0)
    c0, d0, c1, d1 = page_box(page, "/CropBox")
    drawn = _drawn_with(page)
    fonts = _fonts(drawn)
    images = _may_draw_images(page, drawn, fonts) if look_for_images else True
    return PdfPage(page_no, w, h, rotate, (c1 - c0) * (d1 - d0), fonts, images)


def may_draw_images(page: Dictionary) -> bool:
    """Whether the page may draw an image: an image XObject anywhere in its resources (forms and
    patterns within, annotation appearances), an inline image in its content or a form's, or a Type 3
    font (its glyphs may be images). When not, `pdfimages -list` would list nothing for the page, and
    a born-digital page without images (most letters) is judged without running it."""
    drawn = _drawn_with(page)
    return _may_draw_images(page, drawn, _fonts(drawn))


def _may_draw_images(page: Dictionary, drawn: _Drawn, fonts: list[PdfFont]) -> bool:
    if any(f.type == "Type 3" for f in fonts) or any(s.get("/Subtype") == Name.Image for s in drawn.streams):
        return True
    try:
        contents = [pikepdf.Page(page), *(s for s in drawn.streams if s.get("/Subtype") != Name.Image)]
        return any(pikepdf.parse_content_stream(c, "EI") for c in contents)  # inline images
    except (pikepdf.PdfError, ValueError, TypeError, KeyError, AttributeError):
        return True  # cannot tell: let pdfimages say


@dataclass
class _Drawn:
    """What a page draws with, each once: the resource dictionaries in the order `pdffonts` reads them
    (the page's, then its forms' and patterns' depth first, then its annotations' appearances'), and
    the streams among them (forms, patterns, images, appearances)."""

    resources: list[Dictionary] = field(default_factory=list)
    streams: list[Stream] = field(default_factory=list)


def _drawn_with(page: Dictionary) -> _Drawn:
    drawn = _Drawn()
    seen: set[tuple[int, int]] = set()
    resources = inherited(page, "/Resources")
    if isinstance(resources, Dictionary):
        _walk(resources, drawn, seen)
    annots = page.get("/Annots")
    for annot in annots if isinstance(annots, Array) else []:
        appearance = _appearance(annot)
        if appearance is None:
            continue
        drawn.streams.append(appearance)
        if isinstance(appearance.get("/Resources"), Dictionary):
            _walk(appearance.Resources, drawn, seen)
    return drawn


def _fonts(drawn: _Drawn) -> list[PdfFont]:
    """The fonts of one page, as `pdffonts -f N -l N` lists them."""
    fonts: dict[object, PdfFont] = {}
    for resources in drawn.resources:
        font_dict = resources.get("/Font")
        for _, font in font_dict.items() if isinstance(font_dict, Dictionary) else []:
            if not isinstance(font, Dictionary):
                continue
            key = font.objgen if font.is_indirect else id(font)
            if key not in fonts:
                fonts[key] = describe_font(font)
    return list(fonts.values())


def _appearance(annot: object) -> Stream | None:
    """The annotation's normal appearance in its current state (poppler's getAppearanceResDict)."""
    if not isinstance(annot, Dictionary):
        return None
    ap = annot.get("/AP")
    normal = ap.get("/N") if isinstance(ap, Dictionary) else None
    if isinstance(normal, Stream):
        return normal
    if isinstance(normal, Dictionary) and isinstance(annot.get("/AS"), Name):
        state = normal.get(str(annot.AS))
        return state if isinstance(state, Stream) else None
    return None


def _walk(resources: Dictionary, drawn: _Drawn, seen: set[tuple[int, int]]) -> None:
    drawn.resources.append(resources)
    for kind in ("/XObject", "/Pattern"):
        children = resources.get(kind)
        if not isinstance(children, Dictionary):
            continue
        for _, child in children.items():
            if child.is_indirect:
                if child.objgen in seen:
                    continue
                seen.add(child.objgen)
            if not isinstance(child, Stream):
                continue
            drawn.streams.append(child)
            inner = child.get("/Resources")
            if isinstance(inner, Dictionary) and inner.is_indirect:
                if inner.objgen in seen:
                    continue
                seen.add(inner.objgen)
            if isinstance(inner, Dictionary) and not (inner.is_indirect and inner.objgen == resources.objgen):
                _walk(inner, drawn, seen)


def _descendant(font: Dictionary) -> Dictionary:
    """The CID font of a Type 0 font; the font itself otherwise."""
    if font.get("/Subtype") != Name.Type0:
        return font
    descendants = font.get("/DescendantFonts")
    first = descendants[0] if isinstance(descendants, Array) and len(descendants) else None
    return first if isinstance(first, Dictionary) else Dictionary()


def font_program(font: Dictionary) -> tuple[str, Stream] | None:
    """(key, stream) of the embedded font program (FontFile, FontFile2 or FontFile3), or None."""
    descriptor = _descendant(font).get("/FontDescriptor")
    if not isinstance(descriptor, Dictionary):
        return None
    for key in ("/FontFile", "/FontFile2", "/FontFile3"):
        program = descriptor.get(key)
        if isinstance(program, Stream):
            return key, program
    return None


def base_name(font: Dictionary) -> str:
    """The /BaseFont, as poppler 22 names a font (a Type 3 font has none: `[none]`)."""
    name = font.get("/BaseFont")
    return str(name)[1:] if isinstance(name, Name) else "[none]"


def describe_font(font: Dictionary) -> PdfFont:
    name = base_name(font)
    subtype = str(_descendant(font).get("/Subtype", ""))
    program = font_program(font)
    embedded = font.get("/Subtype") == Name.Type3 or program is not None
    return PdfFont(
        name=name,
        type=_FONT_TYPES.get(subtype, subtype.lstrip("/")),
        encoding=encoding_name(font, program[0] if program else None),
        embedded=embedded,
        subset=bool(_SUBSET.match(name)),
        unicode=isinstance(font.get("/ToUnicode"), Stream),
    )


def encoding_name(font: Dictionary, program_key: str | None) -> str:
    """poppler's name for the font's encoding (GfxFont.cc, as `pdffonts` prints it): the CMap of a
    Type 0 font; for a simple font the base encoding (the dictionary's, else the embedded Type 1
    program's, else the base-14 font's, else WinAnsi for TrueType and Standard for the others), and
    `Custom` when Differences change it."""
    encoding = font.get("/Encoding")
    if font.get("/Subtype") == Name.Type0:
        if isinstance(encoding, Name):
            return str(encoding)[1:]
        cmap = encoding.get("/CMapName") if isinstance(encoding, Stream) else None
        return str(cmap)[1:] if isinstance(cmap, Name) else ""
    if isinstance(encoding, Dictionary) and isinstance(encoding.get("/Differences"), Array):
        return "Custom"
    base = encoding.get("/BaseEncoding") if isinstance(encoding, Dictionary) else encoding
    if named := _NAMED_ENCODINGS.get(str(base)) if isinstance(base, Name) else None:
        return named
    if program_key == "/FontFile" or (program_key == "/FontFile3" and _program_subtype(font) == "/Type1C"):
        return "Builtin"  # the encoding of the embedded Type 1 program
    name = base_name(font).replace(" ", "")
    if program_key is None and name in _BASE14_OWN_ENCODING:
        return _BASE14_OWN_ENCODING[name]
    if program_key is None and name in _BASE14_TEXT:
        return "Standard"
    truetype = program_key == "/FontFile2" or (program_key is None and font.get("/Subtype") == Name.TrueType)
    return "WinAnsi" if truetype else "Standard"


def _program_subtype(font: Dictionary) -> str:
    program = font_program(font)
    return str(program[1].get("/Subtype", "")) if program else ""
