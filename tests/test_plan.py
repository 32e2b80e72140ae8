"""Which objects a run processes: the ledger decides, looked up in batches."""

from __future__ import annotations

from pipeline.record import record_id
from pipeline.run.plan import GAVE_UP, Mode, PlanStats, plan, skip_reason
from search.ledger import LedgerEntry
from storage.objects import ObjectInfo


def objs(*specs: tuple[str, str]) -> list[ObjectInfo]:
    return [ObjectInfo("intake", key, etag, 10) for key, etag in specs]


class FakeLedger:
    def __init__(self, entries: dict[str, dict]) -> None:
        self.entries = {
            record_id("intake", k): LedgerEntry(record_id("intake", k), "intake", k, **v)
            for k, v in entries.items()
        }
        self.calls: list[int] = []

    def __call__(self, ids: list[str]) -> dict:
        self.calls.append(len(ids))
        return {i: self.entries[i] for i in ids if i in self.entries}


LEDGER = {
    "a/done.pdf": {"state": "indexed", "etag": "e1", "attempts": 1},
    "a/changed.pdf": {"state": "indexed", "etag": "old"},
    "a/failed.pdf": {"state": "failed", "etag": "e3", "attempts": 2},
    "a/bad.pdf": {"state": "quarantined", "etag": "e4", "attempts": 1},
}
LISTING = objs(
    ("a/done.pdf", "e1"),
    ("a/changed.pdf", "new"),
    ("a/failed.pdf", "e3"),
    ("a/bad.pdf", "e4"),
    ("a/new.pdf", "e5"),
    ("a/new.json", "e6"),
)


def keys(mode: Mode) -> list[str]:
    return [s.key for s in plan(LISTING, FakeLedger(LEDGER), mode, PlanStats())]


def test_resume_takes_new_changed_and_failed() -> None:
    assert keys(Mode.resume) == ["a/changed.pdf", "a/failed.pdf", "a/new.pdf"]


def test_reprocess_failed_takes_only_failed() -> None:
    assert keys(Mode.reprocess_failed) == ["a/failed.pdf"]


def test_force_takes_everything_but_sidecars() -> None:
    assert keys(Mode.force) == [
        "a/done.pdf",
        "a/changed.pdf",
        "a/failed.pdf",
        "a/bad.pdf",
        "a/new.pdf",
    ]


def test_stats_count_skips_by_state_and_sidecars() -> None:
    stats = PlanStats()
    list(plan(LISTING, FakeLedger(LEDGER), Mode.resume, stats))
    assert (stats.listed, stats.sidecars, stats.skipped) == (6, 1, {"indexed": 1, "quarantined": 1})


def test_ledger_is_asked_in_batches_not_per_object() -> None:
    listing = objs(*((f"k/{i:05d}.png", "e") for i in range(1234)))
    ledger = FakeLedger({})
    assert sum(1 for _ in plan(listing, ledger, Mode.resume, PlanStats(), batch_size=500)) == 1234
    assert ledger.calls == [500, 500, 234]


def test_limit_stops_early() -> None:
    listing = objs(*((f"k/{i}.png", "e") for i in range(100)))
    assert len(list(plan(listing, FakeLedger({}), Mode.resume, PlanStats(), limit=7))) == 7


def test_new_version_of_quarantined_object_is_retried() -> None:
    assert skip_reason(LedgerEntry("id", "b", "k", "old", "quarantined"), "new", Mode.resume) is None
    assert (
        skip_reason(LedgerEntry("id", "b", "k", "same", "quarantined"), "same", Mode.resume) == "quarantined"
    )
    assert (
        skip_reason(LedgerEntry("id", "b", "k", "same", "processing"), "same", Mode.resume) is None
    )  # died mid-way


def test_record_failing_at_the_same_version_is_given_up_after_max_attempts() -> None:
    poison = LedgerEntry("id", "b", "a/poison.pdf", "e1", "failed", attempts=5)
    assert skip_reason(poison, "e1", Mode.resume, max_attempts=5) == GAVE_UP
    assert skip_reason(poison, "e1", Mode.resume, max_attempts=6) is None
    assert skip_reason(poison, "e2", Mode.resume, max_attempts=5) is None  # a new version starts afresh
    assert skip_reason(poison, "e1", Mode.reprocess_failed, max_attempts=5) is None  # asked for explicitly
    killer = LedgerEntry("id", "b", "a/killer.pdf", "e1", "processing", attempts=5)  # died mid-way 5 times
    assert skip_reason(killer, "e1", Mode.resume, max_attempts=5) == GAVE_UP


def test_plan_counts_given_up_records_apart_from_done_ones() -> None:
    listing = objs(("a/poison.pdf", "e1"), ("a/done.pdf", "e2"))
    ledger = FakeLedger(
        {
            "a/poison.pdf": {"state": "failed", "etag": "e1", "attempts": 3},
            "a/done.pdf": {"state": "indexed", "etag": "e2", "attempts": 1},
        }
    )
    stats = PlanStats()
    assert list(plan(listing, ledger, Mode.resume, stats, max_attempts=3)) == []
    assert stats.skipped == {"gave_up": 1, "indexed": 1}
