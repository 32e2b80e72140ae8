"""CPU seconds of the processes that share this machine's cores during a benchmark: this process (and the
children it reaped: tesseract, pdftoppm, qpdf), and servers by their pid files (with their live
descendants): Elasticsearch, the S3 server, the Prefect API server, Prefect workers (their finished flow
runs are reaped children, so they count)."""

from __future__ import annotations

import os
import resource
from dataclasses import dataclass, field
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[-1].split()  # fields from 3 (state) on


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (st := _stat(int(entry.name))):
            kids.setdefault(int(st[1]), []).append(int(entry.name))
    return kids


def tree_cpu(pid: int, kids: dict[int, list[int]] | None = None) -> float:
    """utime+stime of the process, of its reaped children, and of its live descendants."""
    kids = kids if kids is not None else _children()
    st = _stat(pid)
    if st is None:
        return 0.0
    own = sum(int(v) for v in st[11:15]) / TICKS  # utime, stime, cutime, cstime
    return own + sum(tree_cpu(k, kids) for k in kids.get(pid, []))


def self_cpu() -> float:
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


@dataclass
class CpuMeter:
    pids: dict[str, int] = field(default_factory=dict)  # name -> pid of each server

    @classmethod
    def from_pidfiles(cls, files: dict[str, Path]) -> CpuMeter:
        pids = {}
        for name, path in files.items():
            try:
                pids[name] = int(path.read_text().strip())
            except (OSError, ValueError):
                continue
        return cls(pids)

    def snapshot(self) -> dict[str, float]:
        kids = _children()
        return {"this process": self_cpu(), **{n: tree_cpu(p, kids) for n, p in self.pids.items()}}

    @staticmethod
    def delta(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
        return {k: after.get(k, 0.0) - v for k, v in before.items()}
