"""A backlog without servers: how it is cut into chunks, how its plan is stored, how its report classifies
every planned object from the ledger."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pipeline.record import SourceObject
from pipeline.run.backlog import UNFINISHED, ChunkRun, backlog_markdown, build_report
from pipeline.run.chunks import BacklogPlan, Chunk, cut
from pipeline.run.plan import PlanStats
from search.ledger import LedgerEntry

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def objs(*sizes: int) -> list[SourceObject]:
    return [SourceObject("intake", f"d{i % 2}/k{i:03d}.png", f"e{i}", size) for i, size in enumerate(sizes)]


def test_chunks_hold_at_most_n_objects_and_m_bytes_in_listing_order() -> None:
    items = objs(*([10] * 25))
    chunks = list(cut(items, max_objects=10, max_bytes=1000))
    assert [len(c.objects) for c in chunks] == [10, 10, 5]
    assert [o for c in chunks for o in c.objects] == items
    assert [c.number for c in chunks] == [0, 1, 2]
    by_bytes = list(cut(objs(400, 400, 400, 5000, 1), max_objects=10, max_bytes=1000))
    assert [[o.size for o in c.objects] for c in by_bytes] == [[400, 400], [400], [5000], [1]]
    with pytest.raises(ValueError):
        list(cut(items, max_objects=0))


def test_a_plan_comes_back_the_same_from_its_json() -> None:
    plan = BacklogPlan(
        "b1", "intake", "d0/", "resume", T0, list(cut(objs(1, 2, 3), 2)), PlanStats(5, 1, {"indexed": 1})
    )
    again = BacklogPlan.from_json(plan.to_json())
    assert again == plan
    assert Chunk.objects_from("intake", plan.chunks[0].parameter()) == list(plan.chunks[0].objects)


def entry(obj: SourceObject, state: str, run: str, host: str = "m-a", at: datetime = T0, **kw) -> LedgerEntry:
    return LedgerEntry(
        obj.id,
        obj.bucket,
        obj.key,
        obj.etag,
        state,
        run_id=run,
        host=host,
        updated_at=at.isoformat(),
        district=obj.district,
        **kw,
    )


def test_the_report_counts_what_its_chunk_runs_did_and_lists_the_rest() -> None:
    items = objs(1, 1, 1, 1, 1, 1)
    plan = BacklogPlan("b1", "intake", "", "resume", T0, list(cut(items, 3)))
    runs = [
        ChunkRun(0, 1, "r0", "Crashed", T0, T0, T0 + timedelta(seconds=30)),
        ChunkRun(0, 2, "r0b", "Completed", T0, T0 + timedelta(seconds=40), T0 + timedelta(seconds=100)),
        ChunkRun(1, 1, "r1", "Completed", T0, T0, T0 + timedelta(seconds=60)),
    ]
    later = T0 + timedelta(minutes=1)
    entries = {
        items[0].id: entry(items[0], "indexed", "r0", n_pages=2),  # done by the run that crashed later
        items[1].id: entry(items[1], "indexed", "r0b", n_pages=1),
        items[2].id: entry(items[2], "failed", "r0b", reason="boom", reason_code="x"),
        items[3].id: entry(items[3], "indexed", "another-run", at=later),  # another backlog did it meanwhile
        items[4].id: entry(items[4], "processing", "r1", host="m-b"),  # its chunk ended without it
        # items[5]: no entry at all
    }
    report = build_report(plan, runs, entries, T0, ["chunk 1: gave up"])
    data = report.to_dict()
    assert data["states"] == {"indexed": 2, "failed": 1}
    assert data["pages"] == 3 and data["skipped"] == {"done_elsewhere": 1}
    unfinished = [p["key"] for p in data["problems"] if p["state"] == UNFINISHED]
    assert unfinished == [items[4].key, items[5].key]
    assert [p["key"] for p in data["problems"] if p["state"] == "failed"] == [items[2].key]
    # per machine: records and pages from the ledger, busy time from the runs the ledger puts there
    assert data["per_machine"]["m-a"]["records"] == 3 and data["per_machine"]["m-a"]["pages"] == 3
    assert data["per_machine"]["m-a"]["chunk_runs"] == 2 and data["per_machine"]["m-a"]["busy_seconds"] == 90
    assert data["chunk_runs_by_state"] == {"Crashed": 1, "Completed": 2}
    text = backlog_markdown(data)
    assert (
        "# sohoa backlog `b1` (2 chunks)" in text
        and "| m-a | 2 | 3 | 3 |" in text
        and "chunk 1: gave up" in text
    )
