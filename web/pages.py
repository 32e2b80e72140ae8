"""Page images for the record page, rendered from the stored files and cached on disk.

The searchable PDF in the processed bucket when the record has one (every page, whatever the scan's
format), else the original scan. A page is rendered once per version of the record (the etag is in
the cache key), at the viewer's width, and its thumbnail is made from that image. The cache is
bounded in bytes; the least recently used files go first.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from PIL import Image

from ocr.loader import iter_page_images
from storage.objects import ObjectStore

__all__ = ["VIEW_DPI", "PageCache"]

VIEW_DPI = 110  # an A4 page ~910 px wide: readable on a screen, small on the wire
THUMB_WIDTH = 180
JPEG_QUALITY = 80


class PageCache:
    def __init__(self, root: Path, store: ObjectStore, max_bytes: int = 512 * 2**20) -> None:
        self.root = root
        self.store = store
        self.max_bytes = max_bytes
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        root.mkdir(parents=True, exist_ok=True)

    def _lock(self, key: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    @staticmethod
    def source_of(doc: Mapping[str, Any]) -> tuple[str, str]:
        """(bucket, key) of the file the pages are rendered from."""
        deriv = doc.get("derivatives") or {}
        if deriv.get("processed_bucket") and deriv.get("pdf_key"):
            return deriv["processed_bucket"], deriv["pdf_key"]
        return doc["bucket"], doc["key"]

    def _version(self, doc: Mapping[str, Any]) -> str:
        bucket, key = self.source_of(doc)
        raw = f"{doc['record_id']}\n{doc.get('etag')}\n{doc.get('indexed_at')}\n{bucket}\n{key}"
        return hashlib.sha256(raw.encode()).hexdigest()[:24]

    def page(self, doc: Mapping[str, Any], page_no: int, *, thumb: bool = False) -> Path:
        """The JPEG of one page (rendered on first use). ValueError for a page the record lacks."""
        n_pages = int(doc.get("n_pages") or 0)
        if not 1 <= page_no <= max(n_pages, 1):
            raise ValueError(f"record {doc['record_id']} has no page {page_no}")
        folder = self.root / "pages" / self._version(doc)
        view = folder / f"{page_no}.jpg"
        small = folder / f"{page_no}.thumb.jpg"
        wanted = small if thumb else view
        if wanted.exists():
            os.utime(wanted)  # recently used: the cache trims the oldest first
            return wanted
        with self._lock(str(view)):
            if not view.exists():
                folder.mkdir(parents=True, exist_ok=True)
                self._render(doc, page_no, view)
            if not small.exists():
                with Image.open(view) as img:
                    img.thumbnail((THUMB_WIDTH, THUMB_WIDTH * 2))
                    _save(img, small)
        self._trim()
        return wanted

    def _render(self, doc: Mapping[str, Any], page_no: int, out: Path) -> None:
        bucket, key = self.source_of(doc)
        suffix = Path(key).suffix or ".bin"
        with tempfile.TemporaryDirectory(prefix="sohoa-web-", dir=self.root) as tmp:
            local = Path(tmp) / f"source{suffix}"
            self.store.get_to_file(bucket, key, local)
            (page,) = list(iter_page_images(local, dpi=VIEW_DPI, pages=[page_no]))
            if page.image is None:
                raise ValueError(f"page {page_no} of {key} could not be rendered: {page.error}")
            img = Image.fromarray(page.image)
            width = round(8.27 * VIEW_DPI)  # raster scans come at their own resolution: A4 at VIEW_DPI
            if img.width > width:
                img = img.resize((width, round(img.height * width / img.width)), Image.Resampling.LANCZOS)
            _save(img, out)

    def _trim(self) -> None:
        files = [p for p in (self.root / "pages").rglob("*.jpg") if p.is_file()]
        total = sum(p.stat().st_size for p in files)
        if total <= self.max_bytes:
            return
        for p in sorted(files, key=lambda f: f.stat().st_mtime):
            total -= p.stat().st_size
            p.unlink(missing_ok=True)
            if total <= self.max_bytes * 0.8:
                break


def _save(img: Image.Image, path: Path) -> None:
    tmp = path.with_suffix(".tmp")
    img.convert("L" if img.mode in ("L", "1") else "RGB").save(tmp, "JPEG", quality=JPEG_QUALITY)
    tmp.replace(path)  # readers never see half a file
