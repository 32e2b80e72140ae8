"""The technicians' commands: run, status, failures, demo."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markdown import Markdown
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from cli.doctor import preflight
from cli.search import search_command
from config.clients import es_client, object_store
from config.settings import load_settings
from core.errors import ConfigError, ExitCode
from flows import progress
from flows.batch import digitize
from pipeline.run.report import report_markdown
from search.ledger import failures, summary
from search.templates import refresh
from storage.upload import upload_dir

console = Console(stderr=True)


class BatchProgress:
    """A live bar fed by the flow's progress events: records and pages done, rate, ETA, failures."""

    def __init__(self) -> None:
        self.bar = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[pages]} pages · [red]{task.fields[problems]} failed/quarantined"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
            transient=False,
        )
        self.task = self.bar.add_task("records", total=0, pages=0, problems=0)
        self.pages = self.problems = self.planned = 0

    def __call__(self, event: str, data: dict[str, Any]) -> None:
        if event == "planned":
            self.planned += data["count"]
            self.bar.update(self.task, total=self.planned)
        elif event == "record":
            self.pages += data["pages"]
            self.problems += data["state"] != "indexed"
            if data["state"] != "indexed":
                self.bar.console.print(f"[red]{data['state']}[/] {data['key']}: {data['reason']}")
            self.bar.update(self.task, advance=1, pages=self.pages, problems=self.problems)


def run_command(
    bucket: str | None = typer.Option(None, help="intake bucket (default: SOHOA_INTAKE_BUCKET)"),
    prefix: str = typer.Option("", help="only objects under this prefix, e.g. a district: cau-giay/"),
    workers: int | None = typer.Option(None, help="records in parallel (default: the number of cores)"),
    reprocess_failed: bool = typer.Option(
        False, "--reprocess-failed", help="re-run only records that failed"
    ),
    force: bool = typer.Option(False, "--force", help="re-run everything, even records already indexed"),
    limit: int | None = typer.Option(None, help="process at most N records"),
    as_json: bool = typer.Option(False, "--json", help="print the report as JSON on stdout"),
) -> None:
    """Digitize a bucket prefix: OCR, metadata, index. Resumes where the last run stopped (Ctrl-C is safe)."""
    settings = load_settings()
    bucket = bucket or settings.intake_bucket
    preflight(settings, bucket)  # a missing server or bucket: one line and its fix, before anything starts
    report = _run_with_progress(
        bucket, prefix, workers, reprocess_failed=reprocess_failed, force=force, limit=limit
    )
    _show_report(report, as_json)
    if report["states"].get("failed"):
        raise typer.Exit(ExitCode.failures)


def _run_with_progress(bucket: str, prefix: str, workers: int | None = None, **kwargs: Any) -> dict[str, Any]:
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # one Tesseract thread per process: workers fill the cores
    listener = BatchProgress()
    unsubscribe = progress.subscribe(listener)
    try:
        with listener.bar:
            return digitize(bucket, prefix, workers, **kwargs)
    finally:
        unsubscribe()


def _show_report(report: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        Console().print(Markdown(report_markdown(report)))


def status_command(run: str | None = typer.Option(None, "--run", help="only this run id")) -> None:
    """Ledger summary: how many objects are indexed, failed or quarantined (per district)."""
    settings = load_settings()
    data = summary(es_client(settings), run_id=run, index=settings.ledger_index)
    table = Table(title=f"sohoa ledger{' — run ' + run if run else ''}")
    table.add_column("district")
    for state in ("indexed", "failed", "quarantined"):
        table.add_column(state, justify="right")
    for district, counts in sorted(data.get("per_district", {}).items()):
        table.add_row(district, *(str(counts.get(s, 0)) for s in ("indexed", "failed", "quarantined")))
    totals = data.get("states", {})
    table.add_row("[bold]total", *(f"[bold]{totals.get(s, 0)}" for s in ("indexed", "failed", "quarantined")))
    Console().print(table)


def failures_command(
    limit: int = typer.Option(100, help="at most N objects"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """The failed and quarantined objects, with their reasons."""
    settings = load_settings()
    rows = failures(es_client(settings), limit=limit, index=settings.ledger_index)
    if as_json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        return
    table = Table(title="failed and quarantined objects")
    for col in ("state", "object", "reason", "attempts", "updated"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            r["state"],
            f"s3://{r['bucket']}/{r['key']}",
            r.get("reason") or "",
            str(r.get("attempts", "")),
            str(r.get("updated_at", ""))[:19],
        )
    Console().print(table)


def demo_command(
    query: str = typer.Option("quyet dinh thu hoi dat", help="the search to show at the end"),
) -> None:
    """Upload the bundled sample scans, digitize them and search them: the whole job on local servers."""
    settings = load_settings()
    scans = Path(__file__).resolve().parents[1] / "samples" / "scans"
    if not scans.is_dir():
        raise ConfigError(f"no sample scans at {scans}", hint="run `python -m samples.make_samples`")
    console.rule("1. upload the sample scans")
    up = upload_dir(object_store(settings), scans, settings.intake_bucket, "")
    console.print(f"{len(up.uploaded)} uploaded, {len(up.skipped)} already there")
    console.rule("2. digitize")
    preflight(settings, settings.intake_bucket)
    _show_report(_run_with_progress(settings.intake_bucket, ""), as_json=False)
    console.rule(f"3. search: {query!r}")
    refresh(es_client(settings), settings.index_alias)
    # exactly what `sohoa search` shows, links included
    search_command(
        query,
        doc_type=None,
        unit_old=None,
        unit_new=None,
        date_from=None,
        date_to=None,
        limit=3,
        as_json=False,
        links=True,
        link_expiry=None,
    )
    console.print(
        "Servers are still running: try `sohoa search ...`, `sohoa status`; stop them with `make stop`."
    )
