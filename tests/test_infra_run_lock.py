"""`infra/servers.sh run -- CMD` (what `make test` runs) refuses to start while another `run` of the same
checkout is going: the two would share its servers and pid files, and the first to end would stop the
servers under the other. A run that died leaves no lock behind, even when what it started lives on.

The checkout is a copy of this repository's `infra/` (tests/infra_fixtures.py) with servers of its own.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.infra_fixtures import Checkout, answers, copy_checkout

pytestmark = pytest.mark.servers


@pytest.fixture
def checkout(tmp_path: Path) -> Iterator[Checkout]:
    checkout = copy_checkout(tmp_path / "sohoa")
    yield checkout
    checkout.servers("purge")  # stops what is still running (by pid) and removes Elasticsearch's state


def wait_until_exists(path: Path, proc: subprocess.Popen, log: Path, seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert proc.poll() is None, f"the first run ended ({proc.returncode}): {log.read_text()[-3000:]}"
        assert time.monotonic() < deadline, f"no command after {seconds} s: {log.read_text()[-3000:]}"
        time.sleep(0.5)


def test_a_second_run_is_refused_while_the_first_goes_on_and_a_dead_run_blocks_nothing(
    checkout: Checkout, tmp_path: Path
) -> None:
    inside, ran, log = tmp_path / "inside", tmp_path / "ran", tmp_path / "first.log"
    command = ["sh", "-c", f'touch "{inside}"; sleep 600']
    with log.open("w") as err:
        first = subprocess.Popen(
            [str(checkout.path / "infra" / "servers.sh"), "run", "--", *command],
            env=checkout.env,
            stdout=subprocess.DEVNULL,
            stderr=err,
            start_new_session=True,  # its own group: the cleanup below reaches its command too
        )
    try:
        wait_until_exists(inside, first, log)  # its servers are up and its command is running
        values = dict(line.split("=", 1) for line in (checkout.run_dir / "servers.env").read_text().split())
        es_health = f"{values['SOHOA_ES_URL']}/_cluster/health"
        s3_health = f"http://{values['SOHOA_S3_ENDPOINT']}/health"

        second = checkout.servers("run", "--", "touch", str(ran))
        assert second.returncode == 1
        assert not ran.exists()  # its command never ran
        error = second.stderr.strip().splitlines()
        assert len(error) == 1, second.stderr
        assert f"in {checkout.path} is still going (pid {first.pid}," in error[0]
        # ... and it stopped nothing of the first run's
        assert first.poll() is None
        assert answers(es_health) and answers(s3_health)
        status = checkout.servers("status")  # the other modes do not look at the lock
        assert status.returncode == 0 and "es: running" in status.stdout, status.stdout

        # The first run dies without running its EXIT trap; its command and servers live on, and hold no lock.
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
        third = checkout.servers("run", "--", "touch", str(ran))
        assert third.returncode == 0, third.stderr[-3000:]
        assert ran.exists()
        assert answers(es_health) and answers(s3_health)  # running before it: left running
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(first.pid, signal.SIGKILL)
        first.wait()

    stopped = checkout.servers("stop")
    assert stopped.returncode == 0, stopped.stderr[-3000:]
    assert not answers(es_health) and not answers(s3_health)
    assert "es: stopped" in checkout.servers("status").stdout
