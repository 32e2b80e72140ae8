"""The text-layer path against real poppler and real Tesseract, on PDFs made here: Word-like pages with
embedded fonts and ToUnicode maps, the broken layers real files have, scans, mixed files."""

from __future__ import annotations

import hashlib
import unicodedata
from pathlib import Path

import pikepdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from ocr import poppler
from ocr.engine import OcrOptions
from ocr.model import OCR, TEXT_LAYER
from ocr.poppler import PdfFont
from ocr.textlayer import font_problem, iter_pages, read_page_of_file, text_problem
from samples import born_digital as bd

# real processes and real OCR: the full suite (make test), not the fast lane (make check)
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("pdfs")
    letter = bd.word_pdf(d / "letter.pdf", [bd.Letter()])
    return {
        "letter": letter,
        "mixed": bd.word_pdf(d / "mixed.pdf", [bd.Letter(), bd.scan_image(bd.ANNEX_LINES)]),
        "caps": bd.drop_capitals(letter, d / "caps.pdf"),
        "stand_in": bd.stand_in_letters(letter, d / "stand-in.pdf"),
        "no_unicode": bd.without_tounicode(letter, d / "no-unicode.pdf"),
        "ocr_layer_over_scan": bd.word_pdf(
            d / "ocr-layer.pdf", [bd.scan_image(bd.ANNEX_LINES)], hidden_text=["ceNG HoA xA ugr Ngfria"]
        ),
        "invisible": bd.word_pdf(d / "invisible.pdf", [None], hidden_text=[*bd.Letter().body]),
    }


def bag(text: str) -> list[str]:
    return sorted(unicodedata.normalize("NFC", text).split())


def test_a_word_made_page_is_read_from_its_layer_exactly_in_decree_30_order(
    pdfs: dict[str, Path],
) -> None:
    [page] = list(iter_pages(pdfs["letter"], OcrOptions()))
    assert page.text_source == TEXT_LAYER and page.layer_rejected is None
    # the same words as `pdftotext -layout` (what the layer holds), not one more or less
    assert bag(page.text) == bag(poppler.page_layout_text(pdfs["letter"], 1))
    lines = page.text.splitlines()
    # the two-column header as the OCR path gives it: left column, then right column
    assert lines.index("ỦY BAN NHÂN DÂN") < lines.index("QUẬN CẦU GIẤY") < lines.index("Số: 123/QĐ-UBND")
    assert lines.index("Số: 123/QĐ-UBND") < lines.index("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    assert "Tesseract" not in str(page.steps) and "tesseract" not in page.timings
    assert page.mean_conf is None  # nothing was recognised
    # words with boxes inside the page, in pixels at 300 dpi
    assert len(page.words) == len(page.text.split())
    assert page.width == round(bd.A4[0] * 300 / 72)
    assert all(
        0 <= w.bbox[0] < w.bbox[2] <= page.width and 0 <= w.bbox[1] < w.bbox[3] <= page.height
        for w in page.words
    )


def test_a_page_with_a_red_seal_and_a_black_signature_image_keeps_its_layer(tmp_path: Path) -> None:
    sealed = bd.word_pdf(tmp_path / "sealed.pdf", [bd.Letter(seal=True)])
    [page] = list(iter_pages(sealed, OcrOptions()))
    assert page.text_source == TEXT_LAYER
    assert page.steps[0]["uncovered"] >= 1  # the scribble was seen, and judged not to be text


def test_a_mixed_pdf_reads_its_text_page_and_ocrs_its_scanned_annex(pdfs: dict[str, Path]) -> None:
    first, annex = list(iter_pages(pdfs["mixed"], OcrOptions()))
    assert first.text_source == TEXT_LAYER
    assert annex.text_source == OCR and annex.layer_rejected == "no_text_layer"
    assert "PHỤ LỤC" in annex.text and "Dịch Vọng" in annex.text
    assert annex.steps[0]["step"] == "text_layer"  # the verdict is kept with the page


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("caps", "text_missing_from_layer"),  # `iệp hội` for `Hiệp hội`: only the ink shows it
        ("stand_in", "stand_in_letters"),
        ("no_unicode", "font_without_unicode"),
        ("ocr_layer_over_scan", "scanned_page"),
        ("invisible", "invisible_text"),
    ],
)
def test_an_untrustworthy_layer_is_refused_and_the_page_ocred(
    pdfs: dict[str, Path], name: str, reason: str
) -> None:
    [page] = list(iter_pages(pdfs[name], OcrOptions()))
    assert page.text_source == OCR
    assert page.layer_rejected == reason
    if name in ("caps", "stand_in", "no_unicode"):  # the page shows the letter; OCR reads it
        assert "QUYẾT ĐỊNH" in page.text and "Hiệp hội" in page.text
        assert "Ƣ" not in page.text and "Ð" not in page.text


def test_the_dropped_capitals_layer_really_lacks_them(pdfs: dict[str, Path]) -> None:
    """The fixture is what the real file does: a Unicode map that says nothing for capitals."""
    assert "iệp hội" in poppler.page_layout_text(pdfs["caps"], 1)
    assert all(f.unicode for f in poppler.page_fonts(pdfs["caps"], 1, 1) if f.embedded)


def test_a_turned_page_is_read_from_its_layer(pdfs: dict[str, Path], tmp_path: Path) -> None:
    """/Rotate 90: poppler gives the words in the turned frame and the page size unturned; the ink
    check and the word boxes use the turned size (a turned page was refused as invisible text)."""
    turned = tmp_path / "turned.pdf"
    with pikepdf.open(pdfs["letter"]) as pdf:
        pdf.pages[0].obj.Rotate = 90
        pdf.save(turned)
    [page] = list(iter_pages(turned, OcrOptions()))
    assert page.text_source == TEXT_LAYER, page.layer_rejected
    assert bag(page.text) == bag(poppler.page_layout_text(turned, 1))
    assert page.width > page.height  # landscape, as shown
    assert all(
        0 <= w.bbox[0] < w.bbox[2] <= page.width and 0 <= w.bbox[1] < w.bbox[3] <= page.height
        for w in page.words
    )


def test_the_batch_worker_gives_the_same_verdicts(pdfs: dict[str, Path]) -> None:
    assert read_page_of_file(pdfs["mixed"], 1, OcrOptions()).text_source == TEXT_LAYER
    assert read_page_of_file(pdfs["stand_in"], 1, OcrOptions()).layer_rejected == "stand_in_letters"


def test_text_layer_off_ocrs_every_page(pdfs: dict[str, Path]) -> None:
    [page] = list(iter_pages(pdfs["letter"], OcrOptions(text_layer=False)))
    assert page.text_source == OCR and page.layer_rejected is None


def test_a_searchable_page_of_a_layer_page_is_the_page_itself(pdfs: dict[str, Path], tmp_path: Path) -> None:
    before = hashlib.sha256(pdfs["letter"].read_bytes()).hexdigest()
    [page] = list(iter_pages(pdfs["letter"], OcrOptions(page_pdfs=True, workdir=tmp_path)))
    assert page.pdf_path and page.pdf_path.parent == tmp_path
    assert "Hiệp hội rau quả Đà Lạt" in PdfReader(page.pdf_path).pages[0].extract_text()
    assert hashlib.sha256(pdfs["letter"].read_bytes()).hexdigest() == before


# --- the checks that need no tools ---------------------------------------------------------------------


def test_text_problems_of_real_broken_layers() -> None:
    assert text_problem("Céng hoµ x· héi chñ nghÜa ViÖt Nam") == "legacy_encoding"  # TCVN3 read as Latin-1
    assert text_problem("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam") == "legacy_encoding"  # VNI
    assert text_problem("(cid:12)(cid:45) ban nhân dân") == "unmapped_glyphs"
    assert text_problem("\ue001\ue002\ue003 văn bản") == "unmapped_glyphs"
    assert text_problem("Hiệp hội doanh nghiệp Ƣu tiên") == "stand_in_letters"
    assert text_problem("QUYẾT ĐỊNH 1187/QÐ-BNV") == "stand_in_letters"
    assert text_problem("  \n ") == "no_text_layer"
    assert text_problem("Sở Nội vụ tỉnh Lâm Đồng, Công văn số 8977/BNV-TCPCP • ngày 06/10/2025") is None


_SYLLABLES = ["Ủy", "ban", "nhân", "dân", "phường", "Dịch", "Vọng", "quyết", "định", "Hiệp", "hội",
              "ĐỒNG", "Ư", "ữa", "thửa", "đất", "số", "123/QĐ-UBND", "2024;", "m²", "(trích)", "Nguyễn",
              "Văn", "Bình"]  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_SYLLABLES), min_size=1, max_size=60))
def test_any_clean_vietnamese_text_passes(words: list[str]) -> None:
    assert text_problem(" ".join(words)) is None


def font(name: str, embedded: bool, unicode: bool, encoding: str = "WinAnsi") -> PdfFont:
    return PdfFont(name, "TrueType", encoding, embedded, embedded, unicode)


def test_font_problems() -> None:
    assert font_problem([font("ABCDEF+TimesNewRomanPSMT", True, True)]) is None
    assert font_problem([font("Helvetica", False, False)]) is None  # standard font, standard encoding
    assert font_problem([font("ABCDEF+SymbolMT", True, False, "Custom")]) is None  # bullets
    assert font_problem([font("ABCDEF+Arial", True, False)]) == "font_without_unicode"
    assert font_problem([font("Foo", False, False, "Identity-H")]) == "font_without_unicode"
    assert font_problem([font(".VnTime", True, True)]) == "legacy_font"
    assert font_problem([font("ABCDEF+VNI-Times", True, False)]) == "legacy_font"


def test_unmapped_glyphs_are_exactly_the_unicode_categories_of_junk() -> None:
    """The one regular expression that counts unmapped glyphs is U+FFFD plus the categories Co (private
    use), Cc (controls) and Cs (surrogates), over every code point."""
    import unicodedata

    from ocr.textlayer import _JUNK

    for cp in range(0x110000):
        c = chr(cp)
        assert bool(_JUNK.match(c)) == (c == "\ufffd" or unicodedata.category(c) in ("Co", "Cc", "Cs")), hex(
            cp
        )
