"""The Prefect flow of one batch: list a bucket prefix, process what is not done yet, index in bulk,
write the ledger, publish the report. The work is in `pipeline.run`; this module maps it over the
objects with Prefect's task runner and publishes the report as Prefect artifacts."""

from __future__ import annotations

import contextlib
import logging
import uuid
from concurrent.futures import FIRST_COMPLETED, wait
from datetime import UTC, datetime

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from config.clients import es_client, object_store
from config.settings import Settings, load_settings
from core.cpu import available_cores
from core.retry import with_retries
from flows import progress
from pipeline.record import SourceObject
from pipeline.run.context import RunContext
from pipeline.run.job import Outcome, handle_object, sweep_stale_workdirs
from pipeline.run.plan import Mode, plan
from pipeline.run.report import RunReport, publish_report, report_markdown
from pipeline.run.sink import flush
from search.ledger import get_states
from search.templates import ensure_indices


@task(name="process-record", cache_policy=NO_CACHE, task_run_name="{source.key}")
def process_record(source: SourceObject, ctx: RunContext) -> Outcome:
    return handle_object(source, ctx)


def _logger() -> logging.Logger | logging.LoggerAdapter:
    try:
        return get_run_logger()
    except Exception:
        return logging.getLogger("sohoa.flow")


def prepare(settings: Settings, run_id: str) -> RunContext:
    """Clients, indices and the processed bucket, each step waiting for its server within the budget."""
    ctx = RunContext(settings.run_config(), object_store(settings), es_client(settings), run_id)
    cfg = ctx.config
    with_retries(
        lambda: ensure_indices(ctx.es, alias=cfg.index_alias, ledger_index=cfg.ledger_index),
        budget=ctx.budget(),
        what="ensure indices",
    )
    with_retries(
        lambda: ctx.store.ensure_bucket(cfg.processed_bucket), budget=ctx.budget(), what="ensure bucket"
    )
    return ctx


def run_batch(
    bucket: str, prefix: str, mode: Mode, workers: int, limit: int | None, settings: Settings, run_id: str
) -> RunReport:
    """The body of the flow; must run inside a flow (tasks are submitted to its task runner)."""
    log = _logger()
    ctx = prepare(settings, run_id)
    report = RunReport(run_id, bucket, prefix, mode.value)
    if swept := sweep_stale_workdirs(ctx.tmp_dir):
        log.info("removed %d work folders left by killed runs", swept)

    def lookup(ids: list[str]) -> dict:
        states, _ = with_retries(
            lambda: get_states(ctx.es, ids, index=ctx.config.ledger_index), budget=ctx.budget(), what="ledger"
        )
        return states

    todo = plan(
        ctx.store.list(bucket, prefix),
        lookup,
        mode,
        report.plan,
        limit=limit,
        max_attempts=ctx.config.max_attempts,
    )
    progress.emit("start", run_id=run_id, bucket=bucket, prefix=prefix)
    pending: list[Outcome] = []

    def settle() -> None:
        for o in flush(pending, ctx):
            report.add(o)
            progress.emit("record", state=o.state, key=o.source.key, pages=o.n_pages, reason=o.reason)
        pending.clear()

    def reap(in_flight: list) -> list:
        """Wait for at least one record to finish; collect what finished; flush in bulk-sized groups."""
        # wait on the underlying futures: PrefectFuture.state would ask the API on every poll
        finished, _ = wait([f.wrapped_future for f in in_flight], return_when=FIRST_COMPLETED)
        still = []
        for fut in in_flight:
            if fut.wrapped_future in finished:
                pending.append(fut.result())
            else:
                still.append(fut)
        if len(pending) >= ctx.config.flush_every:
            settle()
        return still

    in_flight: list = []
    try:
        for source in todo:
            while len(in_flight) >= workers:  # at most `workers` records in memory at once
                in_flight = reap(in_flight)
            progress.emit("planned", count=1)
            # quote(): the context holds clients; Prefect must not walk into it looking for futures
            in_flight.append(process_record.submit(source, quote(ctx)))
        while in_flight:
            in_flight = reap(in_flight)
        settle()
    except BaseException:  # Ctrl-C, or the listing or ledger gone for longer than the wait budget
        report.interrupted = True
        with contextlib.suppress(Exception):
            settle()  # what finished is kept; the rest has no ledger entry and runs next time
        raise
    finally:
        report.finished_at = datetime.now(UTC)
        publish_report(report, ctx, log)
        publish_artifacts(report, log)
        progress.emit("finish", report=report)
    return report


def publish_artifacts(report: RunReport, log: logging.Logger | logging.LoggerAdapter) -> None:
    try:
        create_markdown_artifact(
            report_markdown(report.to_dict()),
            key=f"run-report-{report.run_id[:8]}",
            description="sohoa run report",
        )
        if report.problems:
            create_table_artifact(
                report.problems[:1000],
                key=f"run-problems-{report.run_id[:8]}",
                description="failed and quarantined objects",
            )
    except Exception as exc:  # artifacts are a convenience; the JSON report is the record
        log.warning("could not create Prefect artifacts: %s", exc)


@flow(name="digitize-batch", log_prints=True, task_runner=ThreadPoolTaskRunner(max_workers=available_cores()))
def digitize_batch(
    bucket: str,
    prefix: str = "",
    workers: int | None = None,
    reprocess_failed: bool = False,
    force: bool = False,
    limit: int | None = None,
    run_id: str | None = None,
) -> dict:
    """Digitize every object under s3://bucket/prefix that is not indexed yet at its current version."""
    settings = load_settings()
    mode = Mode.force if force else Mode.reprocess_failed if reprocess_failed else Mode.resume
    report = run_batch(
        bucket, prefix, mode, workers or settings.workers, limit, settings, run_id or uuid.uuid4().hex
    )
    return report.to_dict()


def digitize(bucket: str, prefix: str = "", workers: int | None = None, **kwargs) -> dict:
    """Run the flow with a thread pool of `workers` (Prefect's default pool is unbounded)."""
    n = workers or load_settings().workers
    runner = digitize_batch.with_options(task_runner=ThreadPoolTaskRunner(max_workers=n))
    return runner(bucket=bucket, prefix=prefix, workers=n, **kwargs)
