"""A copy of this repository's `infra/` as a checkout of its own, for the tests that run `infra/servers.sh`
as a user does: its servers, pid files and Elasticsearch state are the copy's, not this checkout's.
This checkout's versitygw binary is linked into the copy's `.cache/bin`, so nothing is built again."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
VERSITYGW = "versitygw-v1.8.0"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status == 200
    except OSError:
        return False


class Checkout:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("SOHOA_")}
        self.env |= {"SOHOA_ES_PORT": str(free_port()), "SOHOA_S3_PORT": str(free_port())}

    def servers(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.path / "infra" / "servers.sh"), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    @property
    def run_dir(self) -> Path:
        return self.path / ".cache" / "run"


def copy_checkout(path: Path) -> Checkout:
    """`infra/` copied to `path`, with this checkout's versitygw linked in."""
    checkout = Checkout(path)
    shutil.copytree(ROOT / "infra", checkout.path / "infra", ignore=shutil.ignore_patterns("policies"))
    binary = ROOT / ".cache" / "bin" / VERSITYGW
    if not binary.exists():
        pytest.fail(f"{binary} is missing: run `make setup`")
    (checkout.path / ".cache" / "bin").mkdir(parents=True)
    (checkout.path / ".cache" / "bin" / VERSITYGW).symlink_to(binary)
    return checkout
