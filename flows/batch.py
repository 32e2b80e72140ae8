"""The Prefect flow: list a bucket prefix, process what is not done yet, index in bulk, write the ledger."""

from __future__ import annotations

import contextlib
import json
import logging
import uuid
from concurrent.futures import FIRST_COMPLETED, wait
from datetime import UTC, datetime

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from flows import progress
from flows.connect import es_client, object_store
from flows.plan import Mode, plan
from flows.records import Outcome, RunContext, handle_object, sweep_stale_workdirs
from flows.report import RunReport, report_markdown
from flows.retry import with_retries
from flows.settings import Settings, default_workers, load_settings
from flows.sink import flush
from pipeline.record import SourceObject
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


def run_batch(
    bucket: str, prefix: str, mode: Mode, workers: int, limit: int | None, settings: Settings, run_id: str
) -> RunReport:
    """The body of the flow; must run inside a flow (tasks are submitted to its task runner)."""
    log = _logger()
    store, es = object_store(settings), es_client(settings)
    with_retries(
        lambda: ensure_indices(es, alias=settings.index_alias, ledger_index=settings.ledger_index),
        what="ensure indices",
    )
    with_retries(lambda: store.ensure_bucket(settings.processed_bucket), what="ensure processed bucket")
    ctx = RunContext(settings, store, es, run_id)
    report = RunReport(run_id, bucket, prefix, mode.value)
    if swept := sweep_stale_workdirs(ctx.tmp_dir):
        log.info("removed %d work folders left by killed runs", swept)

    def lookup(keys: list[tuple[str, str]]) -> dict:
        return with_retries(lambda: get_states(es, keys, index=settings.ledger_index), what="ledger lookup")[
            0
        ]

    todo = plan(
        store.list(bucket, prefix), lookup, mode, report.plan, limit=limit, max_attempts=settings.max_attempts
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
        if len(pending) >= settings.flush_every:
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
    except BaseException:  # Ctrl-C, or the listing or ledger gone for longer than the retries last
        report.interrupted = True
        with contextlib.suppress(Exception):
            settle()  # what finished is kept; the rest has no ledger entry and runs next time
        raise
    finally:
        report.finished_at = datetime.now(UTC)
        publish_report(report, ctx, log)
        progress.emit("finish", report=report)
    return report


def publish_report(report: RunReport, ctx: RunContext, log) -> None:
    log.info(report.summary_line())
    key = f"reports/{report.run_id}.json"
    body = json.dumps(report.to_dict(), ensure_ascii=False, indent=2).encode()
    try:
        ctx.store.put_bytes(ctx.settings.processed_bucket, key, body, "application/json")
    except Exception as exc:
        log.error("could not write the report to s3://%s/%s: %s", ctx.settings.processed_bucket, key, exc)
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


@flow(name="digitize-batch", log_prints=True, task_runner=ThreadPoolTaskRunner(max_workers=default_workers()))
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
