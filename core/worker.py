"""Who is processing a record: this process, named so that another process can tell whether it still lives.

A claim in the ledger names its worker as `host/pid/start`. Another process on the same host can see at
once that the claimant is gone (no such pid, or a pid reused by a younger process); on another host it
can only wait for the claim's lease to run out.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from functools import lru_cache


def _start_ticks(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux), which tells a pid apart from its reuse."""
    try:
        stat = open(f"/proc/{pid}/stat", encoding="ascii", errors="replace").read()  # noqa: SIM115
    except OSError:
        return None
    # the command name (field 2) may hold spaces and parentheses: count fields after its closing one
    return stat.rsplit(")", 1)[-1].split()[19]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


@dataclass(frozen=True)
class WorkerId:
    host: str
    pid: int
    start: str  # start ticks of the process ("" when the system does not tell)

    @property
    def id(self) -> str:
        return f"{self.host}/{self.pid}/{self.start}"

    @classmethod
    def parse(cls, text: str | None) -> WorkerId | None:
        if not text:
            return None
        parts = text.split("/")
        if len(parts) < 3 or not parts[-2].isdigit():
            return None
        return cls("/".join(parts[:-2]), int(parts[-2]), parts[-1])

    def is_gone_from(self, here: WorkerId) -> bool:
        """Seen from `here`: this worker runs on the same host and its process no longer exists."""
        if self.host != here.host:
            return False
        if not _alive(self.pid):
            return True
        started = _start_ticks(self.pid)
        return bool(self.start and started and started != self.start)


def host_name(configured: str | None = None) -> str:
    """The machine's name in claims and reports: SOHOA_HOST when set (containers, tests), else hostname."""
    return configured or os.environ.get("SOHOA_HOST") or socket.gethostname()


@lru_cache(maxsize=4)
def _this(pid: int, host: str) -> WorkerId:
    return WorkerId(host, pid, _start_ticks(pid) or "")


def this_worker(host: str | None = None) -> WorkerId:
    """This process (cached per pid: a forked child is another worker)."""
    return _this(os.getpid(), host_name(host))
