"""The parent flow of a backlog on many machines: list the prefix once, cut the work into chunks, start one
child run of the `digitize-chunk` deployment per chunk on the process work pool, wait for them, start again
the chunks whose runs crashed, and publish one report for the whole backlog.

Prefect does the distribution: each machine runs `prefect worker start --pool sohoa-process --limit 1`
(one chunk at a time, every core on it); a chunk run is a flow run like any other, with heartbeats, and
the zombie automation (`flows/setup.py`) marks a run `Crashed` when its machine goes silent. Starting the
same backlog again (the same `backlog_id`) finds its plan and its chunk runs again (idempotency keys):
nothing is started twice.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from prefect import flow, get_run_logger, runtime
from prefect.artifacts import create_markdown_artifact
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
from prefect.client.schemas.objects import FlowRun, StateType
from prefect.deployments import run_deployment
from prefect.states import Crashed

from config.settings import Settings, load_settings
from core.errors import ConfigError
from core.retry import with_retries
from flows import progress
from flows.batch import prepare
from flows.setup import SOHOA_TAG
from pipeline.run.backlog import BacklogReport, ChunkRun, backlog_markdown, build_report
from pipeline.run.chunks import DEFAULT_CHUNK_MB, DEFAULT_CHUNK_OBJECTS, BacklogPlan, Chunk, cut, plan_key
from pipeline.run.context import RunContext
from pipeline.run.plan import Mode, PlanStats, plan
from pipeline.run.report import summary_line
from storage.errors import ObjectNotFoundError

CHUNK_DEPLOYMENT = "digitize-chunk/digitize-chunk"


def _logger() -> logging.Logger | logging.LoggerAdapter:
    try:
        return get_run_logger()
    except Exception:
        return logging.getLogger("sohoa.backlog")


# -- the plan, made once per backlog --------------------------------------------------------------------
def load_or_make_plan(
    ctx: RunContext,
    backlog_id: str,
    bucket: str,
    prefix: str,
    mode: Mode,
    chunk_objects: int,
    chunk_mb: int,
) -> tuple[BacklogPlan, bool]:
    """The backlog's plan: the stored one when this backlog was started before, else a new one (listed,
    checked against the ledger, cut, stored before any chunk starts). Returns (plan, found again)."""
    bucket_out, key = ctx.config.processed_bucket, plan_key(backlog_id)
    try:
        data, _ = with_retries(
            lambda: ctx.store.get_bytes(bucket_out, key), budget=ctx.budget(), what=f"get {key}"
        )
        found = BacklogPlan.from_json(data)
    except ObjectNotFoundError:
        found = None
    if found is not None:
        if (found.bucket, found.prefix) != (bucket, prefix):
            raise ConfigError(
                f"backlog {backlog_id} is s3://{found.bucket}/{found.prefix}, not s3://{bucket}/{prefix}",
                hint="give the backlog's own bucket and prefix, or leave --backlog-id out for a new backlog",
            )
        return found, True
    since = datetime.now(UTC)  # before the ledger is read
    stats = PlanStats()
    listing = ctx.store.list(bucket, prefix)
    todo = plan(listing, ctx.ledger_states, mode, stats, max_attempts=ctx.config.max_attempts)
    chunks = list(cut(todo, chunk_objects, chunk_mb << 20))
    backlog = BacklogPlan(backlog_id, bucket, prefix, mode.value, since, chunks, stats)
    body = backlog.to_json()
    with_retries(
        lambda: ctx.store.put_bytes(bucket_out, key, body, "application/json"),
        budget=ctx.budget(),
        what=f"put {key}",
    )
    return backlog, False


# -- the chunk runs --------------------------------------------------------------------------------------
@dataclass
class ChunkTrack:
    chunk: Chunk
    attempt: int = 0
    flow_run_id: str | None = None
    runs: list[ChunkRun] = field(default_factory=list)


@dataclass
class Dispatcher:
    """Starts chunk runs (at most `max_active` not finished at once), watches them, starts a chunk again
    when its run crashed or failed, up to `max_attempts` runs per chunk."""

    plan: BacklogPlan
    deployment: str
    max_attempts: int
    max_active: int = 50
    poll: float = 5.0
    pending_timeout: float = 900.0  # a run a worker took but never started: its machine died first
    workers: int | None = None
    config: dict[str, Any] = field(default_factory=dict)  # the backlog's settings, for every chunk
    runs: list[ChunkRun] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def parameters(self, chunk: Chunk) -> dict[str, Any]:
        mode = Mode(self.plan.mode)
        return {
            "bucket": self.plan.bucket,
            "objects": chunk.parameter(),
            "backlog_id": self.plan.backlog_id,
            "chunk": chunk.number,
            "since": self.plan.since.isoformat(),
            "reprocess_failed": mode is Mode.reprocess_failed,
            "force": mode is Mode.force,
            "workers": self.workers,
            "config": self.config,
        }

    def start(self, track: ChunkTrack) -> None:
        track.attempt += 1
        number = track.chunk.number
        run = run_deployment(
            self.deployment,
            parameters=self.parameters(track.chunk),
            timeout=0,  # start it and return: the parent watches all its chunks at once
            # a parent started again finds the same run instead of starting a second one
            idempotency_key=f"{self.plan.backlog_id}/chunk-{number}/attempt-{track.attempt}",
            flow_run_name=f"chunk-{number:04d}-{track.attempt}",
            tags=[SOHOA_TAG, f"backlog-{self.plan.backlog_id[:8]}"],  # the zombie automation watches the tag
        )
        track.flow_run_id = str(run.id)
        progress.emit("chunk", chunk=number, attempt=track.attempt, state="started", run=str(run.id))

    def run(self) -> None:
        log = _logger()
        queue = deque(ChunkTrack(c) for c in self.plan.chunks)
        active: dict[str, ChunkTrack] = {}
        while queue or active:
            while queue and len(active) < self.max_active:
                track = queue.popleft()
                self.start(track)
                active[track.flow_run_id or ""] = track
            time.sleep(self.poll if active else 0)
            for fr in self._read(list(active)):
                track = active[str(fr.id)]
                if not self._finished(fr, track, log):
                    continue
                del active[str(fr.id)]
                if (
                    fr.state_type in (StateType.CRASHED, StateType.FAILED)
                    and track.attempt < self.max_attempts
                ):
                    log.warning(
                        "chunk %d: run %s %s; starting it again", track.chunk.number, fr.id, fr.state_name
                    )
                    self.start(track)
                    active[track.flow_run_id or ""] = track
                elif fr.state_type is not StateType.COMPLETED:
                    self.problems.append(
                        f"chunk {track.chunk.number}: its last run ({fr.id}) ended {fr.state_name} after "
                        f"{track.attempt} runs: {_message(fr)}"
                    )

    def _read(self, ids: list[str]) -> Iterator[FlowRun]:
        with get_client(sync_client=True) as client:
            for start in range(0, len(ids), 200):  # the API answers at most 200 at a time
                batch = [uuid.UUID(i) for i in ids[start : start + 200]]
                yield from client.read_flow_runs(
                    flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=batch)), limit=len(batch)
                )

    def _finished(self, fr: FlowRun, track: ChunkTrack, log: logging.Logger | logging.LoggerAdapter) -> bool:
        """Whether the run is over (recorded in `runs`). A run left `Pending` too long is declared crashed:
        the worker that took it died before the run could start (and so before any heartbeat)."""
        if fr.state_type is StateType.PENDING and fr.state and fr.state.timestamp:
            age = (datetime.now(UTC) - fr.state.timestamp).total_seconds()
            if age > self.pending_timeout:
                log.warning(
                    "chunk %d: run %s pending for %.0f s; marking it crashed", track.chunk.number, fr.id, age
                )
                with get_client(sync_client=True) as client:
                    client.set_flow_run_state(
                        fr.id, Crashed(message="never started: its worker went away"), force=True
                    )
                return False  # seen as Crashed at the next poll
        if fr.state is None or not fr.state.is_final():
            return False
        run = ChunkRun(
            track.chunk.number,
            track.attempt,
            str(fr.id),
            fr.state_name or str(fr.state_type),
            fr.created,
            fr.start_time,
            fr.end_time or (fr.state.timestamp if fr.state else None),
            _message(fr),
        )
        self.runs.append(run)
        progress.emit(
            "chunk", chunk=track.chunk.number, attempt=track.attempt, state=run.state, run=run.flow_run_id
        )
        return True


def _message(fr: FlowRun) -> str:
    return (fr.state.message or "") if fr.state else ""


# -- the report ------------------------------------------------------------------------------------------
def settle(
    ctx: RunContext, backlog: BacklogPlan, dispatcher: Dispatcher, started_at: datetime
) -> BacklogReport:
    """Every planned object's ledger entry, read back in batches, classified into the report."""
    entries = ctx.ledger_states([o.id for c in backlog.chunks for o in c.objects])
    report = build_report(backlog, dispatcher.runs, entries, started_at, dispatcher.problems)
    report.finished_at = datetime.now(UTC)
    return report


def publish(report: BacklogReport, ctx: RunContext, log: logging.Logger | logging.LoggerAdapter) -> dict:
    data = report.to_dict()
    markdown = backlog_markdown(data)
    log.info("backlog %s: %s", report.plan.backlog_id, summary_line(data))
    key = f"reports/{report.plan.backlog_id}.json"
    try:
        body = json.dumps(data, ensure_ascii=False, indent=2).encode()
        ctx.store.put_bytes(ctx.config.processed_bucket, key, body, "application/json")
    except Exception as exc:
        log.error("could not write the report to s3://%s/%s: %s", ctx.config.processed_bucket, key, exc)
    try:
        create_markdown_artifact(
            markdown, key=f"backlog-report-{report.plan.backlog_id[:8]}", description="sohoa backlog report"
        )
    except Exception as exc:  # the JSON report is the record
        log.warning("could not create the Prefect artifact: %s", exc)
    return data


def run_backlog(
    bucket: str,
    prefix: str,
    mode: Mode,
    settings: Settings,
    backlog_id: str,
    *,
    chunk_objects: int = DEFAULT_CHUNK_OBJECTS,
    chunk_mb: int = DEFAULT_CHUNK_MB,
    deployment: str = CHUNK_DEPLOYMENT,
    max_active: int = 50,
    poll: float = 5.0,
    workers: int | None = None,
) -> dict:
    log = _logger()
    started_at = datetime.now(UTC)
    ctx = prepare(settings, backlog_id)
    backlog, again = load_or_make_plan(ctx, backlog_id, bucket, prefix, mode, chunk_objects, chunk_mb)
    log.info(
        "backlog %s: %d objects in %d chunks%s",
        backlog_id,
        backlog.objects,
        len(backlog.chunks),
        " (its stored plan: started before)" if again else "",
    )
    progress.emit("backlog", backlog_id=backlog_id, objects=backlog.objects, chunks=len(backlog.chunks))
    dispatcher = Dispatcher(
        backlog,
        deployment,
        # a file that kills its worker crashes its chunk's run once per attempt until it is given up
        max_attempts=settings.max_attempts + 1,
        max_active=max_active,
        poll=poll,
        workers=workers,
        config=settings.shared_with_chunks(),
    )
    dispatcher.run()
    report = settle(ctx, backlog, dispatcher, started_at)
    data = publish(report, ctx, log)
    progress.emit("finish", report=data)
    return data


@flow(name="digitize-backlog", log_prints=True)
def digitize_backlog(
    bucket: str,
    prefix: str = "",
    reprocess_failed: bool = False,
    force: bool = False,
    chunk_objects: int = DEFAULT_CHUNK_OBJECTS,
    chunk_mb: int = DEFAULT_CHUNK_MB,
    backlog_id: str | None = None,
    deployment: str = CHUNK_DEPLOYMENT,
    max_active: int = 50,
    poll_seconds: float = 5.0,
    workers: int | None = None,
) -> dict:
    """Digitize a whole prefix on every worker of the pool: chunks of `chunk_objects` objects (and at most
    `chunk_mb` MB), each a run of `deployment`. Give the same `backlog_id` to resume a backlog."""
    mode = Mode.force if force else Mode.reprocess_failed if reprocess_failed else Mode.resume
    backlog_id = backlog_id or str(runtime.flow_run.id or uuid.uuid4())
    return run_backlog(
        bucket,
        prefix,
        mode,
        load_settings(),
        backlog_id,
        chunk_objects=chunk_objects,
        chunk_mb=chunk_mb,
        deployment=deployment,
        max_active=max_active,
        poll=poll_seconds,
        workers=workers,
    )
