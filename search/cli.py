"""`sohoa search` and `sohoa kibana export|import`: thin commands over search.query and search.kibana."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.text import Text

if TYPE_CHECKING:
    from flows.settings import Settings
    from storage.objects import ObjectStore

__all__ = ["kibana_app", "presign_links", "search_command"]

console = Console()
err_console = Console(stderr=True)


def presign_links(
    store: ObjectStore,
    settings: Settings,
    bucket: str,
    key: str,
    pdf_bucket: str | None,
    pdf_key: str | None,
    expires_seconds: int | None = None,
) -> dict[str, str]:
    """Short-lived GET links to the original and the searchable PDF.

    Never longer-lived than `settings.presign_expiry_seconds`: a longer request is cut down to it.
    """
    expires = min(expires_seconds or settings.presign_expiry_seconds, settings.presign_expiry_seconds)
    links = {"original": store.presign_get(bucket, key, expires)}
    if pdf_bucket and pdf_key:
        links["pdf"] = store.presign_get(pdf_bucket, pdf_key, expires)
    return links


_EM = re.compile(r"<em>(.*?)</em>", re.S)


def _highlighted(snippet: str) -> Text:
    text, pos = Text(), 0
    for m in _EM.finditer(snippet):
        text.append(snippet[pos : m.start()])
        text.append(m.group(1), style="bold yellow")
        pos = m.end()
    text.append(snippet[pos:])
    return text


def search_command(
    query: str = typer.Argument(
        ..., help='words, with or without diacritics, or a number like "123/QĐ-UBND"'
    ),
    doc_type: str | None = typer.Option(
        None, "--type", help="document type code or name: QĐ, CV, TB, Tờ trình..."
    ),
    unit_old: str | None = typer.Option(None, "--unit-old", help="old (pre-2025) district or commune"),
    unit_new: str | None = typer.Option(None, "--unit-new", help="new administrative unit"),
    date_from: str | None = typer.Option(
        None, "--from", help="issued on or after: 2024, 2024-04, 03/04/2024"
    ),
    date_to: str | None = typer.Option(None, "--to", help="issued on or before (same formats)"),
    limit: int = typer.Option(10, "--limit", min=1, max=500, help="at most N records"),
    as_json: bool = typer.Option(False, "--json", help="JSON lines for scripts"),
    links: bool = typer.Option(True, "--links/--no-links", help="presigned links to the scans"),
    link_expiry: int | None = typer.Option(
        None,
        "--link-expiry",
        min=1,
        help="seconds the links stay valid (at most SOHOA_PRESIGN_EXPIRY_SECONDS)",
    ),
) -> None:
    """Search the digitized records: ranked, with the matching page, snippets and links to the scans."""
    from elasticsearch import ApiError, TransportError

    from flows.connect import es_client, object_store
    from flows.settings import load_settings
    from search.query import parse_date_bound, search_records

    settings = load_settings()
    for value in (date_from, date_to):
        try:
            parse_date_bound(value, end=False)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None
    try:
        hits = search_records(
            es_client(settings),
            query,
            index=settings.index_alias,
            doc_type=doc_type,
            unit_old=unit_old,
            unit_new=unit_new,
            date_from=date_from,
            date_to=date_to,
            limit=limit,
        )
    except (TransportError, ApiError) as exc:
        err_console.print(
            f"[red]search failed[/]: Elasticsearch at {settings.es_url}: {exc}\n"
            "Is it running (`infra/servers.sh status`) and does the index exist (run a batch first)?"
        )
        raise typer.Exit(2) from None

    store = object_store(settings) if links else None
    expires = min(link_expiry or settings.presign_expiry_seconds, settings.presign_expiry_seconds)
    for hit in hits:
        if store is not None:
            try:
                hit.links = presign_links(
                    store, settings, hit.bucket, hit.key, hit.pdf_bucket, hit.pdf_key, expires
                )
            except Exception as exc:  # a link is a convenience: the result still shows
                err_console.print(f"[yellow]no link for s3://{hit.bucket}/{hit.key}[/]: {exc}")
    if as_json:
        for hit in hits:
            row: dict[str, Any] = hit.to_dict()
            row["links_expire_in_seconds"] = expires if hit.links else None
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    if not hits:
        console.print(f"Không tìm thấy hồ sơ nào cho [bold]{query}[/] (no record found).")
        raise typer.Exit(1)
    for rank, hit in enumerate(hits, start=1):
        head = Text(f"{rank}. ", style="bold")
        head.append(hit.doc_number or "(không số)", style="bold cyan")
        if hit.number_matched:
            head.append(" ✓ số văn bản", style="green")
        head.append(f"  {hit.doc_type or ''}  {hit.issue_date or ''}  ")
        head.append(hit.issuing_body or "", style="italic")
        console.print(head)
        if hit.subject:
            console.print(Text(f"   {hit.subject}"))
        unit_new_text = hit.unit_new or ""
        if hit.unit_new_candidates:  # ambiguous mapping: show every possible new unit
            unit_new_text = f"{unit_new_text} ({' / '.join(hit.unit_new_candidates)})".strip()
        console.print(
            Text(f"   Đơn vị cũ: {hit.unit_old or '-'}  →  mới: {unit_new_text or '-'}", style="dim")
        )
        for snippet, page in list(zip(hit.snippets, hit.snippet_pages, strict=True))[:2]:
            where = f"trang {page}" if page else "siêu dữ liệu"
            console.print(Text(f"   [{where}] ") + _highlighted(snippet))
        if len(hit.matched_pages) > 1:
            console.print(Text(f"   khớp ở các trang: {', '.join(map(str, hit.matched_pages))}", style="dim"))
        if hit.links:
            console.print(Text(f"   bản gốc: {hit.links['original']}", style="blue"), soft_wrap=True)
            if "pdf" in hit.links:
                console.print(Text(f"   PDF:     {hit.links['pdf']}", style="blue"), soft_wrap=True)
        else:
            console.print(Text(f"   s3://{hit.bucket}/{hit.key}", style="dim"))
    if links:
        console.print(f"[dim]Links expire after {expires} s.[/]")


kibana_app = typer.Typer(
    name="kibana", help="Kibana saved objects: data view, saved searches, dashboard.", no_args_is_help=True
)


def _link_base(settings: Settings, link_base: str | None) -> str:
    base = link_base if link_base is not None else settings.s3_url()
    return base if base.endswith("/") else base + "/"


@kibana_app.command("export")
def kibana_export(
    out: Path = typer.Option(..., "--out", help="NDJSON file to write (the format Kibana imports)"),
    link_base: str | None = typer.Option(
        None, "--link-base", help="URL prefix of the links to bucket/key (default: the object store URL)"
    ),
) -> None:
    """Write the saved objects for the configured aliases to FILE.ndjson."""
    from flows.settings import load_settings
    from search.kibana import saved_objects, to_ndjson

    settings = load_settings()
    objects = saved_objects(settings.index_alias, settings.ledger_index, _link_base(settings, link_base))
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
    from flows.settings import load_settings
    from search.kibana import import_objects, saved_objects, to_ndjson

    settings = load_settings()
    kibana_url = url or settings.kibana_url
    if not kibana_url:
        raise typer.BadParameter("no Kibana URL: pass --url or set SOHOA_KIBANA_URL", param_hint="--url")
    if file:
        ndjson = file.read_text(encoding="utf-8")
    else:
        ndjson = to_ndjson(
            saved_objects(settings.index_alias, settings.ledger_index, _link_base(settings, link_base))
        )
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
        raise typer.Exit(1)
    console.print(
        f"{report.success_count} saved objects imported into {kibana_url}"
        + (f" (space {space})" if space else "")
    )
