"""`sohoa export decree30|sip`: the records of a selection out of the index, as the national formats.

Thin: the selection goes to `search.export`, the PDFs come from the processed bucket, the files are
written by `pipeline.archival.export`. A stopped export (Ctrl-C, a crash, a lost server) goes on with
`--resume`: the state file beside the output says how far it got.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from cli.errors import SohoaGroup
from config.clients import es_client, object_store
from config.settings import load_settings
from core.errors import ConfigError, ExitCode, SohoaError
from pipeline.archival.circular05 import UNFILED
from pipeline.archival.export import ExportJob, ExportStateError
from search.export import count, effective_records, iter_records
from search.query import SearchFilters, parse_date_bound
from storage.errors import ObjectNotFoundError

export_app = typer.Typer(
    cls=SohoaGroup, help="Export records from the index: Decree 30 list (CSV/XLSX), E-ARK SIP."
)
console = Console(stderr=True)

_UNIT_OLD = typer.Option(None, "--unit-old", help="old (pre-July-2025) district or commune")
_UNIT_NEW = typer.Option(None, "--unit-new", help="new administrative unit")
_TYPE = typer.Option(None, "--type", help="document type code or name: QĐ, CV, Tờ trình...")
_FROM = typer.Option(None, "--from", help="issued on or after: 2024, 2024-04, 03/04/2024")
_TO = typer.Option(None, "--to", help="issued on or before (same formats)")
_PREFIX = typer.Option(None, "--prefix", help="object keys starting with this (an office's folder)")
_CONFIG = typer.Option(
    None, "--batch-config", help="JSON with what no page shows: organ_id, fonds_name, file_code, files..."
)
_RESUME = typer.Option(False, "--resume", help="go on with the unfinished export at --out")


def _selection(**kw: Any) -> SearchFilters:
    for value in (kw["date_from"], kw["date_to"]):
        try:
            parse_date_bound(value, end=False)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None
    return SearchFilters(**kw)


def _config(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, json.JSONDecodeError) as exc:
        raise typer.BadParameter(f"{path}: {exc}") from None
    if not isinstance(data, dict):
        raise typer.BadParameter(f"{path}: a JSON object is expected")
    return data


def _run(kind: str, out: Path, selection: SearchFilters, config: dict[str, Any], resume: bool) -> None:
    settings = load_settings()
    es = es_client(settings)
    try:
        job = ExportJob(kind, out, selection.describe(), config, resume=resume)
    except ExportStateError as exc:
        raise ConfigError(f"export not started: {exc}") from None
    store = object_store(settings) if kind == "sip" else None

    def records(after: list[Any] | None) -> Any:
        found = iter_records(es, settings.index_alias, selection, after=after)
        return effective_records(es, found, audit_index=settings.audit_index)

    def fetch_pdf(record: dict[str, Any], dest: Path) -> bool:
        if store is None or not record.get("pdf_key"):
            return False
        try:
            store.get_to_file(record["pdf_bucket"], record["pdf_key"], dest)
        except ObjectNotFoundError:
            return False
        return True

    try:
        total = count(es, settings.index_alias, selection)
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, console=console) as bar:
            task = bar.add_task(f"export {kind}", total=total, completed=job.resumed_from)
            report = job.run(records, fetch_pdf, progress=lambda n: bar.advance(task, n))
    except SohoaError:
        job.checkpoint()
        console.print("[red]export stopped[/]; nothing is lost: run the same command with --resume.")
        raise
    except KeyboardInterrupt:
        job.checkpoint()
        console.print(f"[yellow]export paused[/] at {job.state['done']} records: --resume goes on")
        raise typer.Exit(ExitCode.ctrl_c) from None
    console.print(f"[green]exported[/] {report.records} records to {out}")
    if kind == "sip":
        console.print(
            f"{report.files} package(s), one per hồ sơ, in {out}/uuid-*/ (listed in export-report.json)"
        )
    if report.without_pdf:
        console.print(f"[yellow]{len(report.without_pdf)} record(s) have no PDF/A[/] (see the report)")
    if report.unfiled:
        console.print(
            f"[yellow]{report.unfiled} record(s) have no file code[/]: grouped as the hồ sơ {UNFILED}"
        )
    typer.echo(json.dumps(report.to_dict(), ensure_ascii=False))


def _command(kind: str, out_help: str, doc: str):  # type: ignore[no-untyped-def]
    """One export command: the same selection options for every kind."""

    def command(
        out: Path = typer.Option(..., "--out", help=out_help),
        unit_old: str | None = _UNIT_OLD,
        unit_new: str | None = _UNIT_NEW,
        doc_type: str | None = _TYPE,
        date_from: str | None = _FROM,
        date_to: str | None = _TO,
        prefix: str | None = _PREFIX,
        batch_config: Path | None = _CONFIG,
        resume: bool = _RESUME,
    ) -> None:
        selection = _selection(
            unit_old=unit_old,
            unit_new=unit_new,
            doc_type=doc_type,
            date_from=date_from,
            date_to=date_to,
            prefix=prefix,
        )
        _run(kind, out, selection, _config(batch_config), resume)

    command.__doc__ = doc
    return command


export_app.command("decree30")(
    _command(
        "decree30",
        "file.xlsx, file.csv, or a folder for both",
        "The Decree 30/2020 appendix VI list of the selected records, Vietnamese column headers.",
    )
)
export_app.command("sip")(
    _command(
        "sip",
        "folder of the package (must not exist, unless --resume)",
        "Circular 05/2025 submission packages (E-ARK SIP), one per hồ sơ, with the PDF/A files.",
    )
)
