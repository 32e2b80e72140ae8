"""One backlog on many machines, against a real Prefect server, two real process workers (two "machines"),
the real Elasticsearch and S3 and real Tesseract on tiny pages (tests/cluster_fixtures.py).

What must hold, whatever happens: every planned object ends with exactly one record document, one ledger
entry and one set of derivatives; nothing is processed twice; a dead machine's chunk is run again; a file
that kills its worker is given up after SOHOA_MAX_ATTEMPTS with the reason.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline.record import record_id
from storage.objects import ObjectStore
from tests.cluster_fixtures import Cluster, tiny_png, wait_until
from tests.flow_fixtures import remove_run_data

pytestmark = [pytest.mark.servers, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[1]


def names() -> dict[str, str]:
    tag = uuid.uuid4().hex[:8]
    return {
        "SOHOA_INTAKE_BUCKET": f"fan-in-{tag}",
        "SOHOA_PROCESSED_BUCKET": f"fan-out-{tag}",
        "SOHOA_INDEX_ALIAS": f"fan-{tag}-records",
        "SOHOA_LEDGER_INDEX": f"fan-{tag}-ledger",
    }


@pytest.fixture
def make_backlog(store: ObjectStore, es) -> Iterator:
    """Upload `n` one-line pages under a prefix (plus the killers asked for) into a fresh bucket, with fresh
    indices; everything is removed afterwards. Returns (env, keys)."""
    made: list[dict[str, str]] = []

    def make(n: int, prefix: str = "", killers: int = 0) -> tuple[dict[str, str], list[str]]:
        env = names()
        made.append(env)
        bucket = env["SOHOA_INTAKE_BUCKET"]
        store.ensure_bucket(bucket)
        keys = []
        for i in range(n + killers):
            district = ("cau-giay", "dong-da", "ba-dinh")[i % 3]
            killer = i >= n
            key = f"{prefix}{district}/{'killer' if killer else 'qd'}-{i:03d}.png"
            body = tiny_png(f"Quyết định số {i}/QĐ-UBND", kills_its_worker=killer)
            store.put_bytes(bucket, key, body, "image/png")
            keys.append(key)
        return env, keys

    yield make
    for env in made:
        remove_run_data(store, es, env, (env["SOHOA_INTAKE_BUCKET"], env["SOHOA_PROCESSED_BUCKET"]))


# -- reading the outcome ---------------------------------------------------------------------------------
def ledger(es, env: dict[str, str]) -> dict[str, dict[str, Any]]:
    es.indices.refresh(index=env["SOHOA_LEDGER_INDEX"])
    hits = es.search(index=env["SOHOA_LEDGER_INDEX"], size=1000)["hits"]["hits"]
    return {h["_source"]["key"]: h["_source"] for h in hits}


def document_keys(es, env: dict[str, str]) -> Counter:
    es.indices.refresh(index=env["SOHOA_INDEX_ALIAS"])
    hits = es.search(index=env["SOHOA_INDEX_ALIAS"], size=1000)["hits"]["hits"]
    return Counter(h["_source"]["key"] for h in hits)


def derivatives(store: ObjectStore, env: dict[str, str]) -> Counter:
    """Derivative files per record id (a searchable PDF, the text, the metadata JSON: 3 each)."""
    return Counter(o.key.split("/")[1] for o in store.list(env["SOHOA_PROCESSED_BUCKET"], "records/"))


def assert_each_indexed_once(es, store: ObjectStore, env: dict[str, str], keys: list[str]) -> dict:
    entries = ledger(es, env)
    assert {k: e["state"] for k, e in entries.items()} == dict.fromkeys(keys, "indexed")
    docs = document_keys(es, env)
    assert docs == Counter(keys), "a record document missing or twice"
    bucket = env["SOHOA_INTAKE_BUCKET"]
    assert derivatives(store, env) == Counter({record_id(bucket, k): 3 for k in keys})
    return entries


def chunk_runs(cluster: Cluster) -> list[Any]:
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterName

    with cluster.client() as client:
        return client.read_flow_runs(
            deployment_filter=DeploymentFilter(name=DeploymentFilterName(any_=["digitize-chunk"])), limit=200
        )


# -- starting runs ---------------------------------------------------------------------------------------
STARTED: list[subprocess.Popen] = []


@pytest.fixture(autouse=True)
def _no_run_left_behind() -> Iterator[None]:
    yield
    while STARTED:
        proc = STARTED.pop()
        if proc.poll() is None:  # a test that failed half-way: its run goes with it
            os.killpg(proc.pid, 9)
            proc.wait()


def sohoa_run(cluster: Cluster, env: dict[str, str], *args: str, **extra: str) -> subprocess.Popen:
    """`sohoa run … --json` as a technician starts it, talking to the cluster's Prefect server."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli", "run", "--json", *args],
        cwd=ROOT,
        env=cluster.env(**env, **extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    STARTED.append(proc)
    return proc


def finish(proc: subprocess.Popen, timeout: float = 900) -> dict[str, Any]:
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        out, err = proc.communicate()
        raise AssertionError(f"sohoa run did not finish in {timeout:.0f} s: {err[-3000:]}") from None
    assert out.strip(), f"no report (exit {proc.returncode}): {err[-3000:]}"
    return json.loads(out)


# -- the tests -------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def first_backlog(prefect_cluster: Cluster, store: ObjectStore, es) -> Iterator[dict[str, Any]]:
    """44 objects started the way a technician does from the Prefect UI: a run of the digitize-backlog
    deployment, which the control worker picks up; its chunks (8 objects each) go to the two machines."""
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_API_URL, temporary_settings

    env = names()
    bucket = env["SOHOA_INTAKE_BUCKET"]
    store.ensure_bucket(bucket)
    keys = []
    for i in range(44):
        key = f"{('cau-giay', 'dong-da', 'ba-dinh')[i % 3]}/qd-{i:03d}.png"  # a district's prefix first
        store.put_bytes(bucket, key, tiny_png(f"Quyết định số {i}/QĐ-UBND"), "image/png")
        keys.append(key)
    with temporary_settings({PREFECT_API_URL: prefect_cluster.api_url}):
        parent = run_deployment(
            "digitize-backlog/digitize-backlog",
            parameters={"bucket": bucket, "prefix": "", "chunk_objects": 8},
            # the site's settings on the control machine; here, this test's own buckets and indices
            job_variables={"env": env},
            timeout=1200,
            as_subflow=False,
        )
    report = json.loads(store.get_bytes(env["SOHOA_PROCESSED_BUCKET"], f"reports/{parent.id}.json"))
    yield {"env": env, "keys": keys, "parent": parent, "report": report}
    for b in (bucket, env["SOHOA_PROCESSED_BUCKET"]):
        for obj in store.list(b):
            store.delete(b, obj.key)
        store.client.remove_bucket(b)
    es.indices.delete(
        index=f"{env['SOHOA_INDEX_ALIAS']}*,{env['SOHOA_LEDGER_INDEX']}*", ignore_unavailable=True
    )


def test_a_backlog_on_two_machines_ends_with_every_object_indexed_once(
    first_backlog: dict[str, Any], prefect_cluster: Cluster, store: ObjectStore, es
) -> None:
    env, keys, report = first_backlog["env"], first_backlog["keys"], first_backlog["report"]
    assert first_backlog["parent"].state.is_completed(), first_backlog["parent"].state
    entries = assert_each_indexed_once(es, store, env, keys)
    assert all(e["attempts"] == 1 for e in entries.values()), "an object was processed twice"
    assert report["states"] == {"indexed": 44} and report["chunks"] == 6 and report["pages"] == 44
    assert report["per_district"]["dong-da"]["indexed"] == 15
    # both machines worked, and the ledger says which did what
    machines = report["per_machine"]
    assert set(machines) == {"machine-a", "machine-b"}, machines
    assert sum(m["records"] for m in machines.values()) == 44
    assert Counter(e["host"] for e in entries.values()) == Counter(
        {h: m["records"] for h, m in machines.items()}
    )
    assert not report["problems"] and not report["chunk_problems"]


def test_the_same_backlog_started_again_does_nothing(
    first_backlog: dict[str, Any], prefect_cluster: Cluster, store: ObjectStore, es
) -> None:
    env, keys = first_backlog["env"], first_backlog["keys"]
    backlog_id = first_backlog["report"]["backlog_id"]
    runs_before = {r.id for r in chunk_runs(prefect_cluster)}
    again = finish(sohoa_run(prefect_cluster, env, "--distributed", "--backlog-id", backlog_id))
    # the stored plan, and the chunk runs found again by their idempotency keys: none started
    assert {r.id for r in chunk_runs(prefect_cluster)} == runs_before
    assert {r["flow_run_id"] for r in again["runs"]} == {
        r["flow_run_id"] for r in first_backlog["report"]["runs"]
    }
    assert again["states"] == {"indexed": 44}
    entries = assert_each_indexed_once(es, store, env, keys)
    assert all(e["attempts"] == 1 for e in entries.values())
    # a new backlog on the same prefix finds everything done
    fresh = finish(sohoa_run(prefect_cluster, env, "--distributed"))
    assert fresh["planned"] == 0 and fresh["skipped"] == {"indexed": 44} and fresh["chunk_runs"] == 0


def test_a_machine_killed_mid_chunk_has_its_chunk_run_again_and_nothing_lost_or_doubled(
    prefect_cluster: Cluster, make_backlog, store: ObjectStore, es
) -> None:
    env, keys = make_backlog(24)
    proc = sohoa_run(prefect_cluster, env, "--distributed", "--chunk-size", "6", SOHOA_CLAIM_LEASE="20")

    def machine_a_mid_chunk() -> bool:
        if proc.poll() is not None or not es.indices.exists(index=env["SOHOA_LEDGER_INDEX"]):
            return False
        mine = [e for e in ledger(es, env).values() if e.get("host") == "machine-a"]
        return any(e["state"] == "processing" for e in mine) and any(e["state"] == "indexed" for e in mine)

    try:
        wait_until(machine_a_mid_chunk, 600, "machine-a in the middle of a chunk", every=0.3)
        prefect_cluster.kill_worker("machine-a")
        # read after the kill: what the dead machine held (read before it, a record could still finish or
        # be claimed in between); machine-b takes nothing over before the 20-s lease has run out
        claimed = {
            k for k, e in ledger(es, env).items() if e["state"] == "processing" and e["host"] == "machine-a"
        }
        report = finish(proc, timeout=1200)
    finally:
        prefect_cluster.start_worker("machine-a")  # the next tests have two machines again
    entries = assert_each_indexed_once(es, store, env, keys)
    # the dead machine's run was marked crashed (heartbeats stopped) and its chunk run again elsewhere
    states = report["chunk_runs_by_state"]
    assert states.get("Crashed", 0) >= 1 and states["Completed"] == report["chunks"], report["runs"]
    crashed = [r for r in report["runs"] if r["state"] == "Crashed"]
    rerun = {r["chunk"] for r in report["runs"] if r["attempt"] > 1 and r["state"] == "Completed"}
    assert {r["chunk"] for r in crashed} <= rerun
    # what machine-a held when it died was taken over once its lease ran out: one more attempt, one death
    for key in claimed:
        assert (entries[key]["attempts"], entries[key]["died"], entries[key]["host"]) == (2, 1, "machine-b")
    assert all(e["attempts"] == 1 for k, e in entries.items() if k not in claimed)


def test_two_runs_on_the_same_prefix_at_once_process_each_object_once(
    prefect_cluster: Cluster, make_backlog, store: ObjectStore, es, tmp_path: Path
) -> None:
    env, keys = make_backlog(16)
    log = tmp_path / "tesseract.log"
    fake = {
        "PATH": f"{prefect_cluster.bin_dir}{os.pathsep}{os.environ['PATH']}",
        "SOHOA_TEST_TESSERACT_LOG": str(log),
    }
    runs = [sohoa_run(prefect_cluster, env, "--workers", "1", **fake) for _ in range(2)]
    reports = [finish(p) for p in runs]
    entries = assert_each_indexed_once(es, store, env, keys)
    assert all(e["attempts"] == 1 for e in entries.values())
    assert sum(r["states"].get("indexed", 0) for r in reports) == 16
    # each file went through Tesseract in one work folder only: processed once, by one of the two runs
    folders: dict[str, set[str]] = {}
    for line in log.read_text().splitlines():
        digest, folder = line.split(" ", 1)
        folders.setdefault(digest, set()).add(folder)
    assert len(folders) == 16 and all(len(f) == 1 for f in folders.values()), folders
    for r in reports:
        assert (
            r["processed"] + r["skipped"].get("done_elsewhere", 0) + r["skipped"].get("indexed", 0) == 16
        ), r


def test_a_file_that_kills_its_worker_every_time_is_given_up_after_max_attempts(
    prefect_cluster: Cluster, make_backlog, store: ObjectStore, es
) -> None:
    env, keys = make_backlog(5, killers=1)
    killer = keys[-1]
    report = finish(
        sohoa_run(
            prefect_cluster,
            env,
            "--distributed",
            "--chunk-size",
            "3",
            SOHOA_MAX_ATTEMPTS="2",
            SOHOA_CLAIM_LEASE="15",
        ),
        timeout=1200,
    )
    entries = ledger(es, env)
    entry = entries[killer]
    assert (entry["state"], entry["reason_code"], entry["attempts"], entry["died"]) == (
        "failed",
        "worker_died",
        2,
        2,
    )
    assert "the worker died on it 2 times" in entry["reason"]
    assert {k: e["state"] for k, e in entries.items() if k != killer} == dict.fromkeys(keys[:-1], "indexed")
    assert document_keys(es, env) == Counter(keys[:-1])
    # its chunk's runs crashed twice (the worker saw the run's process killed), the third gave it up
    assert report["chunk_runs_by_state"].get("Crashed") == 2, report["runs"]
    assert [p["key"] for p in report["problems"]] == [killer]
    assert report["problems"][0]["reason_code"] == "worker_died"
    # later runs (with the site's SOHOA_MAX_ATTEMPTS) leave it alone
    again = finish(sohoa_run(prefect_cluster, env, SOHOA_MAX_ATTEMPTS="2"))
    assert again["processed"] == 0 and again["skipped"].get("gave_up") == 1


def test_prefect_setup_is_idempotent(prefect_cluster: Cluster) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "cli", "prefect", "setup", "--zombie-after", "90"],
        cwd=ROOT,
        env=prefect_cluster.env(COLUMNS="200"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    assert "sohoa-process: already there" in out.stdout and "sohoa-control: already there" in out.stdout
    assert "(after 90 s): unchanged" in out.stdout


def test_distributed_without_a_prefect_server_says_what_to_do(
    store: ObjectStore, bucket: str, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API_URL")}
    out = subprocess.run(
        [sys.executable, "-m", "cli", "run", "--distributed", "--bucket", bucket],
        cwd=ROOT,
        env={**env, "COLUMNS": "300", "PREFECT_HOME": str(tmp_path)},  # no profile that names a server
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 2, out.stderr
    assert "PREFECT_API_URL is not set" in out.stderr and "Traceback" not in out.stderr
