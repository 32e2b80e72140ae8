"""Elasticsearch client factory: one place that knows auth, TLS, timeouts and retries."""

from __future__ import annotations

from pathlib import Path

from elasticsearch import Elasticsearch


def make_client(
    url: str,
    *,
    api_key: str | None = None,
    username: str | None = None,
    password: str | None = None,
    ca_file: Path | str | None = None,
    timeout: float = 30.0,
    max_retries: int = 5,
) -> Elasticsearch:
    """A client that retries connection errors, timeouts and 429/502/503/504 with backoff."""
    kwargs: dict = {
        "request_timeout": timeout,
        "max_retries": max_retries,
        "retry_on_timeout": True,
        "retry_on_status": (429, 502, 503, 504),
    }
    if api_key:
        kwargs["api_key"] = api_key
    elif username:
        kwargs["basic_auth"] = (username, password or "")
    if ca_file:
        kwargs["ca_certs"] = str(ca_file)
    return Elasticsearch(url, **kwargs)
