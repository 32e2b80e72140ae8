"""A backlog cut into chunks: the unit one child flow run processes on one machine.

The cut is stored with the backlog (`s3://<processed>/backlogs/<id>/plan.json`) before any chunk starts, so
that the same backlog started again finds the same chunks under the same numbers: a chunk's child run is
found again by its idempotency key, never started twice, never given other objects.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from pipeline.record import SourceObject
from pipeline.run.plan import PlanStats

DEFAULT_CHUNK_OBJECTS = 200
DEFAULT_CHUNK_MB = 512  # ~ 1,000-3,000 scanned pages: minutes of work on one machine, not hours


@dataclass(frozen=True)
class Chunk:
    number: int
    objects: tuple[SourceObject, ...]

    @property
    def size(self) -> int:
        return sum(o.size for o in self.objects)

    def parameter(self) -> list[list[Any]]:
        """The objects as a flow parameter: plain values, shown in the Prefect UI."""
        return [[o.key, o.etag, o.size] for o in self.objects]

    @staticmethod
    def objects_from(bucket: str, parameter: Iterable[Iterable[Any]]) -> list[SourceObject]:
        return [SourceObject(bucket, str(key), str(etag), int(size)) for key, etag, size in parameter]


def cut(
    objects: Iterable[SourceObject],
    max_objects: int = DEFAULT_CHUNK_OBJECTS,
    max_bytes: int = DEFAULT_CHUNK_MB << 20,
) -> Iterator[Chunk]:
    """Consecutive chunks of at most `max_objects` objects and `max_bytes` bytes (an object larger than
    `max_bytes` makes a chunk of its own). Listing order is kept: a district's files stay together."""
    if max_objects < 1 or max_bytes < 1:
        raise ValueError("a chunk holds at least one object and one byte")
    batch: list[SourceObject] = []
    size = 0
    number = 0
    for obj in objects:
        if batch and (len(batch) >= max_objects or size + obj.size > max_bytes):
            yield Chunk(number, tuple(batch))
            number += 1
            batch, size = [], 0
        batch.append(obj)
        size += obj.size
    if batch:
        yield Chunk(number, tuple(batch))


@dataclass
class BacklogPlan:
    """What the parent run decided once: the chunks, and what it skipped while planning."""

    backlog_id: str
    bucket: str
    prefix: str
    mode: str
    since: datetime  # when the backlog started: records finished after that are not done again
    chunks: list[Chunk]
    stats: PlanStats = field(default_factory=PlanStats)

    @property
    def objects(self) -> int:
        return sum(len(c.objects) for c in self.chunks)

    def key(self) -> str:
        return plan_key(self.backlog_id)

    def to_json(self) -> bytes:
        body = {
            "backlog_id": self.backlog_id,
            "bucket": self.bucket,
            "prefix": self.prefix,
            "mode": self.mode,
            "since": self.since.isoformat(),
            "stats": asdict(self.stats),
            "chunks": [c.parameter() for c in self.chunks],
        }
        return json.dumps(body, ensure_ascii=False).encode()

    @classmethod
    def from_json(cls, data: bytes) -> BacklogPlan:
        body = json.loads(data)
        bucket = body["bucket"]
        return cls(
            body["backlog_id"],
            bucket,
            body["prefix"],
            body["mode"],
            datetime.fromisoformat(body["since"]),
            [Chunk(n, tuple(Chunk.objects_from(bucket, c))) for n, c in enumerate(body["chunks"])],
            PlanStats(**body["stats"]),
        )


def plan_key(backlog_id: str) -> str:
    return f"backlogs/{backlog_id}/plan.json"
