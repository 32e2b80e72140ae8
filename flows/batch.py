"""The Prefect flow of one batch: list a bucket prefix, process what is not done yet, index in bulk,
write the ledger, publish the report. The work is in `pipeline.run`; this module maps it over the
objects with Prefect's task runner and publishes the report as Prefect artifacts."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
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
from pipeline.run.claims import ClaimKeeper
from pipeline.run.context import RunContext
from pipeline.run.job import Outcome, handle_object, sweep_stale_workdirs
from pipeline.run.loop import RecordLoop
from pipeline.run.plan import Mode, plan
from pipeline.run.report import RunReport, publish_report, report_markdown
from search.templates import ensure_indices
from storage.objects import ObjectInfo


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


def task_submitter(ctx: RunContext) -> Callable[[SourceObject], Future[Outcome]]:
    """Each record a Prefect task on the flow's thread pool; a plain future of its outcome for the loop."""

    def submit(source: SourceObject) -> Future[Outcome]:
        # quote(): the context holds clients; Prefect must not walk into it looking for futures
        task_future = process_record.submit(source, quote(ctx))
        out: Future[Outcome] = Future()

        def done(_: object) -> None:
            try:
                out.set_result(task_future.result())
            except BaseException as exc:
                out.set_exception(exc)

        # the underlying future: PrefectFuture.state would ask the API on every poll
        task_future.wrapped_future.add_done_callback(done)
        return out

    return submit


def thread_submitter(ctx: RunContext, pool: ThreadPoolExecutor) -> Callable[[SourceObject], Future[Outcome]]:
    """Each record a plain call on a thread: no Prefect task run (and no API traffic) per record."""
    return lambda source: pool.submit(handle_object, source, ctx)


def run_batch(
    bucket: str,
    prefix: str,
    mode: Mode,
    workers: int,
    limit: int | None,
    settings: Settings,
    run_id: str,
    *,
    objects: Iterable[ObjectInfo] | None = None,
    since: datetime | None = None,
    record_tasks: bool | None = None,
) -> RunReport:
    """The body of the flow; must run inside a flow (tasks are submitted to its task runner).

    `objects`: what to consider (default: the listing of the prefix). `since`: when the run or its backlog
    started (default: now); a record another run finished after that is not done again."""
    log = _logger()
    since = since or datetime.now(UTC)  # before the plan reads the ledger
    ctx = prepare(settings, run_id)
    report = RunReport(run_id, bucket, prefix, mode.value, host=ctx.worker.host)
    if swept := sweep_stale_workdirs(ctx.tmp_dir):
        log.info("removed %d work folders left by killed runs", swept)

    todo = plan(
        ctx.store.list(bucket, prefix) if objects is None else objects,
        ctx.ledger_states,
        mode,
        report.plan,
        limit=limit,
        max_attempts=ctx.config.max_attempts,
    )
    progress.emit("start", run_id=run_id, bucket=bucket, prefix=prefix)

    def settled(o: Outcome) -> None:
        report.add(o)
        progress.emit("record", state=o.state, key=o.source.key, pages=o.n_pages, reason=o.reason)

    def skipped(source: SourceObject, why: str) -> None:
        report.plan.skipped[why] = report.plan.skipped.get(why, 0) + 1
        progress.emit("skipped", key=source.key, why=why)

    tasks = settings.record_tasks if record_tasks is None else record_tasks
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sohoa-record")
    try:
        with ClaimKeeper(ctx, mode, since) as keeper:
            loop = RecordLoop(
                ctx,
                keeper,
                task_submitter(ctx) if tasks else thread_submitter(ctx, pool),
                workers,
                settled,
                skipped,
                started=lambda s: progress.emit("planned", count=1),
                timed=lambda phase, seconds: report.timings.update({phase: seconds}),
            )
            loop.run(todo)
    except BaseException:  # Ctrl-C, or the listing or ledger gone for longer than the wait budget
        report.interrupted = True
        raise
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
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
    record_tasks: bool | None = None,
) -> dict:
    """Digitize every object under s3://bucket/prefix that is not indexed yet at its current version."""
    settings = load_settings()
    mode = Mode.force if force else Mode.reprocess_failed if reprocess_failed else Mode.resume
    report = run_batch(
        bucket,
        prefix,
        mode,
        workers or settings.workers,
        limit,
        settings,
        run_id or uuid.uuid4().hex,
        record_tasks=record_tasks,
    )
    return report.to_dict()


def digitize(bucket: str, prefix: str = "", workers: int | None = None, **kwargs) -> dict:
    """Run the flow with a thread pool of `workers` (Prefect's default pool is unbounded)."""
    n = workers or load_settings().workers
    runner = digitize_batch.with_options(task_runner=ThreadPoolTaskRunner(max_workers=n))
    return runner(bucket=bucket, prefix=prefix, workers=n, **kwargs)
