"""Loader: type sniffing, typed errors for bad files, pages streamed one at a time."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter

from ocr import loader, pagescan, poppler
from ocr.errors import (
    CorruptFileError,
    EmptyFileError,
    EncryptedPdfError,
    ImageTooLargeError,
    TooManyPagesError,
    UnsupportedTypeError,
)
from tests.fixtures.ocr.pages import render_page, save


def _pdf(path: Path, n_pages: int) -> Path:
    """An image-only PDF of n small pages (each page has a different width, to tell them apart)."""
    pages = [
        Image.fromarray(render_page([f"Trang {i + 1}"], size=(400 + 40 * i, 300))) for i in range(n_pages)
    ]
    pages[0].save(path, "PDF", resolution=100, save_all=True, append_images=pages[1:])
    return path


def _tiff(path: Path, n_pages: int, compression: str = "tiff_deflate") -> Path:
    pages = [
        Image.fromarray(render_page([f"Trang {i + 1}"], size=(400 + 40 * i, 300))) for i in range(n_pages)
    ]
    pages[0].save(path, save_all=True, append_images=pages[1:], compression=compression)
    return path


def test_sniff_type_reads_bytes_not_names(tmp_path: Path) -> None:
    page = render_page(["Hà Nội"], size=(200, 100))
    assert loader.sniff_type(save(page, tmp_path / "a.png")) == "image/png"
    assert loader.sniff_type(save(page, tmp_path / "a.jpg", format="JPEG")) == "image/jpeg"
    assert loader.sniff_type(save(page, tmp_path / "named.pdf", format="TIFF")) == "image/tiff"
    assert loader.sniff_type(_pdf(tmp_path / "b.bin", 1)) == "application/pdf"
    (tmp_path / "note.jpg").write_text("không phải ảnh")
    assert loader.sniff_type(tmp_path / "note.jpg") == "text/plain"


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "empty.png").write_bytes(b"")
    with pytest.raises(EmptyFileError):
        list(loader.iter_page_images(tmp_path / "empty.png"))


def test_text_file_named_jpg_is_unsupported(tmp_path: Path) -> None:
    (tmp_path / "scan.jpg").write_text("hello, this is text\n")
    with pytest.raises(UnsupportedTypeError) as err:
        list(loader.iter_page_images(tmp_path / "scan.jpg"))
    assert err.value.reason == "unsupported_type" and "scan.jpg" in str(err.value)


def test_truncated_png_is_corrupt(tmp_path: Path) -> None:
    data = save(render_page(size=(600, 400)), tmp_path / "full.png").read_bytes()
    (tmp_path / "cut.png").write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptFileError):
        list(loader.iter_page_images(tmp_path / "cut.png"))


def test_truncated_pdf_is_corrupt(tmp_path: Path) -> None:
    data = _pdf(tmp_path / "full.pdf", 2).read_bytes()
    (tmp_path / "cut.pdf").write_bytes(data[:300])
    with pytest.raises(CorruptFileError):
        list(loader.iter_page_images(tmp_path / "cut.pdf"))


def test_encrypted_pdf(tmp_path: Path) -> None:
    writer = PdfWriter(clone_from=PdfReader(_pdf(tmp_path / "plain.pdf", 1)))
    writer.encrypt(user_password="mat-khau", owner_password="chu-so-huu")
    with (tmp_path / "locked.pdf").open("wb") as fh:
        writer.write(fh)
    with pytest.raises(EncryptedPdfError) as err:
        list(loader.iter_page_images(tmp_path / "locked.pdf"))
    assert "qpdf --decrypt" in str(err.value)


def _png_header_only(path: Path, width: int, height: int) -> Path:
    """A tiny PNG that declares a huge size: a decompression bomb must be refused before decoding."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )
    return path


def test_pixel_bomb_is_refused(tmp_path: Path) -> None:
    bomb = _png_header_only(tmp_path / "bomb.png", 40_000, 40_000)  # 1.6 gigapixels in a few bytes
    with pytest.raises(ImageTooLargeError):
        list(loader.iter_page_images(bomb))
    small = save(render_page(size=(600, 400)), tmp_path / "ok.png")
    with pytest.raises(ImageTooLargeError):
        list(loader.iter_page_images(small, max_pixels=100_000))


def test_too_many_pages(tmp_path: Path) -> None:
    with pytest.raises(TooManyPagesError):
        list(loader.iter_page_images(_tiff(tmp_path / "three.tif", 3), max_pages=2))
    with pytest.raises(TooManyPagesError):
        list(loader.iter_page_images(_pdf(tmp_path / "three.pdf", 3), max_pages=2))
    with pytest.raises(TooManyPagesError):
        loader.count_pages(tmp_path / "three.pdf", max_pages=2)


@pytest.mark.parametrize("compression", ["tiff_deflate", "group4", "tiff_lzw", "jpeg"])
def test_multipage_tiff_pages_one_at_a_time(tmp_path: Path, compression: str) -> None:
    path = tmp_path / "doc.tif"
    if compression == "group4":  # CCITT G4 needs 1-bit pages
        pages = [
            Image.fromarray(render_page([f"Trang {i + 1}"], size=(400 + 40 * i, 300))).convert("1")
            for i in range(3)
        ]
        pages[0].save(path, save_all=True, append_images=pages[1:], compression="group4")
    else:
        _tiff(path, 3, compression)
    it = loader.iter_page_images(path)
    first = next(it)
    assert first.page_no == 1 and first.image is not None and first.image.shape == (300, 400)
    rest = list(it)
    assert [p.page_no for p in rest] == [2, 3]
    assert [p.image.shape[1] for p in rest if p.image is not None] == [440, 480]
    assert loader.count_pages(path) == 3


def test_pdf_read_one_page_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _pdf(tmp_path / "doc.pdf", 3)
    calls: list[int] = []
    real = pagescan.read_page_scan

    def spy(p: Path, page_no: int, max_pixels: int) -> pagescan.PageScan | None:
        calls.append(page_no)
        return real(p, page_no, max_pixels)

    monkeypatch.setattr(pagescan, "read_page_scan", spy)
    monkeypatch.setattr(poppler, "render_page", lambda *a, **kw: pytest.fail("a scan page was rendered"))
    it = loader.iter_page_images(path, dpi=300)
    first = next(it)
    assert calls == [1]  # nothing beyond the first page was read yet
    # a scan page is its image as stored, at the scan's resolution (not the 300 dpi asked to render at)
    assert first.image is not None and first.image.ndim == 2 and first.image.shape == (300, 400)
    assert first.dpi_header == pytest.approx(100) and first.render_dpi is None
    assert [p.page_no for p in it] == [2, 3] and calls == [1, 2, 3]
    only = list(loader.iter_page_images(path, pages=[2]))
    assert (
        [p.page_no for p in only] == [2] and only[0].image is not None and only[0].image.shape == (300, 440)
    )


def test_pdf_page_that_is_more_than_a_scan_is_rendered(tmp_path: Path) -> None:
    path = _pdf(tmp_path / "doc.pdf", 2)
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        pdf.pages[1].contents_add(pdf.make_stream(b"q 0 g 10 10 50 50 re f Q"))  # a box drawn over the scan
        pdf.save(path)
    first, second = loader.iter_page_images(path, dpi=100)
    assert first.render_dpi is None  # read as stored
    assert second.render_dpi == 100 and second.image is not None  # rendered, the box with it
    assert second.image.shape[:2] == (300, 440)
    assert second.image[-50:-20, 20:50].max() < 60  # the drawn box is there (PDF y runs upwards)


def test_bad_tiff_page_does_not_stop_the_others(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _tiff(tmp_path / "doc.tif", 3)
    real = loader.to_array
    seen = {"n": 0}

    def flaky(img: Image.Image) -> np.ndarray:
        seen["n"] += 1
        if seen["n"] == 2:
            raise OSError("broken strip")
        return real(img)

    monkeypatch.setattr(loader, "to_array", flaky)
    pages = list(loader.iter_page_images(path))
    assert [p.ok for p in pages] == [True, False, True]
    assert pages[1].error_reason == "corrupt_file" and "page 2" in (pages[1].error or "")


@pytest.mark.parametrize(
    ("name", "rgb"), [("g.png", False), ("c.png", True), ("g.jpg", False), ("c.jpg", True)]
)
def test_common_scans_decoded_fast_with_the_same_pixels(tmp_path: Path, name: str, rgb: bool) -> None:
    page = render_page(size=(600, 400), rgb=rgb)
    path = save(page, tmp_path / name, **({"quality": 80} if name.endswith("jpg") else {}))
    with Image.open(path) as img:
        fast = loader._fast_decode(path, img)
        slow = loader.to_array(img)
    assert fast is not None and fast.shape == slow.shape and np.array_equal(fast, slow)
    assert np.array_equal(next(loader.iter_page_images(path)).image, slow)


def test_rotated_or_truncated_jpeg_left_to_pillow(tmp_path: Path) -> None:
    page = render_page(size=(600, 400))
    exif = Image.Exif()
    exif[0x0112] = 6  # taken sideways: Pillow turns it upright
    path = save(page, tmp_path / "phone.jpg", exif=exif)
    with Image.open(path) as img:
        assert loader._fast_decode(path, img) is None
    assert next(loader.iter_page_images(path)).image.shape == (600, 400)
    data = save(page, tmp_path / "full.jpg").read_bytes()
    (tmp_path / "cut.jpg").write_bytes(data[: len(data) // 2])
    with Image.open(tmp_path / "cut.jpg") as img:
        assert loader._fast_decode(tmp_path / "cut.jpg", img) is None
    with pytest.raises(CorruptFileError):
        list(loader.iter_page_images(tmp_path / "cut.jpg"))
