"""`sohoa kibana export|import`: the saved objects (data view, saved searches, dashboard) for Kibana."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from cli.errors import SohoaGroup
from config.settings import Settings, load_settings
from core.errors import ExitCode
from search.kibana import import_objects, saved_objects, to_ndjson

console = Console()
err_console = Console(stderr=True)

kibana_app = typer.Typer(
    cls=SohoaGroup,
    name="kibana",
    help="Kibana saved objects: data view, saved searches, dashboard.",
    no_args_is_help=True,
)


def _links(settings: Settings, link_base: str | None) -> tuple[str, bool]:
    """(base URL, whether it is the viewer): `--link-base`, else SOHOA_WEB_PUBLIC_URL, are the viewer
    (`sohoa serve`); without either, the object store itself."""
    base = link_base or settings.web_public_url
    viewer = base is not None
    base = base or settings.s3_url()
    return (base if base.endswith("/") else base + "/"), viewer


@kibana_app.command("export")
def kibana_export(
    out: Path = typer.Option(..., "--out", help="NDJSON file to write (the format Kibana imports)"),
    link_base: str | None = typer.Option(
        None,
        "--link-base",
        help="URL of `sohoa serve` (default SOHOA_WEB_PUBLIC_URL): links open /records/<id>; without "
        "either, links go to the object store itself",
    ),
) -> None:
    """Write the saved objects for the configured aliases to FILE.ndjson."""
    settings = load_settings()
    base, viewer = _links(settings, link_base)
    objects = saved_objects(settings.index_alias, settings.ledger_index, base, viewer=viewer)
    out.write_text(to_ndjson(objects), encoding="utf-8")
    console.print(f"{len(objects)} saved objects written to {out}")


@kibana_app.command("import")
def kibana_import(
    url: str | None = typer.Option(None, "--url", help="Kibana base URL (default: SOHOA_KIBANA_URL)"),
    space: str | None = typer.Option(None, "--space", help="Kibana space id (default space when omitted)"),
    file: Path | None = typer.Option(None, "--file", help="import this NDJSON instead of generating it"),
    link_base: str | None = typer.Option(None, "--link-base", help="as for export"),
) -> None:
    """Import (overwrite) the saved objects into Kibana and report every object that failed."""
    settings = load_settings()
    kibana_url = url or settings.kibana_url
    if not kibana_url:
        raise typer.BadParameter("no Kibana URL: pass --url or set SOHOA_KIBANA_URL", param_hint="--url")
    if file:
        ndjson = file.read_text(encoding="utf-8")
    else:
        base, viewer = _links(settings, link_base)
        ndjson = to_ndjson(saved_objects(settings.index_alias, settings.ledger_index, base, viewer=viewer))
    basic = (
        (settings.es_username, settings.es_password.get_secret_value() if settings.es_password else "")
        if settings.es_username
        else None
    )
    report = import_objects(
        kibana_url,
        ndjson,
        space=space,
        api_key=settings.kibana_api_key.get_secret_value() if settings.kibana_api_key else None,
        basic_auth=basic,
    )
    for line in report.errors:
        err_console.print(f"[red]error[/] {line}")
    if not report.ok:
        err_console.print(
            f"[red]import incomplete[/]: {report.success_count} imported, {len(report.errors)} errors"
        )
        raise typer.Exit(ExitCode.failures)
    console.print(
        f"{report.success_count} saved objects imported into {kibana_url}"
        + (f" (space {space})" if space else "")
    )
