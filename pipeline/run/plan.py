"""Decide which listed objects a run processes, with the ledger looked up in batches (not per object)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import islice

from pipeline.record import SourceObject, record_id
from search.ledger import FAILED, PROCESSING, LedgerEntry, needs_work, same_version
from storage.objects import ObjectInfo

SIDECAR_SUFFIX = ".json"


class Mode(StrEnum):
    resume = "resume"  # new or changed objects, and those that failed before
    reprocess_failed = "reprocess-failed"  # only those that failed before
    force = "force"  # everything


@dataclass
class PlanStats:
    listed: int = 0
    sidecars: int = 0
    skipped: dict[str, int] = field(default_factory=dict)  # previous state -> count

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())


GAVE_UP = "gave_up"  # skipped: failed or died mid-way at this etag max_attempts times already


def gave_up(previous: LedgerEntry | None, etag: str, max_attempts: int | None) -> bool:
    """A record that keeps failing at the same version (a page that always times out, a file that kills
    the worker) is not retried by every later run for ever; `--reprocess-failed` still retries it."""
    return (
        max_attempts is not None
        and previous is not None
        and previous.state in (FAILED, PROCESSING)
        and (previous.attempts or 0) >= max_attempts
        and same_version(previous, etag)
    )


def skip_reason(
    previous: LedgerEntry | None, etag: str, mode: Mode, max_attempts: int | None = None
) -> str | None:
    """Why the object is skipped this run (its ledger state, or GAVE_UP); None: process it."""
    state = previous.state if previous else "unknown"
    if mode is Mode.force:
        return None
    if mode is Mode.reprocess_failed:
        return None if state == FAILED else state
    if gave_up(previous, etag, max_attempts):
        return GAVE_UP
    # new, a new version, failed before, or died mid-way
    return None if needs_work(previous, etag) else state


def batched(items: Iterable[ObjectInfo], size: int) -> Iterator[list[ObjectInfo]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def plan(
    objects: Iterable[ObjectInfo],
    lookup: Callable[[list[str]], dict[str, LedgerEntry]],
    mode: Mode,
    stats: PlanStats,
    batch_size: int = 500,
    limit: int | None = None,
    max_attempts: int | None = None,
) -> Iterator[SourceObject]:
    """Stream the objects to process. Sidecars (`*.json`) travel with their scan, they are not records.

    `lookup` answers the ledger entries of a whole chunk of record ids in one request.
    """
    planned = 0
    for chunk in batched(objects, batch_size):
        stats.listed += len(chunk)
        records = [o for o in chunk if not o.key.lower().endswith(SIDECAR_SUFFIX)]
        stats.sidecars += len(chunk) - len(records)
        if not records:
            continue
        ids = [record_id(o.bucket, o.key) for o in records]
        states = lookup(ids)
        for obj, rid in zip(records, ids, strict=True):
            reason = skip_reason(states.get(rid), obj.etag, mode, max_attempts)
            if reason is not None:
                stats.skipped[reason] = stats.skipped.get(reason, 0) + 1
                continue
            yield SourceObject(obj.bucket, obj.key, obj.etag, obj.size)
            planned += 1
            if limit is not None and planned >= limit:
                return
