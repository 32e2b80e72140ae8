"""The technicians' and district offices' commands: run, status, failures, upload, demo."""

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

from flows.settings import load_settings

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
    from flows import progress
    from flows.batch import digitize

    settings = load_settings()
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # one Tesseract thread per process: workers fill the cores
    listener = BatchProgress()
    unsubscribe = progress.subscribe(listener)
    try:
        with listener.bar:
            report = digitize(
                bucket or settings.intake_bucket,
                prefix,
                workers,
                reprocess_failed=reprocess_failed,
                force=force,
                limit=limit,
            )
    except KeyboardInterrupt:
        console.print("[yellow]Interrupted.[/] Finished records are saved; run the same command to resume.")
        raise typer.Exit(130) from None
    finally:
        unsubscribe()
    _show_report(report, as_json)
    if report["states"].get("failed"):
        raise typer.Exit(1)


def _show_report(report: dict[str, Any], as_json: bool) -> None:
    from flows.report import report_markdown

    if as_json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        Console().print(Markdown(report_markdown(report)))


def status_command(run: str | None = typer.Option(None, "--run", help="only this run id")) -> None:
    """Ledger summary: how many objects are indexed, failed or quarantined (per district)."""
    from flows.connect import es_client
    from search.ledger import summary

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
    from flows.connect import es_client
    from search.ledger import failures

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


def upload_command(
    folder: Path = typer.Argument(..., exists=True, file_okay=False, help="folder of scans"),
    bucket: str | None = typer.Option(None, help="intake bucket (default: SOHOA_INTAKE_BUCKET)"),
    prefix: str = typer.Option(..., help="your office's area, e.g. cau-giay/"),
    workers: int = typer.Option(4, help="parallel uploads"),
) -> None:
    """Upload a folder of scans (and sidecar JSON); files already there with the same checksum are skipped."""
    from flows.connect import object_store
    from flows.upload import local_files, upload_dir

    settings = load_settings()
    total = sum(f.stat().st_size for f in local_files(folder))
    with Progress(
        TextColumn("[bold]upload"),
        BarColumn(),
        TextColumn("{task.fields[files]} files"),
        TimeRemainingColumn(),
        console=console,
    ) as bar:
        task = bar.add_task("upload", total=total, files=0)

        def on_file(key: str, what: str, size: int) -> None:
            bar.update(task, advance=size, files=bar.tasks[task].fields["files"] + 1)
            if what == "failed":
                bar.console.print(f"[red]failed[/] {key}")

        report = upload_dir(
            object_store(settings), folder, bucket or settings.intake_bucket, prefix, workers, on_file
        )
    console.print(
        f"{len(report.uploaded)} uploaded, {len(report.skipped)} already there, {len(report.failed)} failed"
    )
    for key, reason in report.failed.items():
        console.print(f"[red]failed[/] {key}: {reason}")
    if report.failed:
        raise typer.Exit(1)


def demo_command(
    query: str = typer.Option("quyet dinh thu hoi dat", help="the search to show at the end"),
) -> None:
    """Upload the bundled sample scans, digitize them and search them: the whole job on local servers."""
    from flows.batch import digitize
    from flows.connect import es_client, object_store
    from flows.upload import upload_dir
    from search.cli import search_command

    settings = load_settings()
    scans = Path(__file__).resolve().parents[1] / "samples" / "scans"
    if not scans.is_dir():
        console.print(f"[red]no sample scans at {scans}[/]: run `python -m samples.make_samples`")
        raise typer.Exit(2)
    console.rule("1. upload the sample scans")
    up = upload_dir(object_store(settings), scans, settings.intake_bucket, "")
    console.print(f"{len(up.uploaded)} uploaded, {len(up.skipped)} already there")
    console.rule("2. digitize")
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    listener = BatchProgress()
    from flows import progress

    unsubscribe = progress.subscribe(listener)
    try:
        with listener.bar:
            report = digitize(settings.intake_bucket, "")
    finally:
        unsubscribe()
    _show_report(report, as_json=False)
    console.rule(f"3. search: {query!r}")
    es_client(settings).indices.refresh(index=settings.index_alias)
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
