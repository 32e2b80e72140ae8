"""What a district office runs to upload a folder of scans: parallel, resumable, skips what is there.

A file is skipped when the object at its key already has the same MD5 (the ETag of a plain upload, or
the `sohoa-md5` metadata that multipart uploads carry, since their ETag is not an MD5).
"""

from __future__ import annotations

import contextlib
import hashlib
import mimetypes
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from storage.errors import AccessDeniedError
from storage.objects import ObjectStore

SCAN_SUFFIXES = {".pdf", ".tif", ".tiff", ".png", ".jpg", ".jpeg", ".json"}


@dataclass
class UploadReport:
    uploaded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    bytes_sent: int = 0


def md5_of(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "md5").hexdigest()


def local_files(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.name.startswith(".") and path.suffix.lower() in SCAN_SUFFIXES:
            yield path


def object_key(prefix: str, root: Path, path: Path) -> str:
    rel = path.relative_to(root).as_posix()
    return f"{prefix.strip('/')}/{rel}" if prefix.strip("/") else rel


def upload_dir(
    store: ObjectStore,
    root: Path,
    bucket: str,
    prefix: str,
    workers: int = 4,
    on_file: Callable[[str, str, int], None] | None = None,
) -> UploadReport:
    """Upload every scan (and sidecar) under `root` to s3://bucket/prefix/<relative path>."""
    if not root.is_dir():
        raise NotADirectoryError(f"{root}: not a folder")
    # a district identity may not even look at the bucket; it may still write its own prefix
    with contextlib.suppress(AccessDeniedError):
        store.ensure_bucket(bucket)
    area = f"{prefix.strip('/')}/" if prefix.strip("/") else ""  # districts may list only "<slug>/"
    existing = {o.key: o.etag for o in store.list(bucket, area)}
    report = UploadReport()

    def one(path: Path) -> tuple[str, str, int]:
        key = object_key(prefix, root, path)
        digest = md5_of(path)
        etag = existing.get(key)
        if etag == digest or (etag and "-" in etag and _stored_md5(store, bucket, key) == digest):
            return key, "skipped", 0
        ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        store.put_file(bucket, key, path, ctype, metadata={"sohoa-md5": digest})
        return key, "uploaded", path.stat().st_size

    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(one, p): p for p in local_files(root)}
        for fut in as_completed(futures):
            path = futures[fut]
            try:
                key, what, sent = fut.result()
            except Exception as exc:  # one bad file does not stop the others
                key, what, sent = str(path), "failed", 0
                report.failed[key] = str(exc)
            else:
                (report.uploaded if what == "uploaded" else report.skipped).append(key)
                report.bytes_sent += sent
            if on_file:
                on_file(key, what, path.stat().st_size)
    return report


def _stored_md5(store: ObjectStore, bucket: str, key: str) -> str | None:
    st = store.client.stat_object(bucket, key)
    return (st.metadata or {}).get("x-amz-meta-sohoa-md5")
