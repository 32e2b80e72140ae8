"""Retries with exponential backoff for transient faults (object store or Elasticsearch away, 5xx)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from elasticsearch import ApiError, ConnectionTimeout
from elasticsearch import ConnectionError as EsConnectionError

from ocr.errors import InputError
from storage.errors import StorageError

T = TypeVar("T")
log = logging.getLogger("sohoa.retry")


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, InputError):
        return False
    if isinstance(exc, StorageError):
        return exc.transient
    if isinstance(exc, (EsConnectionError, ConnectionTimeout, ConnectionError, TimeoutError)):
        return True
    if isinstance(exc, ApiError):
        return exc.status_code in (429, 500, 502, 503, 504)
    return False


def with_retries(
    fn: Callable[[], T],
    *,
    attempts: int = 4,
    base_delay: float = 1.0,
    max_delay: float = 30.0,
    what: str = "request",
) -> tuple[T, int]:
    """Call `fn`; retry transient errors. Returns (result, attempts used); re-raises the last error."""
    for attempt in range(1, attempts + 1):
        try:
            return fn(), attempt
        except Exception as exc:
            if attempt == attempts or not is_transient(exc):
                exc.attempts = attempt  # type: ignore[attr-defined]
                raise
            delay = min(max_delay, base_delay * 2 ** (attempt - 1))
            log.warning("%s failed (%s), retry %d/%d in %.0f s", what, exc, attempt, attempts - 1, delay)
            time.sleep(delay)
    raise AssertionError("unreachable")
