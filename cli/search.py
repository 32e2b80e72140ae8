"""`sohoa search`: a thin command over `search.query`, with presigned links to the scans."""

from __future__ import annotations

import json
import re
import sys
from typing import Any

import typer
from rich.console import Console
from rich.text import Text

from config.clients import es_client, object_store
from config.settings import Settings, load_settings
from core.errors import ExitCode
from search.query import SearchFilters, parse_date_bound, search_records
from storage.objects import ObjectStore

__all__ = ["presign_links", "search_command"]

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
    settings = load_settings()
    for value in (date_from, date_to):
        try:
            parse_date_bound(value, end=False)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None
    filters = SearchFilters(doc_type, unit_old, unit_new, date_from, date_to)
    hits = search_records(
        es_client(settings), query, index=settings.index_alias, filters=filters, limit=limit
    )

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
        raise typer.Exit(ExitCode.failures)
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
