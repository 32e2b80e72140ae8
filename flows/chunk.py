"""The child flow of a backlog: one chunk of objects on one machine, with every core of it.

Started by the parent (`flows/backlog.py`) through the `digitize-chunk` deployment on the process work pool;
a worker with a free slot runs it in a fresh process. The chunk is a batch like any other: its records
are planned against the ledger, claimed one by one, processed, indexed and reported.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from prefect import flow, runtime
from prefect.task_runners import ThreadPoolTaskRunner

from config.settings import SHARED_WITH_CHUNKS, load_settings
from core.cpu import available_cores
from core.errors import ConfigError
from flows.batch import run_batch
from pipeline.run.chunks import Chunk
from pipeline.run.plan import Mode
from storage.objects import ObjectInfo


def run_id() -> str:
    """The flow run's id: the ledger names each record's last run by it, the parent counts by it."""
    return str(runtime.flow_run.id or uuid.uuid4())


@flow(
    name="digitize-chunk",
    flow_run_name="chunk-{chunk}",
    log_prints=True,
    task_runner=ThreadPoolTaskRunner(max_workers=available_cores()),
)
def digitize_chunk(
    bucket: str,
    objects: list[list[Any]],
    backlog_id: str,
    chunk: int,
    since: str,
    reprocess_failed: bool = False,
    force: bool = False,
    workers: int | None = None,
    config: dict[str, Any] | None = None,
) -> dict:
    """Digitize one chunk of a backlog: `objects` as [key, etag, size]; `since` the backlog's start;
    `config` the backlog's settings (`config.settings.SHARED_WITH_CHUNKS`) over this machine's own."""
    unknown = set(config or {}) - set(SHARED_WITH_CHUNKS)
    if unknown:
        raise ConfigError(f"settings a chunk does not take from its backlog: {', '.join(sorted(unknown))}")
    settings = load_settings(**(config or {}))
    mode = Mode.force if force else Mode.reprocess_failed if reprocess_failed else Mode.resume
    listing = [ObjectInfo(o.bucket, o.key, o.etag, o.size) for o in Chunk.objects_from(bucket, objects)]
    report = run_batch(
        bucket,
        f"backlog {backlog_id} chunk {chunk}",
        mode,
        workers or settings.workers,
        None,
        settings,
        run_id(),
        objects=listing,
        since=datetime.fromisoformat(since),
    )
    return report.to_dict()
