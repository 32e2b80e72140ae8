"""The PDF/A-2b derivative, built by `process_file` from real OCR, judged by the real veraPDF.

Every input kind (1-bit G4 TIFF, gray PNG, colour JPEG, multi-page PDF, a photo turned sideways and
skewed) and the bundled sample scans: veraPDF passes them, the page images keep their scanned
quality, the invisible words sit on the printed ones, the XMP carries the record's metadata.
"""

from __future__ import annotations

import io
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import img2pdf
import numpy as np
import pikepdf
import pytest
from PIL import Image, ImageDraw

from ocr.engine import OcrOptions
from pipeline.archival import verapdf
from pipeline.archival.derivative import make_pdfa
from pipeline.process import process_file
from pipeline.record import RecordResult, SourceObject
from tests.fixtures.ocr.pages import render_page

pytestmark = pytest.mark.slow

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "scans"
SAMPLE_FILES = sorted(p for p in SAMPLES.rglob("*") if p.suffix in (".png", ".jpg", ".tif", ".pdf"))
BROKEN_SAMPLE = "scan-bi-loi.pdf"  # the bundled corrupt scan: quarantined, never a PDF

LINES = [
    "ỦY BAN NHÂN DÂN PHƯỜNG DỊCH VỌNG",
    "Số: 123/QĐ-UBND",
    "QUYẾT ĐỊNH",
    "Về việc thu hồi đất của hộ gia đình ông Nguyễn Văn Hùng",
    "Căn cứ Luật Tổ chức chính quyền địa phương năm 2015;",
    "Căn cứ Luật Đất đai năm 2024 và các văn bản hướng dẫn;",
    "Xét đề nghị của Phòng Tài nguyên và Môi trường quận,",
]


def _page(size: tuple[int, int] = (2480, 1700), rgb: bool = False, lines: list[str] = LINES) -> Image.Image:
    return Image.fromarray(render_page(lines, size=size, font_px=46, margin=160, rgb=rgb))


def _inputs(folder: Path) -> dict[str, Path]:
    """One file of each kind a district office uploads, 300 dpi; the 1-bit and gray ones a full A4 page
    of text, as the size target is about real pages."""
    gray = _page(size=(2480, 3508), lines=LINES + LINES[3:] * 6)
    paths = {
        "bitonal_tiff": folder / "bitonal.tif",
        "gray_png": folder / "gray.png",
        "colour_jpeg": folder / "colour.jpg",
        "multipage_pdf": folder / "multi.pdf",
        "turned_photo": folder / "turned.jpg",
    }
    gray.point(lambda v: 255 if v > 150 else 0).convert("1").save(
        paths["bitonal_tiff"], compression="group4", dpi=(300, 300)
    )
    gray.save(paths["gray_png"], dpi=(300, 300))
    colour = _page(rgb=True)
    ImageDraw.Draw(colour).ellipse((1700, 900, 2200, 1400), outline=(200, 20, 20), width=14)  # a red seal
    colour.save(paths["colour_jpeg"], quality=85, dpi=(300, 300))
    jpegs = []
    for img in (gray, _page(size=(2480, 1500))):
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=80, dpi=(300, 300))
        jpegs.append(buf.getvalue())
    paths["multipage_pdf"].write_bytes(img2pdf.convert(jpegs))
    turned = colour.rotate(90, expand=True).rotate(2.5, expand=True, fillcolor=(255, 255, 255))
    turned.save(paths["turned_photo"], quality=90, dpi=(300, 300))
    return paths


@dataclass
class Built:
    source: Path
    result: RecordResult


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Built]:
    folder = tmp_path_factory.mktemp("pdfa")
    files = _inputs(folder)
    files.update({f"sample:{p.name}": p for p in SAMPLE_FILES if p.name != BROKEN_SAMPLE})
    out: dict[str, Built] = {}
    for name, path in files.items():
        work = folder / f"work-{len(out)}"
        result = process_file(
            path, SourceObject("b", path.name, "e", path.stat().st_size), OcrOptions(pdf=True, workdir=work)
        )
        out[name] = Built(path, result)
    return out


@pytest.fixture(scope="module")
def verdicts(built: dict[str, Built]) -> dict[str, verapdf.Verdict]:
    names = [n for n, b in built.items() if b.result.pdf_path]
    found = verapdf.validate([built[n].result.pdf_path for n in names])  # one JVM for all of them
    return dict(zip(names, found, strict=True))


def test_verapdf_passes_every_input_kind_and_sample(built: dict[str, Built], verdicts) -> None:
    assert {"bitonal_tiff", "gray_png", "colour_jpeg", "multipage_pdf", "turned_photo"} <= set(built)
    assert len([n for n in built if n.startswith("sample:")]) == len(SAMPLE_FILES) - 1
    for name, b in built.items():
        assert b.result.pdfa["made"], f"{name}: {b.result.pdfa}"
        assert b.result.pdfa["pages_with_text"] == b.result.n_pages, name
        assert verdicts[name].compliant, f"{name}: {verdicts[name].summary()}"


def test_verapdf_names_the_failed_rules(tmp_path: Path, built: dict[str, Built]) -> None:
    """A plain PDF (no XMP, no output intent) is not PDF/A, and veraPDF says which rules fail."""
    plain = tmp_path / "plain.pdf"
    plain.write_bytes(img2pdf.convert(str(built["gray_png"].source)))
    java_tmp = Path("/tmp")  # where Java puts temp files whatever TMPDIR says
    before = set(java_tmp.glob("logs*.log"))
    verdict = verapdf.validate([plain])[0]
    assert set(java_tmp.glob("logs*.log")) <= before  # nothing left behind: a batch calls this per record
    assert not verdict.compliant
    assert "6.6.2.1" in {r.clause for r in verdict.failed_rules}  # the catalog's XMP metadata
    assert "not PDF/A-2b" in verdict.summary()


def _only_image(pdf_path: Path) -> pikepdf.Object:
    with pikepdf.open(pdf_path) as pdf:
        (image,) = pdf.pages[0].get_images().values()
        return {k: image.get(k) for k in ("/Filter", "/BitsPerComponent", "/ColorSpace", "/Width")} | {
            "raw": image.read_raw_bytes()
        }


def test_images_keep_their_scanned_quality(built: dict[str, Built]) -> None:
    bitonal = _only_image(built["bitonal_tiff"].result.pdf_path)
    assert bitonal["/Filter"] in ("/CCITTFaxDecode", pikepdf.Array([pikepdf.Name.CCITTFaxDecode]))
    assert bitonal["/BitsPerComponent"] == 1 and bitonal["/Width"] == 2480
    gray = _only_image(built["gray_png"].result.pdf_path)
    assert gray["/ColorSpace"] == "/DeviceGray" and gray["/BitsPerComponent"] == 8 and gray["/Width"] == 2480
    colour = _only_image(built["colour_jpeg"].result.pdf_path)
    assert colour["/Filter"] == "/DCTDecode" and colour["/ColorSpace"] == "/DeviceRGB"
    assert colour["raw"] == built["colour_jpeg"].source.read_bytes()  # the JPEG itself, not re-compressed
    with (
        pikepdf.open(built["multipage_pdf"].result.pdf_path) as out,
        pikepdf.open(built["multipage_pdf"].source) as src,
    ):
        assert len(out.pages) == 2
        for a, b in zip(out.pages, src.pages, strict=True):
            (ia,), (ib,) = a.get_images().values(), b.get_images().values()
            # a scanned PDF (one image a page, no text of its own): its JPEG bytes copied as they are
            assert ia.get("/Filter") == "/DCTDecode"
            assert ia.read_raw_bytes() == ib.read_raw_bytes()


def test_size_against_the_scan(built: dict[str, Built]) -> None:
    """The issue's target: at most 1.3x the scan for 1-bit and gray pages."""
    for name in ("bitonal_tiff", "gray_png"):
        b = built[name]
        assert b.result.pdf_path.stat().st_size <= 1.3 * b.source.stat().st_size, name


def _words_with_boxes(pdf: Path) -> list[tuple[str, tuple[float, float, float, float]]]:
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True).stdout
    pattern = r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<'
    return [(m[4], tuple(float(v) for v in m[:4])) for m in re.findall(pattern, html)]


@pytest.mark.parametrize("name", ["gray_png", "turned_photo", "multipage_pdf"])
def test_text_layer_sits_on_the_printed_words(built: dict[str, Built], tmp_path: Path, name: str) -> None:
    """Rendered at 100 dpi, each invisible word's box holds ink, and the boxes hold the page's black
    ink (the red seal is lighter): the words were put back through crop, turn, deskew and scale onto
    the scan as uploaded."""
    pdf = built[name].result.pdf_path
    text = subprocess.run(["pdftotext", "-l", "1", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "QUYẾT ĐỊNH" in text and "123/QĐ-UBND" in text
    subprocess.run(
        ["pdftoppm", "-r", "100", "-gray", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")], check=True
    )
    page = np.asarray(Image.open(next(tmp_path.glob("p*.pgm"))))
    ink, black = page < 160, page < 60
    covered = np.zeros_like(ink)
    k = 100 / 72
    words = [(w, box) for w, box in _words_with_boxes(pdf) if len(w) >= 3]
    assert len(words) >= 30
    with_ink = 0
    for _, (x0, y0, x1, y1) in words:
        box = (slice(int(y0 * k), int(np.ceil(y1 * k)) + 1), slice(int(x0 * k), int(np.ceil(x1 * k)) + 1))
        with_ink += ink[box].mean() > 0.05
        covered[box] = True
    assert with_ink >= 0.95 * len(words)
    assert (black & covered).sum() >= 0.9 * black.sum()


def test_xmp_carries_the_record_metadata(built: dict[str, Built]) -> None:
    result = built["gray_png"].result
    with pikepdf.open(result.pdf_path) as pdf:
        meta = pdf.open_metadata()
        assert meta["pdfaid:part"] == "2" and meta["pdfaid:conformance"] == "B"
        assert meta["dc:title"] == result.metadata["subject"]
        assert meta["dc:creator"] == [result.metadata["issuing_body"]]
        assert meta["dc:identifier"] == "123/QĐ-UBND"
        assert meta["dc:language"] == {"vi"}
        assert str(pdf.docinfo["/Title"]) == result.metadata["subject"]


def test_a_pdfa_that_cannot_be_made_leaves_the_record_whole(built: dict[str, Built], tmp_path: Path) -> None:
    """Text and metadata stay; the record says why there is no PDF (here: pages and OCR disagree)."""
    b = built["multipage_pdf"]
    path, info = make_pdfa(
        b.source, b.result.mime, b.result.pages[:1], b.result.metadata, OcrOptions(workdir=tmp_path)
    )
    assert path is None and not info["made"]
    assert info["reason_code"] == "pdfa_pages" and "2 pages" in info["reason"]
    assert not (tmp_path / "document.pdf").exists()


def test_validation_in_the_flow_records_the_verdict(
    built: dict[str, Built], tmp_path: Path, monkeypatch
) -> None:
    b = built["bitonal_tiff"]
    source = SourceObject("b", b.source.name, "e", b.source.stat().st_size)
    result = process_file(b.source, source, OcrOptions(pdf=True, workdir=tmp_path / "w"), validate_pdfa=True)
    assert result.pdfa["validated"] and result.pdfa["compliant"] and result.pdfa["failed_rules"] == []
    assert result.pdfa["validation_seconds"] > 0
    monkeypatch.setenv("SOHOA_VERAPDF_JAR", str(tmp_path / "missing.jar"))
    result = process_file(b.source, source, OcrOptions(pdf=True, workdir=tmp_path / "w2"), validate_pdfa=True)
    assert result.pdf_path and result.pdfa["made"]  # the PDF stands; only the verdict is missing
    assert not result.pdfa["validated"] and result.pdfa["validation_reason"] == "validator_missing"
    assert "infra/setup.sh verapdf" in result.pdfa["validation_error"]
