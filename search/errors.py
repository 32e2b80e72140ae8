"""Elasticsearch's exceptions turned into the one error model (`core.errors`).

Every public function of `search` that talks to Elasticsearch is wrapped by `es_errors`, so callers
(the record job, the flows, the CLI) see `SohoaError`s: transient ones are retried by `core.retry`,
the CLI prints any of them as one line naming the server, its URL and the fix.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from elasticsearch import ApiError, ConnectionTimeout, Elasticsearch, TransportError
from elasticsearch import ConnectionError as EsConnectionError

from core.errors import AccessDeniedError, NotFoundError, ServerUnavailableError, SohoaError

P = ParamSpec("P")
T = TypeVar("T")

SERVER = "Elasticsearch"
BUSY_STATUS = (429, 502, 503, 504)


class IndexUnavailableError(ServerUnavailableError):
    reason = "es_unavailable"


class IndexRequestError(SohoaError):
    """Elasticsearch answered, and refused the request for a reason other than load."""

    reason = "es_error"


def es_url(es: Elasticsearch) -> str:
    nodes = es.transport.node_pool.all()
    return str(nodes[0].base_url) if nodes else "?"


def translate(exc: Exception, url: str) -> SohoaError | None:
    """The `SohoaError` for an Elasticsearch client exception (None: not one of those)."""
    # str() of elastic_transport's TlsError is only "TLS error": OpenSSL's words are in .message
    if isinstance(exc, EsConnectionError) and "CERTIFICATE_VERIFY_FAILED" in f"{exc} {exc.message}":
        return SohoaError(
            f"{SERVER} at {url}: its TLS certificate is not trusted ({exc.message})",
            hint="set SOHOA_ES_CA_FILE to the CA that signed the cluster's certificate",
        )
    if isinstance(exc, EsConnectionError | ConnectionTimeout):
        return IndexUnavailableError(SERVER, url, type(exc).__name__)
    if isinstance(exc, ApiError):
        status, what = exc.status_code, _error_type(exc)
        if status in BUSY_STATUS:
            return IndexUnavailableError(SERVER, url, f"HTTP {status} {what}".strip())
        if status in (401, 403):
            return AccessDeniedError(
                f"{SERVER} at {url} refused the request (HTTP {status} {what})",
                hint="check SOHOA_ES_API_KEY (or SOHOA_ES_USERNAME/PASSWORD) and the role's privileges",
            )
        if status == 404 and what == "index_not_found_exception":
            return NotFoundError(
                f"{SERVER} at {url}: {exc.message}", hint="nothing is indexed yet: run a batch first"
            )
        return IndexRequestError(f"{SERVER} at {url}: HTTP {status} {what}: {exc.message}")
    if isinstance(exc, TransportError):
        return IndexUnavailableError(SERVER, url, f"{type(exc).__name__}: {exc.message}")
    return None


def _error_type(exc: ApiError) -> str:
    body = exc.body if isinstance(exc.body, dict) else {}
    error = body.get("error")
    return str(error.get("type", "")) if isinstance(error, dict) else ""


def _typed(
    exc: ApiError | TransportError, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> SohoaError | None:
    es: Any = args[0] if args else kwargs.get("es")
    return translate(exc, es_url(es) if isinstance(es, Elasticsearch) else "?")


def es_errors(fn: Callable[P, T]) -> Callable[P, T]:
    """Decorate a function (or generator) whose first argument is the client: its ES exceptions come
    out typed."""
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def generator(*args: P.args, **kwargs: P.kwargs) -> Any:
            try:
                yield from fn(*args, **kwargs)
            except (ApiError, TransportError) as exc:
                typed = _typed(exc, args, kwargs)
                if typed is None:
                    raise
                raise typed from exc

        return generator  # type: ignore[return-value]

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return fn(*args, **kwargs)
        except (ApiError, TransportError) as exc:
            typed = _typed(exc, args, kwargs)
            if typed is None:
                raise
            raise typed from exc

    return wrapper
