"""The run report: counts per state, district and document type, speed, confidence, and every problem.

Aggregates are kept as outcomes arrive, so a run of a million records holds counters, not outcomes.
"""

from __future__ import annotations

import json
import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pipeline.run.context import RunContext
from pipeline.run.job import Outcome
from pipeline.run.plan import DONE_ELSEWHERE, GAVE_UP, PlanStats

MAX_PROBLEMS_IN_MARKDOWN = 200


def elapsed(started_at: datetime, finished_at: datetime | None) -> float:
    """Seconds from start to finish (to now while running); never zero, it divides."""
    return max(((finished_at or datetime.now(UTC)) - started_at).total_seconds(), 1e-9)


@dataclass
class RunReport:
    run_id: str
    bucket: str
    prefix: str
    mode: str
    host: str = ""  # the machine that ran it
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    finished_at: datetime | None = None
    interrupted: bool = False
    plan: PlanStats = field(default_factory=PlanStats)
    states: Counter = field(default_factory=Counter)
    per_district: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    per_doc_type: Counter = field(default_factory=Counter)
    pages: int = 0
    conf_sum: float = 0.0
    conf_n: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)
    timings: Counter = field(default_factory=Counter)  # seconds per phase, summed over records (and steps)

    def add(self, outcome: Outcome) -> None:
        self.timings.update(outcome.timings)
        self.states[outcome.state] += 1
        self.per_district[outcome.source.district or "(root)"][outcome.state] += 1
        if outcome.state == "indexed":
            self.per_doc_type[outcome.doc_type_code or "(unknown)"] += 1
            self.pages += outcome.n_pages
            if outcome.mean_conf is not None:
                self.conf_sum += outcome.mean_conf
                self.conf_n += 1
        else:
            self.problems.append(
                {
                    "key": outcome.source.key,
                    "etag": outcome.source.etag,
                    "state": outcome.state,
                    "reason_code": outcome.reason_code,
                    "reason": outcome.reason,
                    "attempts": outcome.attempts,
                }
            )

    @property
    def processed(self) -> int:
        return sum(self.states.values())

    @property
    def seconds(self) -> float:
        return elapsed(self.started_at, self.finished_at)

    @property
    def pages_per_minute(self) -> float:
        return self.pages / self.seconds * 60

    @property
    def mean_conf(self) -> float | None:
        return round(self.conf_sum / self.conf_n, 2) if self.conf_n else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "bucket": self.bucket,
            "prefix": self.prefix,
            "mode": self.mode,
            "host": self.host,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "interrupted": self.interrupted,
            "seconds": round(self.seconds, 2),
            "listed": self.plan.listed,
            "sidecars": self.plan.sidecars,
            "skipped": dict(self.plan.skipped),
            "processed": self.processed,
            "states": dict(self.states),
            "per_district": {d: dict(c) for d, c in sorted(self.per_district.items())},
            "per_doc_type": dict(self.per_doc_type.most_common()),
            "pages": self.pages,
            "pages_per_minute": round(self.pages_per_minute, 1),
            "mean_conf": self.mean_conf,
            "timings": {k: round(v, 2) for k, v in self.timings.most_common()},
            "problems": self.problems,
        }

    def summary_line(self) -> str:
        return summary_line(self.to_dict())


GAVE_UP_HINT = "too many attempts (--reprocess-failed retries them)"


def summary_line(r: dict[str, Any]) -> str:
    s = r["states"]
    gave_up = r["skipped"].get(GAVE_UP, 0)
    elsewhere = r["skipped"].get(DONE_ELSEWHERE, 0)
    skipped = sum(r["skipped"].values()) - gave_up - elsewhere
    return (
        f"{r['processed']} processed: {s.get('indexed', 0)} indexed, {s.get('failed', 0)} failed, "
        f"{s.get('quarantined', 0)} quarantined; {skipped} skipped (already done); "
        + (f"{elsewhere} done by another run meanwhile; " if elsewhere else "")
        + (f"{gave_up} left failed after {GAVE_UP_HINT}; " if gave_up else "")
        + f"{r['pages']} pages at {r['pages_per_minute']:.1f} pages/min"
    )


def report_markdown(r: dict[str, Any]) -> str:
    """The report as markdown: the Prefect artifact and the CLI show the same text."""
    lines = [
        f"# sohoa run `{r['run_id']}`",
        "",
        f"`s3://{r['bucket']}/{r['prefix']}` — mode `{r['mode']}`"
        + (" — **interrupted**" if r["interrupted"] else ""),
        "",
        summary_line(r),
        "",
        f"Mean OCR confidence: {r['mean_conf'] if r['mean_conf'] is not None else '–'}",
    ]
    if r["per_district"]:
        lines += ["", "| district | indexed | failed | quarantined |", "| --- | ---: | ---: | ---: |"]
        for district, c in r["per_district"].items():
            lines.append(
                f"| {district} | {c.get('indexed', 0)} | {c.get('failed', 0)} | {c.get('quarantined', 0)} |"
            )
    if r["per_doc_type"]:
        lines += ["", "| document type | records |", "| --- | ---: |"]
        lines += [f"| {code} | {n} |" for code, n in r["per_doc_type"].items()]
    problems = r["problems"]
    if problems:
        lines += ["", "## Failed and quarantined", "", "| object | state | reason |", "| --- | --- | --- |"]
        for p in problems[:MAX_PROBLEMS_IN_MARKDOWN]:
            reason = (p["reason"] or "").replace("|", "\\|").replace("\n", " ")
            lines.append(f"| `{p['key']}` | {p['state']} | {reason} |")
        if len(problems) > MAX_PROBLEMS_IN_MARKDOWN:
            lines.append(f"| … {len(problems) - MAX_PROBLEMS_IN_MARKDOWN} more in the JSON report | | |")
    return "\n".join(lines) + "\n"


def publish_report(report: RunReport, ctx: RunContext, log: logging.Logger | logging.LoggerAdapter) -> None:
    """Log the summary and store the report as `s3://<processed>/reports/<run id>.json`."""
    log.info(report.summary_line())
    bucket, key = ctx.config.processed_bucket, f"reports/{report.run_id}.json"
    body = json.dumps(report.to_dict(), ensure_ascii=False, indent=2).encode()
    try:
        ctx.store.put_bytes(bucket, key, body, "application/json")
    except Exception as exc:
        log.error("could not write the report to s3://%s/%s: %s", bucket, key, exc)
