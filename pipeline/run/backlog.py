"""The report of a whole backlog run on many machines, built from the ledger (the one record of what
happened to each object, whichever chunk run, machine or crash it went through) and from the chunk runs.

A planned object ends in one of: a final state written by one of this backlog's chunk runs (counted, per
state, district, document type and machine); a final state another run wrote since the backlog started
(done elsewhere); or no final state (unfinished: its chunk gave up, or was cancelled), listed as a problem.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pipeline.run.chunks import BacklogPlan
from pipeline.run.plan import DONE_ELSEWHERE
from pipeline.run.report import MAX_PROBLEMS_IN_MARKDOWN, elapsed, report_markdown
from search.ledger import PROCESSING, LedgerEntry, same_version

UNFINISHED = "unfinished"


@dataclass
class ChunkRun:
    """One child flow run of a chunk (a chunk whose run crashed has several)."""

    chunk: int
    attempt: int
    flow_run_id: str
    state: str  # Prefect's state name: Completed, Crashed, Failed, Cancelled...
    created_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    message: str | None = None
    host: str | None = None  # the machine, once known (from its ledger entries)

    @property
    def seconds(self) -> float:
        if not self.started_at or not self.finished_at:
            return 0.0
        return max((self.finished_at - self.started_at).total_seconds(), 0.0)

    @property
    def queued_seconds(self) -> float | None:
        """From creation to start: the dispatch (and the wait for a free worker slot)."""
        if not self.created_at or not self.started_at:
            return None
        return max((self.started_at - self.created_at).total_seconds(), 0.0)


@dataclass
class BacklogReport:
    plan: BacklogPlan
    started_at: datetime
    finished_at: datetime | None = None
    runs: list[ChunkRun] = field(default_factory=list)
    states: Counter = field(default_factory=Counter)
    per_district: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    per_doc_type: Counter = field(default_factory=Counter)
    per_machine: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    pages: int = 0
    done_elsewhere: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)
    chunk_problems: list[str] = field(default_factory=list)

    @property
    def processed(self) -> int:
        return sum(self.states.values())

    @property
    def seconds(self) -> float:
        return elapsed(self.started_at, self.finished_at)

    def to_dict(self) -> dict[str, Any]:
        plan = self.plan
        skipped = dict(plan.stats.skipped)
        if self.done_elsewhere:
            skipped[DONE_ELSEWHERE] = self.done_elsewhere
        queued = [q for r in self.runs if (q := r.queued_seconds) is not None]
        machines = {}
        for host, c in sorted(self.per_machine.items()):
            minutes = c["seconds"] / 60
            machines[host] = {
                "chunk_runs": c["runs"],
                "records": c["records"],
                "pages": c["pages"],
                "busy_seconds": round(c["seconds"], 1),
                "pages_per_minute": round(c["pages"] / minutes, 1) if minutes else None,
            }
        return {
            "run_id": plan.backlog_id,
            "backlog_id": plan.backlog_id,
            "bucket": plan.bucket,
            "prefix": plan.prefix,
            "mode": plan.mode,
            "distributed": True,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "interrupted": False,
            "seconds": round(self.seconds, 2),
            "listed": plan.stats.listed,
            "sidecars": plan.stats.sidecars,
            "skipped": skipped,
            "planned": plan.objects,
            "processed": self.processed,
            "states": dict(self.states),
            "per_district": {d: dict(c) for d, c in sorted(self.per_district.items())},
            "per_doc_type": dict(self.per_doc_type.most_common()),
            "per_machine": machines,
            "pages": self.pages,
            "pages_per_minute": round(self.pages / self.seconds * 60, 1),
            "mean_conf": None,
            "chunks": len(plan.chunks),
            "chunk_runs": len(self.runs),
            "chunk_runs_by_state": dict(Counter(r.state for r in self.runs)),
            "mean_queued_seconds": round(sum(queued) / len(queued), 1) if queued else None,
            "runs": [
                {
                    "chunk": r.chunk,
                    "attempt": r.attempt,
                    "flow_run_id": r.flow_run_id,
                    "state": r.state,
                    "host": r.host,
                    "seconds": round(r.seconds, 1),
                    "message": r.message,
                }
                for r in self.runs
            ],
            "chunk_problems": self.chunk_problems,
            "problems": self.problems,
        }


def build_report(
    plan: BacklogPlan,
    runs: list[ChunkRun],
    entries: Mapping[str, LedgerEntry],
    started_at: datetime,
    chunk_problems: list[str] | None = None,
) -> BacklogReport:
    """Classify every planned object by its ledger entry (`entries`, by record id)."""
    report = BacklogReport(plan, started_at, runs=runs, chunk_problems=list(chunk_problems or []))
    ours = {r.flow_run_id for r in runs}
    run_hosts: dict[str, Counter] = defaultdict(Counter)
    for chunk in plan.chunks:
        for obj in chunk.objects:
            entry = entries.get(obj.id)
            final = entry is not None and entry.state != PROCESSING and same_version(entry, obj.etag)
            if final and entry and entry.run_id in ours:
                _count(report, entry)
                run_hosts[entry.run_id or ""][entry.host or "?"] += 1
            elif (
                final
                and entry
                and entry.updated_at
                and datetime.fromisoformat(entry.updated_at) >= plan.since
            ):
                report.done_elsewhere += 1
            else:
                state = entry.state if entry and same_version(entry, obj.etag) else "no entry"
                report.problems.append(
                    {
                        "key": obj.key,
                        "etag": obj.etag,
                        "state": UNFINISHED,
                        "reason_code": UNFINISHED,
                        "reason": f"chunk {chunk.number} ended without a final state (ledger: {state})",
                        "attempts": entry.attempts if entry else 0,
                    }
                )
    for run in runs:
        if run.host is None and run_hosts.get(run.flow_run_id):
            run.host = run_hosts[run.flow_run_id].most_common(1)[0][0]
        machine = report.per_machine[run.host or "?"]
        machine["runs"] += 1
        machine["seconds"] += run.seconds
    return report


def _count(report: BacklogReport, entry: LedgerEntry) -> None:
    report.states[entry.state] += 1
    report.per_district[entry.district or "(root)"][entry.state] += 1
    machine = report.per_machine[entry.host or "?"]
    machine["records"] += 1
    if entry.state == "indexed":
        report.per_doc_type[entry.doc_type_code or "(unknown)"] += 1
        report.pages += entry.n_pages or 0
        machine["pages"] += entry.n_pages or 0
    else:
        report.problems.append(
            {
                "key": entry.key,
                "etag": entry.etag,
                "state": entry.state,
                "reason_code": entry.reason_code,
                "reason": entry.reason,
                "attempts": entry.attempts,
                "host": entry.host,
            }
        )


def backlog_markdown(r: dict[str, Any]) -> str:
    """The backlog report as markdown (the parent run's Prefect artifact, and what the CLI prints)."""
    # the run report's sections, under the backlog's own title
    body = report_markdown(r).rstrip("\n").split("\n", 1)[1]
    lines = [f"# sohoa backlog `{r['backlog_id']}` ({r['chunks']} chunks)", body, ""]
    lines += [
        f"{r['planned']} objects in {r['chunks']} chunks; {r['chunk_runs']} chunk runs "
        + ", ".join(f"{n} {s.lower()}" for s, n in sorted(r["chunk_runs_by_state"].items())),
        "",
        "| machine | chunk runs | records | pages | busy (s) | pages/min |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for host, m in r["per_machine"].items():
        ppm = m["pages_per_minute"] if m["pages_per_minute"] is not None else "–"
        lines.append(
            f"| {host} | {m['chunk_runs']} | {m['records']} | {m['pages']} | {m['busy_seconds']} | {ppm} |"
        )
    if r["chunk_problems"]:
        lines += ["", "## Chunks", ""]
        lines += [f"- {p}" for p in r["chunk_problems"][:MAX_PROBLEMS_IN_MARKDOWN]]
    return "\n".join(lines) + "\n"
