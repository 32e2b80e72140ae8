"""`sohoa serve`: the web application on uvicorn, on loopback unless told otherwise."""

from __future__ import annotations

import os

import typer
import uvicorn

from config.clients import es_client
from config.settings import load_settings
from search.templates import ensure_indices, ensure_web_indices

# uvicorn imports the application by name: `cli` and `web` are sibling layers (neither imports the other)
APP_FACTORY = "web.app:from_settings"


def serve_command(
    host: str | None = typer.Option(None, help="address to listen on (default SOHOA_WEB_HOST, 127.0.0.1)"),
    port: int | None = typer.Option(None, help="port (default SOHOA_WEB_PORT, 8080; 0 picks a free one)"),
    insecure_cookies: bool = typer.Option(
        False, "--insecure-cookies", help="session cookie without Secure: only for plain HTTP off localhost"
    ),
) -> None:
    """Serve the record pages, search, corrections and the review queue (docs/web.md)."""
    if insecure_cookies:
        os.environ["SOHOA_WEB_COOKIE_SECURE"] = "false"
    settings = load_settings()
    es = es_client(settings)
    ensure_indices(es, settings.index_alias, settings.ledger_index)
    ensure_web_indices(es, settings.audit_index, settings.users_index)
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=host or settings.web_host,
        port=settings.web_port if port is None else port,
        proxy_headers=True,
        forwarded_allow_ips=settings.web_forwarded_allow_ips,
        server_header=False,
        log_level="info",
    )
