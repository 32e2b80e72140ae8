"""A mixed batch of uploads for the end-to-end tests: good scans of several kinds and broken ones."""

from __future__ import annotations

import contextlib
import dataclasses
import io
from pathlib import Path

from pypdf import PdfReader, PdfWriter

from samples.render import render, save_pdf, save_png, save_tiff
from samples.specs import BC_LONG_BIEN, CV_DONG_DA, QD_CAU_GIAY, TB_HOAN_KIEM
from storage.errors import ObjectNotFoundError
from storage.objects import ObjectStore

GOOD = {
    "cau-giay/qd-123.png": "123/QĐ-UBND",
    "dong-da/cv-45.pdf": "45/UBND-VP",  # 2 pages
    "long-bien/bc-88.tif": "88/BC-UBND",  # 2 pages
}
BAD = {
    "hoan-kiem/empty.pdf": "empty_file",
    "hoan-kiem/truncated.pdf": "corrupt_file",
    "hoan-kiem/encrypted.pdf": "encrypted_pdf",
    "hoan-kiem/not-an-image.jpg": "unsupported_type",
}


def write_batch(folder: Path) -> Path:
    """Write the batch under `folder` (keys as relative paths) and return the folder."""
    for key in [*GOOD, *BAD]:
        (folder / key).parent.mkdir(parents=True, exist_ok=True)
    # scanned 2 degrees askew: the engine must straighten it, and the record must say so
    save_png([p.rotate(2, fillcolor=255) for p in render(QD_CAU_GIAY)], folder / "cau-giay/qd-123.png")
    cv = dataclasses.replace(CV_DONG_DA, extra_pages=[["Trang hai của công văn về giấy phép xây dựng./."]])
    save_pdf(render(cv), folder / "dong-da/cv-45.pdf")
    bc = dataclasses.replace(
        BC_LONG_BIEN, extra_pages=[["Phụ lục: số liệu thủ tục hành chính theo tháng./."]]
    )
    save_tiff(render(bc), folder / "long-bien/bc-88.tif")

    (folder / "hoan-kiem/empty.pdf").write_bytes(b"")
    good_pdf = (folder / "dong-da/cv-45.pdf").read_bytes()
    (folder / "hoan-kiem/truncated.pdf").write_bytes(good_pdf[: len(good_pdf) // 2])
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(good_pdf)))
    writer.encrypt(user_password="mat-khau", owner_password="mat-khau")
    with (folder / "hoan-kiem/encrypted.pdf").open("wb") as f:
        writer.write(f)
    (folder / "hoan-kiem/not-an-image.jpg").write_text("Đây là một tệp văn bản, không phải ảnh.\n")
    return folder


def replace_tb(folder: Path, key: str) -> None:
    """A new version of an object: different content at the same key."""
    save_png(render(TB_HOAN_KIEM)[:1], folder / key)


def remove_run_data(store: ObjectStore, es, env: dict[str, str], buckets: tuple[str, ...]) -> None:
    """Empty and remove the buckets, and delete the run's record and ledger indices (by their names in
    `env`)."""
    for bucket in buckets:
        with contextlib.suppress(ObjectNotFoundError):  # a run that never got far made no bucket
            for obj in store.list(bucket):
                store.delete(bucket, obj.key)
            store.client.remove_bucket(bucket)
    es.indices.delete(
        index=f"{env['SOHOA_INDEX_ALIAS']}*,{env['SOHOA_LEDGER_INDEX']}*",
        ignore_unavailable=True,
        allow_no_indices=True,
    )
