"""The one retry policy: how long a piece of work waits, in total, for a server that does not answer.

Only `SohoaError`s marked `transient` are retried (each layer turns its client's errors into those:
`storage.objects`, `search.errors`). The clients themselves do not retry (the Elasticsearch client has
`max_retries=0`, the object store's urllib3 pool `retries=0`, the bulk helper `max_retries=0`), so one
outage costs at most `RetryBudget.max_wait` seconds of waiting per record, not a product of layers.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from core.errors import SohoaError

T = TypeVar("T")
log = logging.getLogger("sohoa.retry")


def is_transient(exc: BaseException) -> bool:
    return isinstance(exc, SohoaError) and exc.transient


@dataclass
class RetryBudget:
    """Seconds of waiting a record (or one step of a run) may spend on retries, shared by all its calls.

    Delays grow 1, 2, 4 … up to `max_delay`; the last one is cut so that the total stays `max_wait`.
    """

    max_wait: float = 60.0
    base_delay: float = 1.0
    max_delay: float = 15.0
    waited: float = 0.0

    def next_delay(self, attempt: int) -> float | None:
        """Seconds to sleep before attempt `attempt + 1`, or None when the budget is spent."""
        left = self.max_wait - self.waited
        if left <= 0:
            return None
        return min(self.max_delay, self.base_delay * 2 ** (attempt - 1), left)

    def sleep(self, delay: float) -> None:
        self.waited += delay
        time.sleep(delay)


def with_retries(fn: Callable[[], T], *, budget: RetryBudget, what: str = "request") -> tuple[T, int]:
    """Call `fn`, retrying transient errors while the budget lasts. Returns (result, attempts used);
    re-raises the last error with `attempts` set on it."""
    attempt = 1
    while True:
        try:
            return fn(), attempt
        except Exception as exc:
            delay = budget.next_delay(attempt) if is_transient(exc) else None
            if delay is None:
                exc.attempts = attempt  # type: ignore[attr-defined]
                raise
            log.warning("%s failed (%s), retry %d in %.0f s", what, exc, attempt, delay)
            budget.sleep(delay)
            attempt += 1
