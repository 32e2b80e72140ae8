"""Elasticsearch client factory: one place that knows auth, TLS and timeouts.

The client does not retry (`max_retries=0`): `core.retry` is the one place that waits for a server.
"""

from __future__ import annotations

from pathlib import Path

from elasticsearch import Elasticsearch

from search.errors import es_errors


def make_client(
    url: str,
    *,
    api_key: str | None = None,
    username: str | None = None,
    password: str | None = None,
    ca_file: Path | str | None = None,
    timeout: float = 30.0,
) -> Elasticsearch:
    kwargs: dict = {"request_timeout": timeout, "max_retries": 0, "retry_on_timeout": False}
    if api_key:
        kwargs["api_key"] = api_key
    elif username:
        kwargs["basic_auth"] = (username, password or "")
    if ca_file:
        kwargs["ca_certs"] = str(ca_file)
    return Elasticsearch(url, **kwargs)


@es_errors
def server_info(es: Elasticsearch, timeout: float = 5.0) -> tuple[str, str]:
    """(version, cluster health) in one quick round trip each; typed errors when it cannot answer."""
    quick = es.options(request_timeout=timeout)
    nodes = quick.nodes.info(node_id="_local", metric="_none")  # GET / is absent in minimal distributions
    version = next(iter(nodes["nodes"].values()))["version"]
    return version, quick.cluster.health()["status"]
