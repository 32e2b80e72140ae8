"""A checkout in a 0700 home folder (root's, on Debian) starts and stops its own servers.

Elasticsearch runs as the system user `sohoa-es`, which cannot enter such a folder; `infra/` keeps what
that user must reach outside the checkout (issue 11). The checkout here is this repository's `infra/`
copied under `tmp_path/home` (mode 0700), with this checkout's versitygw binary linked into its
`.cache/bin` so that nothing is built again.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from config.settings import load_settings
from tests.infra_fixtures import Checkout, answers, copy_checkout

pytestmark = pytest.mark.servers


@pytest.fixture
def private_checkout(tmp_path: Path) -> Iterator[Checkout]:
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    home.chmod(0o700)  # whatever the umask
    checkout = copy_checkout(home / "sohoa")
    yield checkout
    checkout.servers("purge")  # stops what is still running (by pid) and removes Elasticsearch's state


def test_checkout_in_a_0700_home_starts_and_stops_its_servers(
    private_checkout: Checkout, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = private_checkout.path.parent
    in_tmp = set(Path("/tmp").glob("final-flags*"))
    started = private_checkout.servers("start")
    assert started.returncode == 0, started.stderr[-3000:]
    # the ES launcher's temp folders stay in its state folder: every start used to leave two in /tmp
    assert set(Path("/tmp").glob("final-flags*")) <= in_tmp

    env_file = private_checkout.run_dir / "servers.env"
    values = dict(line.split("=", 1) for line in env_file.read_text().split())
    es_url, s3 = values["SOHOA_ES_URL"], values["SOHOA_S3_ENDPOINT"]
    assert es_url == f"http://127.0.0.1:{private_checkout.env['SOHOA_ES_PORT']}"
    assert answers(f"{es_url}/_cluster/health")
    assert answers(f"http://{s3}/health")

    # `sohoa` reads the same file (the servers.env contract)
    for name in ("SOHOA_ES_URL", "SOHOA_S3_ENDPOINT", "SOHOA_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SOHOA_SERVERS_ENV", str(env_file))
    settings = load_settings()
    assert (settings.es_url, settings.s3_endpoint) == (es_url, s3)

    # The home folder was not opened up; Elasticsearch's state is outside it, owned by its user.
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    state = (private_checkout.run_dir / "es").resolve()
    assert not state.is_relative_to(home)
    if os.geteuid() == 0:
        assert (state / "data").owner() == "sohoa-es"
    es_pid = int((state / "es.pid").read_text())

    stopped = private_checkout.servers("stop")
    assert stopped.returncode == 0, stopped.stderr[-3000:]
    assert not answers(f"{es_url}/_cluster/health")
    assert not Path(f"/proc/{es_pid}").exists()
    assert "es: stopped" in private_checkout.servers("status").stdout

    purged = private_checkout.servers("purge")
    assert purged.returncode == 0, purged.stderr[-3000:]
    assert not state.exists()
