"""How many processes fill this machine (one Tesseract per core it may use), and the CPU time a
process has spent."""

from __future__ import annotations

import os
import resource


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity, which containers and taskset narrow)."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def cpu_seconds() -> float:
    """CPU time of this process and of its children that have ended and been waited for (Tesseract,
    pdftoppm). The difference over a piece of work is its cost where nothing else runs in the process
    meanwhile (a pool worker reading one page); on a shared machine it is steadier than wall time."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime
