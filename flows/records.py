"""One object from the intake bucket to an outcome: fetch, process, store derivatives, build the document.

Plain functions (no Prefect): the flow maps them over the batch, tests call them directly.
Whatever happens, the result is an `Outcome` with a state; nothing escapes that would lose the record.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch

from flows.retry import with_retries
from flows.settings import Settings
from ocr.engine import OcrOptions
from ocr.errors import InputError
from pipeline.process import process_file
from pipeline.record import PIPELINE_VERSION, RecordResult, SourceObject, State
from pipeline.sidecar import parse_sidecar, sidecar_key
from search.records import record_id
from storage.errors import ObjectNotFoundError
from storage.objects import ObjectStore

log = logging.getLogger("sohoa.records")


@dataclass
class RunContext:
    settings: Settings
    store: ObjectStore
    es: Elasticsearch
    run_id: str
    tmp_dir: Path | None = None

    def ocr_options(self, workdir: Path) -> OcrOptions:
        s = self.settings
        return OcrOptions(
            lang=s.tesseract_lang,
            pdf=True,
            page_timeout=s.page_timeout,
            max_pages=s.max_pages,
            max_pixels=s.max_pixels,
            tessdata_dir=s.tessdata_dir,
            workdir=workdir,
        )


@dataclass
class Outcome:
    source: SourceObject
    state: State
    reason: str | None = None
    reason_code: str | None = None
    record: dict[str, Any] | None = None  # the record for the index, when processing succeeded
    n_pages: int = 0
    mean_conf: float | None = None
    doc_type_code: str | None = None
    seconds: float = 0.0
    attempts: int = 1
    finished_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())


def derivative_keys(source: SourceObject) -> dict[str, str]:
    """Derivatives live under the record id: safe whatever the key holds (`../`, unicode, length)."""
    base = f"records/{record_id(source.bucket, source.key)}"
    return {
        "pdf_key": f"{base}/document.pdf",
        "text_key": f"{base}/text.txt",
        "json_key": f"{base}/metadata.json",
    }


def fetch_sidecar(ctx: RunContext, source: SourceObject) -> dict[str, Any] | None:
    key = sidecar_key(source.key)
    if key == source.key:
        return None
    try:
        data, _ = with_retries(
            lambda: ctx.store.get_bytes(source.bucket, key, max_bytes=1 << 20), what=f"get {key}"
        )
    except ObjectNotFoundError:
        return None
    return parse_sidecar(data, key)


def build_record(result: RecordResult, ctx: RunContext, keys: dict[str, str]) -> dict[str, Any]:
    """The record as the index wants it (see search/records.py)."""
    low_pages = [p.page_no for p in result.pages if p.low_conf_share is not None and p.low_conf_share > 0.3]
    return {
        "bucket": result.source.bucket,
        "key": result.source.key,
        "etag": result.source.etag,
        "size": result.source.size,
        "mime": result.mime,
        "district": result.source.district,
        "n_pages": result.n_pages,
        "text": result.text,
        "pages": [
            {
                "page_no": p.page_no,
                "text": p.text,
                "mean_conf": p.mean_conf,
                "low_conf_share": p.low_conf_share,
                "error": p.error,
                "text_source": p.text_source,
                "layer_rejected": p.layer_rejected,
            }
            for p in result.pages
        ],
        "signatures": [s.to_dict() for s in result.signatures],
        "metadata": result.metadata,
        "sidecar": result.sidecar,
        "ocr": {
            "mean_conf": result.mean_conf,
            "low_conf_pages": low_pages,
            "steps": sorted(
                {s.get("name", "?") for p in result.pages for s in p.steps if s.get("applied", True)}
            ),
            "timings": {k: round(v, 3) for k, v in result.timings.items()},
        },
        "pipeline_version": PIPELINE_VERSION,
        "processed_at": datetime.now(UTC).isoformat(),
        "run_id": ctx.run_id,
        "derivatives": {"processed_bucket": ctx.settings.processed_bucket, **keys},
    }


def store_derivatives(
    ctx: RunContext, result: RecordResult, keys: dict[str, str], record: dict[str, Any]
) -> None:
    bucket = ctx.settings.processed_bucket
    put = ctx.store
    if result.pdf_path:
        with_retries(
            lambda: put.put_file(bucket, keys["pdf_key"], result.pdf_path, "application/pdf"),
            what=f"put {keys['pdf_key']}",
        )
    text = result.text.encode()
    with_retries(
        lambda: put.put_bytes(bucket, keys["text_key"], text, "text/plain; charset=utf-8"),
        what=f"put {keys['text_key']}",
    )
    detail = {**record, "pages": [p.to_dict(include_words=True) for p in result.pages]}
    blob = json.dumps(detail, ensure_ascii=False, default=str).encode()
    with_retries(
        lambda: put.put_bytes(bucket, keys["json_key"], blob, "application/json"),
        what=f"put {keys['json_key']}",
    )


class TempSpaceError(Exception):
    """Not enough free space in the temp folder to process a record: an environment fault (retryable)."""

    reason = "tmp_space"


def check_temp_space(ctx: RunContext, source: SourceObject) -> None:
    """Refuse to start a record that would fill the temp folder: a clear error instead of half-written
    files whose failure reads like bad input (a page that does not decode) or an unreachable store."""
    if not ctx.settings.min_free_tmp_mb:  # 0: no check
        return
    folder = ctx.tmp_dir or Path(tempfile.gettempdir())
    need = ctx.settings.min_free_tmp_mb * 2**20 + 2 * source.size
    free = shutil.disk_usage(folder).free
    if free < need:
        raise TempSpaceError(
            f"temp folder {folder} has {free / 2**20:.0f} MB free, a record of {source.size / 2**20:.1f} MB "
            f"needs {need / 2**20:.0f} MB (free some space, point TMPDIR elsewhere or lower "
            "SOHOA_MIN_FREE_TMP_MB)"
        )


STALE_WORKDIR_SECONDS = 24 * 3600


def sweep_stale_workdirs(folder: Path | None, max_age: float = STALE_WORKDIR_SECONDS) -> int:
    """Remove `sohoa-*` work folders untouched for `max_age` seconds: what a killed worker (OOM,
    SIGKILL, power cut) left behind. A live record touches its folder with every page, so a day of
    silence is never work in progress. Returns how many were removed."""
    folder = folder or Path(tempfile.gettempdir())
    cutoff = time.time() - max_age
    removed = 0
    for path in folder.glob("sohoa-*"):
        try:
            if path.is_dir() and not path.is_symlink() and path.stat().st_mtime < cutoff:
                shutil.rmtree(path)
                removed += 1
        except OSError as exc:  # another worker's sweep, or not ours to remove: leave it
            log.debug("left %s: %s", path, exc)
    return removed


def handle_object(source: SourceObject, ctx: RunContext) -> Outcome:
    """Process one object; always returns an Outcome (indexing happens later, in bulk)."""
    start = time.perf_counter()
    attempts = 1
    try:
        check_temp_space(ctx, source)
        with tempfile.TemporaryDirectory(prefix="sohoa-", dir=ctx.tmp_dir) as tmp:
            work = Path(tmp)
            local = work / "source"
            _, attempts = with_retries(
                lambda: ctx.store.get_to_file(source.bucket, source.key, local), what=f"get {source.key}"
            )
            sidecar = fetch_sidecar(ctx, source)
            result = process_file(local, source, ctx.ocr_options(work), sidecar)
            keys = derivative_keys(source)
            record = build_record(result, ctx, keys)
            store_derivatives(ctx, result, keys, record)
    except InputError as exc:
        log.warning("quarantined %s: %s", source.key, exc)
        return Outcome(source, "quarantined", str(exc), exc.reason, seconds=time.perf_counter() - start)
    except Exception as exc:  # a record's failure must never take the batch down
        log.error("failed %s: %s", source.key, exc)
        return Outcome(
            source,
            "failed",
            f"{type(exc).__name__}: {exc}",
            getattr(exc, "reason", "error"),
            seconds=time.perf_counter() - start,
            attempts=getattr(exc, "attempts", attempts),
        )
    meta = result.metadata
    return Outcome(
        source,
        "indexed",
        record=record,
        n_pages=result.n_pages,
        mean_conf=result.mean_conf,
        doc_type_code=meta.get("doc_type_code"),
        seconds=time.perf_counter() - start,
        attempts=attempts,
    )
