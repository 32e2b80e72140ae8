"""A real Prefect cluster for the fan-out tests: `prefect server start` (SQLite, loopback, a free port) and
process workers, started and stopped by `infra/prefect.sh` under a private run folder; the pools, the
zombie automation and the deployments set up the way a site does it (`sohoa prefect setup`,
`prefect deploy --all`).

The workers play two machines, `machine-a` and `machine-b` (SOHOA_HOST): each one chunk at a time
(`--limit 1`) with one OCR slot (SOHOA_WORKERS=1), so that the two fill the two cores. Their `tesseract`
is a stand-in that runs the real one, except for a record whose file carries `KILLER_MARK`: then it
SIGKILLs the process that runs the record, as an out-of-memory kill or a crash in a library would.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from PIL.PngImagePlugin import PngInfo

from tests.fault_fixtures import tiny_page

ROOT = Path(__file__).resolve().parents[1]
PREFECT_SH = ROOT / "infra" / "prefect.sh"
MACHINES = ("machine-a", "machine-b")
CONTROL = "control"
KILLER_MARK = "SOHOA-TEST-KILLS-ITS-WORKER"
HEARTBEAT = 30  # Prefect's minimum
ZOMBIE_AFTER = 90  # three missed heartbeats

FAKE_TESSERACT = """#!/bin/bash
# The real tesseract, except for a record whose source file carries the mark: then the process that runs the
# record (our parent) is SIGKILLed, and so are we. Each call is logged as "<source md5> <work folder>".
image="$1"
src="$(dirname "$image")/source"
if [ -f "$src" ]; then
  [ -n "${{SOHOA_TEST_TESSERACT_LOG:-}}" ] && echo "$(md5sum <"$src" | cut -c1-32) $(dirname "$image")" \\
    >>"$SOHOA_TEST_TESSERACT_LOG"
  if grep -q {mark} "$src"; then kill -9 "$PPID"; exit 137; fi
fi
exec {real} "$@"
"""


def fake_tesseract(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    real = shutil.which("tesseract") or "/usr/bin/tesseract"
    script = folder / "tesseract"
    script.write_text(FAKE_TESSERACT.format(mark=KILLER_MARK, real=real))
    script.chmod(0o755)
    return folder


@dataclass
class Cluster:
    run_dir: Path
    api_url: str
    bin_dir: Path

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of a process that talks to this Prefect server (and nothing phones home)."""
        return {
            **os.environ,
            "PREFECT_API_URL": self.api_url,
            "PREFECT_HOME": str(self.run_dir / "prefect" / "home"),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_CLOUD_ENABLE_ORCHESTRATION_TELEMETRY": "false",
            "DO_NOT_TRACK": "1",
            # every flow run here, the backlogs' parents too, heartbeats often enough for ZOMBIE_AFTER
            "PREFECT_FLOWS_HEARTBEAT_FREQUENCY": str(HEARTBEAT),
            "SOHOA_RUN_DIR": str(self.run_dir),
            **extra,
        }

    def sh(self, *args: str, timeout: float = 300, **env: str) -> None:
        out = subprocess.run(
            [str(PREFECT_SH), *args],
            env=self.env(**env),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if out.returncode != 0:
            raise RuntimeError(f"infra/prefect.sh {' '.join(args)} failed: {out.stderr[-3000:]}")

    def start_worker(self, name: str, pool: str = "sohoa-process", limit: int = 1) -> None:
        path = f"{self.bin_dir}{os.pathsep}{os.environ['PATH']}"
        self.sh("worker", name, pool, str(limit), PATH=path, SOHOA_WORKERS="1")

    def kill_worker(self, name: str) -> None:
        """SIGKILL the worker and every process under it: its machine dies."""
        self.sh("kill-worker", name)

    def log(self, name: str) -> str:
        path = self.run_dir / "prefect" / f"worker-{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    @contextmanager
    def client(self) -> Iterator[object]:
        """A Prefect client of this server, in this process."""
        from prefect.client.orchestration import get_client
        from prefect.settings import PREFECT_API_URL, temporary_settings

        with temporary_settings({PREFECT_API_URL: self.api_url}), get_client(sync_client=True) as client:
            yield client


def start_cluster() -> Cluster:
    run_dir = ROOT / ".cache" / f"prefect-test-{uuid.uuid4().hex[:8]}"
    run_dir.mkdir(parents=True)
    cluster = Cluster(run_dir, "", fake_tesseract(run_dir / "bin"))
    try:
        cluster.sh("start", timeout=240)
        cluster.api_url = (run_dir / "prefect" / "prefect.env").read_text().split("=", 1)[1].strip()
        env = cluster.env(SOHOA_HOME=str(ROOT))
        for cmd in (
            [sys.executable, "-m", "cli", "prefect", "setup", "--zombie-after", str(ZOMBIE_AFTER)],
            [str(Path(sys.executable).parent / "prefect"), "--no-prompt", "deploy", "--all"],
        ):
            out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
            if out.returncode != 0:
                raise RuntimeError(f"{' '.join(cmd[-3:])} failed: {out.stdout[-2000:]} {out.stderr[-2000:]}")
        for name in MACHINES:
            cluster.start_worker(name)
        cluster.start_worker(CONTROL, pool="sohoa-control", limit=2)
        return cluster
    except BaseException:
        stop_cluster(cluster)
        raise


def stop_cluster(cluster: Cluster) -> None:
    try:
        cluster.sh("stop", timeout=180)
    finally:
        shutil.rmtree(cluster.run_dir, ignore_errors=True)


def tiny_png(text: str, *, kills_its_worker: bool = False) -> bytes:
    """A one-line page (fast to OCR); the mark in a PNG text chunk makes the test workers' tesseract kill."""
    info = PngInfo()
    if kills_its_worker:
        info.add_text("Comment", KILLER_MARK)
    buf = io.BytesIO()
    tiny_page([text]).save(buf, format="PNG", dpi=(200, 200), pnginfo=info)
    return buf.getvalue()


def wait_until(condition: Callable[[], bool], timeout: float, what: str, every: float = 1.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)
