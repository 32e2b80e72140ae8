"""One whole run with the least-privilege identities, everything over TLS, and a search for secrets in
everything it leaves behind.

The offices of four units upload their scans with their own MinIO keys; `sohoa run` digitizes them with
the pipeline's MinIO key and the Elasticsearch writer's password; `sohoa status` runs as the technician
and `sohoa search` as the archivist. Then no secret (an Elasticsearch password, a MinIO secret key, the
TLS private key) may be found in: the commands' output and the servers' logs, the run report (printed
and in S3), Prefect's database (flow-run parameters, artifacts, logs), the ledger, the index, or the
derivatives in S3.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import urllib3
from pypdf import PdfReader

from storage.districts import Layout
from storage.provision import PIPELINE
from storage.upload import upload_dir
from tests.flow_fixtures import BAD, GOOD, write_batch
from tests.secure_fixtures import ALIAS, LEDGER, MinioServer, SecureES

pytestmark = [pytest.mark.servers, pytest.mark.slow]

UNITS = sorted({key.split("/")[0] for key in [*GOOD, *BAD]})  # cau-giay, dong-da, hoan-kiem, long-bien


@dataclass
class Leftovers:
    run: subprocess.CompletedProcess[str]
    report: dict
    status: subprocess.CompletedProcess[str]
    search: subprocess.CompletedProcess[str]
    prefect_home: Path
    folder: Path
    secrets: dict[str, str]  # what must never show up: name → value


def sohoa(
    args: list[str], env: dict[str, str], cwd: Path, timeout: float = 900
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def private_key_parts(tls_dir: Path) -> dict[str, str]:
    """The TLS private key as a secret: its whole base64 body, and each of its lines."""
    lines = [
        ln for ln in (tls_dir / "server.key").read_text().splitlines() if ln and not ln.startswith("-----")
    ]
    parts = {"tls key": "".join(lines)}
    parts |= {f"tls key line {i}": ln for i, ln in enumerate(lines) if len(ln) >= 32}
    return parts


@pytest.fixture(scope="module")
def leftovers(
    tmp_path_factory: pytest.TempPathFactory,
    secure_es: SecureES,
    secure_indices: tuple[str, str],
    minio_server: MinioServer,
    tls_dir: Path,
) -> Iterator[Leftovers]:
    layout, root = Layout(), minio_server.root()
    for bucket in (layout.intake_bucket, layout.processed_bucket):
        root.ensure_bucket(bucket)
    keys = minio_server.add_identities([*UNITS, PIPELINE], layout)
    folder = write_batch(tmp_path_factory.mktemp("batch"))
    for unit in UNITS:  # each office uploads its own folder, with its own key, into its own area
        office = minio_server.store(layout.district_access_key(unit), keys[unit])
        done = upload_dir(office, folder / unit, layout.intake_bucket, f"{unit}/")
        assert done.uploaded and not done.failed

    work = tmp_path_factory.mktemp("secure-run-cwd")  # no sohoa.toml here
    prefect_home = work / "prefect"
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SOHOA_", "PREFECT_API"))}
    base |= {"PREFECT_HOME": str(prefect_home), "SOHOA_SERVERS_ENV": str(work / "none.env"), "COLUMNS": "200"}
    pipeline_s3 = minio_server.env(layout.pipeline_access_key, keys[PIPELINE])
    run = sohoa(
        ["run", "--workers", "2", "--json"], {**base, **secure_es.env("sohoa_writer"), **pipeline_s3}, work
    )
    assert run.returncode == 0, run.stderr[-4000:]
    report = json.loads(run.stdout[run.stdout.index("{") :])
    status = sohoa(["status"], {**base, **secure_es.env("sohoa_technician")}, work, timeout=300)
    # the archivist's links are signed with the pipeline's key (docs/security.md)
    search_env = {**base, **secure_es.env("sohoa_archivist"), **pipeline_s3}
    search = sohoa(["search", "123/QĐ-UBND", "--json", "--limit", "20"], search_env, work, timeout=300)

    secrets = {f"es password of {role}": pw for role, pw in secure_es.passwords.items()}
    secrets |= {f"minio secret of {name}": value for name, value in keys.items()}
    secrets["minio root password"] = minio_server.root_password
    secrets |= private_key_parts(tls_dir)
    yield Leftovers(run, report, status, search, prefect_home, folder, secrets)
    minio_server.remove_identities([*UNITS, PIPELINE], layout)
    for bucket in (layout.intake_bucket, layout.processed_bucket):
        for obj in root.list(bucket):
            root.delete(bucket, obj.key)


# -- the run and the other roles' commands ------------------------------------------------------------------
def test_whole_run_with_the_writer_and_the_pipeline_key_over_tls(
    leftovers: Leftovers, secure_es: SecureES
) -> None:
    report = leftovers.report
    assert report["states"] == {"indexed": len(GOOD), "quarantined": len(BAD)}, report["problems"]
    admin = secure_es.client("sohoa_admin")
    admin.indices.refresh(index=f"{ALIAS},{LEDGER}")
    states = {
        h["_source"]["key"]: h["_source"]["state"]
        for h in admin.search(index=LEDGER, query={"term": {"run_id": report["run_id"]}}, size=100)["hits"][
            "hits"
        ]
    }
    assert states == {**dict.fromkeys(GOOD, "indexed"), **dict.fromkeys(BAD, "quarantined")}


def test_technician_sees_the_ledger(leftovers: Leftovers) -> None:
    assert leftovers.status.returncode == 0, leftovers.status.stderr[-3000:]
    for unit in UNITS:
        assert unit in leftovers.status.stdout


def test_archivist_finds_the_record_and_its_link_opens_over_tls(
    leftovers: Leftovers, minio_server: MinioServer
) -> None:
    assert leftovers.search.returncode == 0, leftovers.search.stderr[-3000:]
    hits = [json.loads(line) for line in leftovers.search.stdout.splitlines() if line.startswith("{")]
    hit = next(h for h in hits if h["key"] == "cau-giay/qd-123.png")
    assert hit["doc_number"] == GOOD["cau-giay/qd-123.png"]
    http = urllib3.PoolManager(cert_reqs="CERT_REQUIRED", ca_certs=str(minio_server.ca_file))
    original = http.request("GET", hit["links"]["original"], retries=False)
    assert original.status == 200
    assert original.data == (leftovers.folder / "cau-giay/qd-123.png").read_bytes()


# -- no secret anywhere -----------------------------------------------------------------------------------
def assert_no_secret(where: str, text: str | bytes, secrets: dict[str, str]) -> None:
    data = text.decode("utf-8", errors="replace") if isinstance(text, bytes) else text
    found = [name for name, value in secrets.items() if value in data]
    assert not found, f"{where} contains: {', '.join(found)}"  # the names, never the values


def test_no_secret_in_output_and_logs(leftovers: Leftovers, secure_run_dir: Path) -> None:
    for name, proc in (
        ("sohoa run", leftovers.run),
        ("sohoa status", leftovers.status),
        ("sohoa search", leftovers.search),
    ):
        assert_no_secret(f"{name} output", proc.stdout + proc.stderr, leftovers.secrets)
    logs = [p for p in (secure_run_dir / "es" / "logs").rglob("*") if p.is_file()]
    logs += [secure_run_dir / "minio" / "minio.log"]
    assert any(p.name == "elasticsearch.log" for p in logs)
    for path in logs:
        assert_no_secret(str(path), path.read_bytes(), leftovers.secrets)


def test_no_secret_in_the_report(leftovers: Leftovers, minio_server: MinioServer) -> None:
    report = leftovers.report
    assert_no_secret("the printed report", json.dumps(report, ensure_ascii=False), leftovers.secrets)
    stored = minio_server.root().get_bytes(Layout().processed_bucket, f"reports/{report['run_id']}.json")
    assert json.loads(stored)["run_id"] == report["run_id"]
    assert_no_secret("the report in S3", stored, leftovers.secrets)


def test_no_secret_in_prefect(leftovers: Leftovers) -> None:
    """Flow-run parameters, artifacts and logs as Prefect stored them, then every byte of its home."""
    db = sqlite3.connect(leftovers.prefect_home / "prefect.db")
    try:
        parameters = [row[0] for row in db.execute("SELECT parameters FROM flow_run")]
        artifacts = [row for row in db.execute("SELECT key, type, data, description FROM artifact")]
        logs = [row[0] for row in db.execute("SELECT message FROM log")]
    finally:
        db.close()
    assert parameters and artifacts and logs  # the run was recorded: the search below is not empty-handed
    assert any(leftovers.report["run_id"] in str(row) for row in artifacts)
    assert_no_secret("flow-run parameters", json.dumps(parameters), leftovers.secrets)
    assert_no_secret("artifacts", json.dumps(artifacts, default=str), leftovers.secrets)
    assert_no_secret("Prefect logs", "\n".join(logs), leftovers.secrets)
    for path in leftovers.prefect_home.rglob("*"):
        if path.is_file():
            assert_no_secret(str(path), path.read_bytes(), leftovers.secrets)


def test_no_secret_in_the_ledger_and_the_index(leftovers: Leftovers, secure_es: SecureES) -> None:
    admin = secure_es.client("sohoa_admin")
    for index in (LEDGER, ALIAS):
        hits = admin.search(index=index, query={"match_all": {}}, size=1000)["hits"]["hits"]
        assert hits
        assert_no_secret(index, json.dumps(hits, ensure_ascii=False), leftovers.secrets)


def test_no_secret_in_the_derivatives(leftovers: Leftovers, minio_server: MinioServer) -> None:
    root, bucket = minio_server.root(), Layout().processed_bucket
    objects = list(root.list(bucket, "records/"))
    assert len(objects) >= 3 * len(GOOD)  # a PDF, the text and the metadata JSON of each record
    for obj in objects:
        data = root.get_bytes(bucket, obj.key)
        assert_no_secret(obj.key, data, leftovers.secrets)
        if obj.key.endswith(".pdf"):  # its streams are compressed: read what they hold
            pdf = PdfReader(io.BytesIO(data))
            text = "".join(page.extract_text() or "" for page in pdf.pages) + json.dumps(
                {k: str(v) for k, v in (pdf.metadata or {}).items()}
            )
            assert_no_secret(f"{obj.key} (text)", text, leftovers.secrets)
