"""What a technician sees when something is missing: one line naming the part, its URL and the fix, the
exit code of the error model, and no traceback (unless `--debug`). Run as a real process, like a
technician would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.errors import ExitCode

# real processes and real OCR: the full suite (make test), not the fast lane (make check)
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
CLOSED = "127.0.0.1:9"  # nothing listens on the discard port


def sohoa(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "200", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_one_clear_line(out: subprocess.CompletedProcess[str], code: ExitCode, *needles: str) -> None:
    assert out.returncode == code, (out.returncode, out.stdout, out.stderr)
    assert "Traceback" not in out.stderr + out.stdout, out.stderr
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, out.stderr  # one message, not pages of log
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_run_with_elasticsearch_down_says_so_in_one_line() -> None:
    out = sohoa("run", "--prefix", "x/", SOHOA_ES_URL=f"http://{CLOSED}")
    assert_one_clear_line(
        out, ExitCode.server_unavailable, f"Elasticsearch at http://{CLOSED}", "make servers", "sohoa doctor"
    )
    assert "telemetry" not in out.stderr.lower()


def test_debug_shows_the_traceback() -> None:
    out = sohoa("--debug", "run", "--prefix", "x/", SOHOA_ES_URL=f"http://{CLOSED}")
    assert out.returncode != 0 and "Traceback" in out.stderr and "IndexUnavailableError" in out.stderr


def test_run_without_tesseract_names_the_fix(tmp_path: Path) -> None:
    python_only = tmp_path / "bin"
    python_only.mkdir()
    (python_only / "python").symlink_to(sys.executable)
    out = sohoa("run", PATH=str(python_only))
    assert_one_clear_line(out, ExitCode.missing_dependency, "tesseract", "make setup")


@pytest.mark.servers
def test_run_with_the_object_store_down_says_so_in_one_line() -> None:
    out = sohoa("run", "--prefix", "x/", SOHOA_S3_ENDPOINT=CLOSED)
    assert_one_clear_line(out, ExitCode.server_unavailable, f"object store at {CLOSED}", "make servers")


@pytest.mark.servers
def test_run_on_a_missing_bucket_names_it(es: object) -> None:
    out = sohoa("run", "--bucket", "no-such-bucket-sohoa")
    assert_one_clear_line(out, ExitCode.not_found, "s3://no-such-bucket-sohoa", "SOHOA_INTAKE_BUCKET")


def test_search_with_elasticsearch_down_says_so_in_one_line() -> None:
    out = sohoa("search", "thu hồi đất", SOHOA_ES_URL=f"http://{CLOSED}")
    assert_one_clear_line(out, ExitCode.server_unavailable, f"Elasticsearch at http://{CLOSED}")


def test_prefect_telemetry_is_off_in_the_cli_and_the_flows() -> None:
    code = (
        "import {module}; from prefect.settings import get_current_settings as s; "
        "print(s().server.analytics_enabled, s().cloud.enable_orchestration_telemetry)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "DO_NOT_TRACK"))}
    for module in ("cli.app", "flows.batch"):
        out = subprocess.run(
            [sys.executable, "-c", code.format(module=module)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        assert out.stdout.split() == ["False", "False"], (module, out.stdout, out.stderr)
