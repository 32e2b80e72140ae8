"""`sohoa upload`: what a district office runs to send a folder of scans (resumable, skips what is there)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from config.clients import object_store
from config.settings import load_settings
from core.errors import ExitCode
from storage.upload import local_files, upload_dir

console = Console(stderr=True)


def upload_command(
    folder: Path = typer.Argument(..., exists=True, file_okay=False, help="folder of scans"),
    bucket: str | None = typer.Option(None, help="intake bucket (default: SOHOA_INTAKE_BUCKET)"),
    prefix: str = typer.Option(..., help="your office's area, e.g. cau-giay/"),
    workers: int = typer.Option(4, help="parallel uploads"),
) -> None:
    """Upload a folder of scans (and sidecar JSON); files already there with the same checksum are skipped."""
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
        raise typer.Exit(ExitCode.failures)
