"""The in-process reading of a PDF's pages (ocr/pdfdoc.py) against poppler's own programs: the fonts
`pdffonts` lists for each page (the columns the text-layer judge reads), the page sizes `pdfinfo`
gives, and the one-run rendering of several pages against rendering them one by one."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name, Pdf

from ocr import pdfdoc, poppler
from samples import born_digital as bd

TTF = bd.FONT_DIR / "LiberationSerif-Regular.ttf"


def _font_cases(pdf: Pdf) -> dict[str, Dictionary]:
    """One font dictionary of every kind that changes what pdffonts says (encoding, embedding, names
    poppler knows as base-14 aliases, Type 3, CID fonts)."""
    program = pdf.make_stream(TTF.read_bytes())
    to_unicode = pdf.make_stream(
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap 1 begincodespacerange <00> <FF>"
        b" endcodespacerange 1 beginbfrange <20> <7E> <0020> endbfrange endcmap CMapName currentdict"
        b" /CMap defineresource pop end end"
    )

    def descriptor(**kw: object) -> Dictionary:
        return pdf.make_indirect(
            Dictionary(Type=Name.FontDescriptor, FontName=Name("/X"), Flags=32, ItalicAngle=0, Ascent=900,
                       Descent=-200, CapHeight=700, StemV=80, FontBBox=Array([0, 0, 1000, 1000]), **kw)
        )  # fmt: skip

    def simple(subtype: Name, base: str, **kw: object) -> Dictionary:
        return Dictionary(Type=Name.Font, Subtype=subtype, BaseFont=Name("/" + base), **kw)

    def widths() -> dict[str, object]:
        return {"FirstChar": 32, "LastChar": 32, "Widths": Array([250])}

    def cid(base: str, desc: Dictionary, **kw: object) -> Dictionary:
        info = Dictionary(Registry=pikepdf.String("Adobe"), Ordering=pikepdf.String("Identity"), Supplement=0)
        child = Dictionary(Type=Name.Font, Subtype=Name.CIDFontType2, BaseFont=Name("/" + base),
                           CIDSystemInfo=info, FontDescriptor=desc)  # fmt: skip
        return simple(
            Name.Type0,
            base,
            Encoding=Name("/Identity-H"),
            DescendantFonts=Array([pdf.make_indirect(child)]),
            **kw,
        )

    def type3(**kw: object) -> Dictionary:
        procs = Dictionary(a=pdf.make_stream(b"500 0 d0"))
        return Dictionary(Type=Name.Font, Subtype=Name.Type3, FontBBox=Array([0, 0, 1, 1]), CharProcs=procs,
                          FontMatrix=Array([0.001, 0, 0, 0.001, 0, 0]), FirstChar=97, LastChar=97,
                          Widths=Array([500]), **kw)  # fmt: skip

    winansi, macroman = Name.WinAnsiEncoding, Name.MacRomanEncoding
    return {
        "helvetica": simple(Name.Type1, "Helvetica"),
        "helvetica-winansi": simple(Name.Type1, "Helvetica", Encoding=winansi),
        "times-macroman": simple(Name.Type1, "Times-Roman", Encoding=macroman),
        "times-standard-name": simple(Name.Type1, "Times-Roman", Encoding=Name.StandardEncoding),
        "times-base-encoding": simple(Name.Type1, "Times-Roman", Encoding=Dictionary(BaseEncoding=winansi)),
        "times-empty-encoding": simple(Name.Type1, "Times-Roman", Encoding=Dictionary(Type=Name.Encoding)),
        "times-differences": simple(
            Name.Type1,
            "Times-Roman",
            Encoding=Dictionary(BaseEncoding=winansi, Differences=Array([65, Name("/B")])),
        ),
        "symbol": simple(Name.Type1, "Symbol"),
        "symbol-mt-bold": simple(Name.TrueType, "SymbolMT,Bold", **widths()),
        "zapfdingbats": simple(Name.Type1, "ZapfDingbats"),
        "symbol-winansi": simple(Name.Type1, "Symbol", Encoding=winansi),
        "legacy-vntime": simple(Name.Type1, ".VnTime"),
        "legacy-vntime-truetype": simple(Name.TrueType, ".VnTime", **widths()),
        "arial-truetype": simple(Name.TrueType, "Arial", **widths()),
        "times-new-roman-spaced": simple(Name.TrueType, "Times New Roman", **widths()),
        "arial-bold-winansi": simple(Name.TrueType, "Arial,Bold", Encoding=winansi, **widths()),
        "embedded-arial": simple(
            Name.TrueType, "ArialMT", FontDescriptor=descriptor(FontFile2=program), **widths()
        ),
        "embedded-subset-tounicode": simple(
            Name.TrueType,
            "ABCDEF+LiberationSerif",
            FontDescriptor=descriptor(FontFile2=program),
            ToUnicode=to_unicode,
            **widths(),
        ),
        "embedded-macroman": simple(
            Name.TrueType,
            "LiberationSerif",
            Encoding=macroman,
            FontDescriptor=descriptor(FontFile2=program),
            **widths(),
        ),
        "cid-embedded": cid("ABCDEF+LiberationSerif", descriptor(FontFile2=program), ToUnicode=to_unicode),
        "cid-not-embedded": cid("TimesNewRomanPSMT", descriptor()),
        "type3": type3(Encoding=Dictionary(Differences=Array([97, Name("/a")]))),
        "type3-named": type3(Encoding=Dictionary(Type=Name.Encoding), Name=Name("/T3")),
        "type1-embedded": simple(
            Name.Type1,
            "ABCDEF+Foo",
            FontDescriptor=descriptor(FontFile=pdf.make_stream(b"%!PS-AdobeFont-1.0: Foo\n")),
        ),
    }


@pytest.fixture(scope="module")
def font_pdf(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """One page per font kind, then fonts reached through a form, an annotation's appearance, a pattern
    and resources inherited from the page tree."""
    pdf = Pdf.new()
    names = []
    for name, font in _font_cases(pdf).items():
        page = pdf.add_blank_page(page_size=(200, 200))
        page.obj.Resources = Dictionary(Font=Dictionary(F1=pdf.make_indirect(font)))
        page.obj.Contents = pdf.make_stream(b"BT /F1 12 Tf 10 10 Td (a) Tj ET")
        names.append(name)

    def font(base: str) -> Dictionary:
        return pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name("/" + base)))

    def form(key: str, base: str, **kw: object) -> pikepdf.Stream:
        resources = Dictionary(Font=Dictionary({"/" + key: font(base)}))
        content = b"BT /" + key.encode() + b" 9 Tf (x) Tj ET"
        return pdf.make_stream(content, BBox=Array([0, 0, 10, 10]), Resources=resources, **kw)

    page = pdf.add_blank_page(page_size=(200, 200))
    page.obj.Resources = Dictionary(
        XObject=Dictionary(Fm0=form("F9", "Courier", Type=Name.XObject, Subtype=Name.Form))
    )
    page.obj.Contents = pdf.make_stream(b"/Fm0 Do")
    names.append("in-form")
    page = pdf.add_blank_page(page_size=(200, 200))
    appearance = form("Ha", "Helvetica-Bold", Type=Name.XObject, Subtype=Name.Form)
    annot = Dictionary(Type=Name.Annot, Subtype=Name.FreeText, Rect=Array([0, 0, 10, 10]), F=4,
                       AP=Dictionary(N=appearance), DA=pikepdf.String("/Ha 9 Tf"))  # fmt: skip
    page.obj.Annots = Array([pdf.make_indirect(annot)])
    names.append("in-annotation")
    page = pdf.add_blank_page(page_size=(200, 200))
    pattern = form("Tp", "Times-Italic", PatternType=1, PaintType=1, TilingType=1, XStep=10, YStep=10)
    page.obj.Resources = Dictionary(Pattern=Dictionary(P0=pattern))
    page.obj.Contents = pdf.make_stream(b"/Pattern cs /P0 scn 0 0 10 10 re f")
    names.append("in-pattern")
    page = pdf.add_blank_page(page_size=(200, 200))
    del page.obj["/Resources"]
    pdf.Root.Pages.Resources = Dictionary(Font=Dictionary(F1=font("Courier-Bold")))
    page.obj.Contents = pdf.make_stream(b"BT /F1 12 Tf 10 10 Td (a) Tj ET")
    names.append("inherited")
    path = tmp_path_factory.mktemp("fonts") / "fonts.pdf"
    pdf.save(path)
    return path, names


def _columns(fonts: list[poppler.PdfFont]) -> list[tuple[str, str, bool, bool, bool]]:
    return [(f.name, f.encoding, f.embedded, f.subset, f.unicode) for f in fonts]


def test_fonts_are_the_ones_pdffonts_lists(font_pdf: tuple[Path, list[str]]) -> None:
    path, names = font_pdf
    doc = pdfdoc.read(path)
    assert doc.count == len(names)
    differ = {
        name: (_columns(poppler.page_fonts(path, n, n)), _columns(doc.page(n).fonts))
        for n, name in enumerate(names, 1)
        if _columns(poppler.page_fonts(path, n, n)) != _columns(doc.page(n).fonts)
    }
    assert differ == {}
    encodings = {f.encoding for page in doc.pages for f in page.fonts}
    assert {
        "Standard",
        "WinAnsi",
        "MacRoman",
        "Custom",
        "Builtin",
        "Symbol",
        "ZapfDingbats",
        "Identity-H",
    } <= encodings


def test_fonts_of_word_made_pages(tmp_path: Path) -> None:
    letter = bd.word_pdf(tmp_path / "letter.pdf", [bd.Letter(seal=True), bd.scan_image(bd.ANNEX_LINES)])
    stripped = bd.without_tounicode(letter, tmp_path / "no-unicode.pdf")
    for path in (letter, stripped):
        doc = pdfdoc.read(path)
        for n in (1, 2):
            assert _columns(doc.page(n).fonts) == _columns(poppler.page_fonts(path, n, n))


def test_page_sizes_as_poppler_renders_them(tmp_path: Path) -> None:
    """The media box turned by /Rotate (what pdftoppm renders and pdftotext measures), and the crop
    box's area (what pdfinfo calls the page size, which image cover is measured against)."""
    pdf = Pdf.new()
    for rotate, crop in ((0, None), (90, None), (270, [50, 60, 500, 700]), (180, [0, 0, 300, 400])):
        page = pdf.add_blank_page(page_size=(595, 842))
        page.obj.Rotate = rotate
        if crop:
            page.obj.CropBox = Array(crop)
    path = tmp_path / "boxes.pdf"
    pdf.save(path)
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "4", str(path)], capture_output=True, text=True).stdout
    sizes = [float(w) * float(h) for w, h in re.findall(r"size:\s*([\d.]+) x ([\d.]+)", info)]
    doc = pdfdoc.read(path)
    for n, (page, area) in enumerate(zip(doc.pages, sizes, strict=True), 1):
        assert page.crop_area_pt2 == pytest.approx(area)
        assert poppler.render_small(path, n, 72).shape[:2] == (round(page.height_pt), round(page.width_pt))
        layer = poppler.text_layer(path, n, n)[0]
        assert sorted((layer.width_pt, layer.height_pt)) == sorted((page.width_pt, page.height_pt))


def test_several_pages_in_one_rendering_are_the_pages_one_by_one(tmp_path: Path) -> None:
    path = bd.word_pdf(
        tmp_path / "three.pdf", [bd.Letter(), bd.scan_image(bd.ANNEX_LINES), bd.Letter(seal=True)]
    )
    together = poppler.render_pages(path, 1, 3, 72)
    assert len(together) == 3
    for n, page in enumerate(together, 1):
        assert np.array_equal(page, poppler.render_small(path, n, 72))


def test_an_unreadable_file_is_a_page_error_for_the_ocr_path_to_report(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 40)
    with pytest.raises(poppler.PageError):
        pdfdoc.read(bad)


def _image_pages(pdf: Pdf) -> None:
    """One page for each way a page can draw an image, and pages that draw none."""
    image = pdf.make_stream(b"\x00\xff" * 8, Type=Name.XObject, Subtype=Name.Image, Width=4, Height=4,
                            ColorSpace=Name.DeviceGray, BitsPerComponent=8)  # fmt: skip

    def page(content: bytes, **resources: object) -> pikepdf.Page:
        new = pdf.add_blank_page(page_size=(200, 200))
        new.obj.Contents = pdf.make_stream(content)
        new.obj.Resources = Dictionary(**resources)
        return new

    def form(content: bytes, **resources: object) -> pikepdf.Stream:
        return pdf.make_stream(content, Type=Name.XObject, Subtype=Name.Form, BBox=Array([0, 0, 100, 100]),
                               Resources=Dictionary(**resources))  # fmt: skip

    inline = b"q 50 0 0 50 10 10 cm BI /W 2 /H 2 /CS /G /BPC 8 ID \x00\xff\xff\x00 EI Q"
    page(b"BT ET")  # text only
    page(b"q 50 0 0 50 10 10 cm /Im0 Do Q", XObject=Dictionary(Im0=image))  # an image XObject
    page(inline)  # an inline image
    page(
        b"/F0 Do", XObject=Dictionary(F0=form(b"q 40 0 0 40 0 0 cm /Im0 Do Q", XObject=Dictionary(Im0=image)))
    )
    page(b"/F0 Do", XObject=Dictionary(F0=form(inline)))  # an inline image in a form
    page(b"/F0 Do", XObject=Dictionary(F0=form(b"0 0 10 10 re f")))  # a form of vector art only
    annotated = page(b"BT ET")  # an image in an annotation's appearance
    appearance = form(b"q 40 0 0 40 0 0 cm /Im0 Do Q", XObject=Dictionary(Im0=image))
    stamp = Dictionary(
        Type=Name.Annot, Subtype=Name.Stamp, Rect=Array([0, 0, 100, 100]), AP=Dictionary(N=appearance)
    )
    annotated.obj.Annots = pdf.make_indirect(Array([pdf.make_indirect(stamp)]))


def test_pages_without_images_are_the_ones_pdfimages_finds_none_on(tmp_path: Path) -> None:
    """`may_have_images` is False only where `pdfimages -list` lists nothing (it then need not run)."""
    pdf = Pdf.new()
    _image_pages(pdf)
    path = tmp_path / "images.pdf"
    pdf.save(path)
    letters = bd.word_pdf(
        tmp_path / "letters.pdf", [bd.Letter(), bd.Letter(seal=True), bd.scan_image(bd.ANNEX_LINES)]
    )
    for pdf_path in (path, letters):
        listed = subprocess.run(["pdfimages", "-list", str(pdf_path)], capture_output=True, text=True).stdout
        with_images = {int(line.split()[0]) for line in listed.splitlines()[2:] if line.split()}
        doc = pdfdoc.read(pdf_path)
        for page in doc.pages:
            if not page.may_have_images:
                assert page.page_no not in with_images, (pdf_path.name, page.page_no)
    with Pdf.open(path) as saved:
        looks = [pdfdoc.may_draw_images(page.obj) for page in saved.pages]
    assert looks == [False, True, True, True, True, False, True]
    # a document is looked at up to its first page with an image: pdfimages runs for it anyway
    assert [p.may_have_images for p in pdfdoc.read(path).pages] == [False, True, True, True, True, True, True]
    assert [p.may_have_images for p in pdfdoc.read(letters).pages] == [False, True, True]
