"""The Elasticsearch roles of `search/security.py`, proven with real requests against an Elasticsearch
with security and TLS on (tests/secure_fixtures.py): what each role may do succeeds, and everything else
gets 403. The roles are loaded as file roles from `file_roles()`, the same descriptors that production
gives to `PUT _security/role` and to the writer's API key, so what is proven is the privileges.

What each role was allowed and refused here is the table in docs/security.md.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import urllib3
from elasticsearch import (
    AuthenticationException,
    AuthorizationException,
    BadRequestError,
    Elasticsearch,
    ElasticsearchWarning,
)

from search.indexer import index_records
from search.ledger import INDEXED, LedgerEntry, failures, get_states, summary, write_entries
from search.query import search_records
from search.templates import current_index, ensure_indices
from tests.search_fixtures import make_doc, relevance_records
from tests.secure_fixtures import ALIAS, LEDGER, ROLE_USERS, MinioServer, SecureES, secure_sh

pytestmark = pytest.mark.servers

OTHER = "other-index"  # an index outside sohoa's names
ROOT = Path(__file__).resolve().parents[1]


def forbidden(call: Callable[..., object], *args: object, **kwargs: object) -> None:
    """The request reaches Elasticsearch, which refuses it with 403."""
    with pytest.raises(AuthorizationException) as exc:
        call(*args, **kwargs)
    assert exc.value.meta.status == 403


def bulk_statuses(es: Elasticsearch, operations: list[dict]) -> list[int]:
    """The status of each item of a bulk request (the request itself answers 200)."""
    return [next(iter(item.values()))["status"] for item in es.bulk(operations=operations)["items"]]


@pytest.fixture(scope="module")
def records(secure_es: SecureES, secure_indices: tuple[str, str]) -> list[dict]:
    """Three records and their ledger entries, written by the writer role."""
    writer = secure_es.client("sohoa_writer")
    docs = [make_doc(r) for r in relevance_records()[:3]]
    results = list(index_records(writer, docs, index=ALIAS, refresh="wait_for"))
    assert all(r.ok for r in results), results
    entries = [
        LedgerEntry(d["record_id"], d["bucket"], d["key"], d["etag"], INDEXED, district=d["district"])
        for d in docs
    ]
    report = write_entries(writer, entries, index=LEDGER, refresh="wait_for")
    assert not report.failed, report.failed
    return docs


# -- authentication and TLS ------------------------------------------------------------------------------
def test_https_only_and_no_credentials_get_401(secure_es: SecureES, secure_indices: tuple[str, str]) -> None:
    http = urllib3.PoolManager(cert_reqs="CERT_REQUIRED", ca_certs=str(secure_es.ca_file))
    resp = http.request("GET", f"{secure_es.url}/{ALIAS}/_search", retries=False)
    assert resp.status == 401
    assert resp.headers["WWW-Authenticate"].startswith("Basic")
    with pytest.raises(AuthenticationException):
        secure_es.client(None).search(index=ALIAS)
    wrong = Elasticsearch(
        secure_es.url,
        basic_auth=(ROLE_USERS["sohoa_writer"], "not-the-password"),
        ca_certs=str(secure_es.ca_file),
    )
    with pytest.raises(AuthenticationException):
        wrong.search(index=ALIAS)
    # plain HTTP on the TLS port is not served
    with pytest.raises(urllib3.exceptions.HTTPError):
        urllib3.request("GET", secure_es.url.replace("https://", "http://"), retries=False, timeout=5)


def test_doctor_names_a_wrong_ca(secure_es: SecureES, minio_server: MinioServer, tmp_path: Path) -> None:
    """Elasticsearch and MinIO over TLS, checked with a CA that did not sign their certificate: each
    row says the certificate is not trusted and which setting to fix; with the right CA both are ok."""
    secure_sh("tls", str(tmp_path / "other-ca"))
    wrong_ca = tmp_path / "other-ca" / "ca.crt"
    env = {
        **_base_env(),
        **secure_es.env("sohoa_writer"),
        **minio_server.env(minio_server.root_user, minio_server.root_password),
        "COLUMNS": "400",  # one table row per line
    }

    def doctor(ca: Path) -> tuple[subprocess.CompletedProcess[str], str, str]:
        out = subprocess.run(
            [sys.executable, "-m", "cli", "doctor"],
            env={**env, "SOHOA_ES_CA_FILE": str(ca), "SOHOA_S3_CA_FILE": str(ca)},
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        rows = out.stdout.splitlines()
        es_row = next(line for line in rows if "Elasticsearch" in line)
        s3_row = next(line for line in rows if "S3 https://" in line)
        return out, es_row, s3_row

    bad, es_row, s3_row = doctor(wrong_ca)
    assert bad.returncode == 1
    assert "FAIL" in es_row and "its TLS certificate is not trusted" in es_row
    assert "unable to get local issuer certificate" in es_row
    assert "set SOHOA_ES_CA_FILE to the CA that signed the cluster's certificate" in es_row
    assert "FAIL" in s3_row and "TLS certificate of the object store" in s3_row and "is not trusted" in s3_row
    assert "(unable to get local issuer certificate)" in s3_row
    assert "set SOHOA_S3_CA_FILE to the CA that signed the object store's certificate" in s3_row
    assert "Traceback" not in bad.stdout + bad.stderr

    _, es_row, s3_row = doctor(secure_es.ca_file)
    assert "ok" in es_row and "version 9." in es_row
    assert "ok" in s3_row and "visible to sohoa-minio-root" in s3_row


# -- the pipeline writer -----------------------------------------------------------------------------------
@pytest.mark.filterwarnings("error::elasticsearch.ElasticsearchWarning")  # auto_configure: no deprecation
def test_writer_indexes_records_and_ledger_through_the_aliases(
    secure_es: SecureES, secure_indices: tuple[str, str], records: list[dict]
) -> None:
    writer = secure_es.client("sohoa_writer")
    # what a worker does on start: the template is not its to change; the alias leads to the indices
    assert ensure_indices(writer, ALIAS, LEDGER) == secure_indices
    assert current_index(writer, ALIAS) == secure_indices[0]
    assert writer.cluster.health()["status"] in {"green", "yellow"}  # readiness (cluster: monitor)
    # re-index one record (replace by id) and move its ledger entry on (optimistic concurrency)
    again = list(index_records(writer, [make_doc(relevance_records()[0])], index=ALIAS))
    assert [r.result for r in again] == ["updated"]
    first = records[0]
    entry = LedgerEntry(
        first["record_id"], first["bucket"], first["key"], first["etag"], INDEXED, run_id="run-2"
    )
    assert not write_entries(writer, [entry], index=LEDGER, refresh="wait_for").failed
    states = get_states(writer, [first["record_id"]], index=LEDGER)
    assert states[first["record_id"]].run_id == "run-2"
    writer.update(index=ALIAS, id=first["record_id"], doc={"signer_title": "CHỦ TỊCH"})


def test_writer_is_refused_everything_else(secure_es: SecureES, records: list[dict]) -> None:
    writer, rid = secure_es.client("sohoa_writer"), records[0]["record_id"]
    forbidden(writer.index, index=OTHER, document={"x": 1})
    forbidden(writer.search, index=OTHER)
    forbidden(writer.delete, index=ALIAS, id=rid)
    assert bulk_statuses(writer, [{"delete": {"_index": ALIAS, "_id": rid}}]) == [403]
    forbidden(writer.indices.delete, index=f"{ALIAS}-v1")
    forbidden(writer.indices.create, index=f"{ALIAS}-v2")
    forbidden(writer.indices.put_alias, index=f"{LEDGER}-v1", name=ALIAS)
    forbidden(writer.indices.put_index_template, name=ALIAS, index_patterns=[f"{ALIAS}-v*"])
    forbidden(writer.cluster.put_settings, persistent={"cluster.routing.allocation.enable": "all"})
    assert writer.cluster.get_settings() is not None  # reading them is part of `monitor`


def test_writer_may_still_add_fields_to_its_mappings_in_elasticsearch_9(
    secure_es: SecureES, secure_indices: tuple[str, str]
) -> None:
    """A finding of these tests: Elasticsearch 9 lets the `index` privilege update mappings by an explicit
    `PUT _mapping`, with a deprecation warning ("will not permit mapping updates in the next major
    release"); it cannot change an existing field. The writer does not rely on it: the dynamic fields
    its documents add (`ocr.timings.*`) come through `auto_configure` (docs/security.md)."""
    writer = secure_es.client("sohoa_writer")
    with pytest.warns(ElasticsearchWarning, match="will not permit mapping updates in the next major"):
        writer.indices.put_mapping(
            index=ALIAS, properties={"ocr": {"properties": {"x_added": {"type": "long"}}}}
        )
    with pytest.raises(BadRequestError):  # a conflicting change is still refused, by the mapping
        writer.indices.put_mapping(index=ALIAS, properties={"doc_type_code": {"type": "long"}})


# -- the archivist ---------------------------------------------------------------------------------------
def test_archivist_searches_the_records(secure_es: SecureES, records: list[dict]) -> None:
    archivist = secure_es.client("sohoa_archivist")
    hits = search_records(archivist, "thu hoi dat", index=ALIAS)
    assert hits and hits[0].key == records[0]["key"]
    assert archivist.get(index=ALIAS, id=records[0]["record_id"])["found"]
    assert "doc_number" in archivist.field_caps(index=ALIAS, fields="*")["fields"]  # Kibana's data view


def test_archivist_is_refused_the_ledger_writes_deletes_and_other_indices(
    secure_es: SecureES, records: list[dict]
) -> None:
    archivist, rid = secure_es.client("sohoa_archivist"), records[0]["record_id"]
    forbidden(archivist.search, index=LEDGER)
    forbidden(archivist.index, index=LEDGER, id=rid, document={"state": "indexed"})
    forbidden(archivist.index, index=ALIAS, id=rid, document={"key": "x"})
    forbidden(archivist.update, index=ALIAS, id=rid, doc={"signer_title": "x"})
    forbidden(archivist.delete, index=ALIAS, id=rid)
    forbidden(archivist.bulk, operations=[{"delete": {"_index": ALIAS, "_id": rid}}])  # no write at all
    forbidden(archivist.indices.delete, index=f"{ALIAS}-v1")
    forbidden(archivist.search, index=OTHER)
    forbidden(archivist.cluster.health)
    report = write_entries(
        archivist, [LedgerEntry("x", "sohoa-intake", "x/y.pdf", "e", INDEXED)], index=LEDGER
    )
    assert report.failed and not report.written


# -- the technician -----------------------------------------------------------------------------------------
def test_technician_reads_the_ledger_and_the_records(secure_es: SecureES, records: list[dict]) -> None:
    technician = secure_es.client("sohoa_technician")
    counts = summary(technician, index=LEDGER)  # `sohoa status`: its refresh is refused and skipped
    assert counts["states"].get(INDEXED, 0) >= len(records)
    assert failures(technician, index=LEDGER) == []  # `sohoa failures`
    assert search_records(technician, "thu hoi dat", index=ALIAS)


def test_technician_writes_nothing(secure_es: SecureES, records: list[dict]) -> None:
    technician, rid = secure_es.client("sohoa_technician"), records[0]["record_id"]
    forbidden(technician.index, index=ALIAS, id=rid, document={"key": "x"})
    forbidden(technician.index, index=LEDGER, id=rid, document={"state": "failed"})
    forbidden(technician.update, index=LEDGER, id=rid, doc={"state": "failed"})
    forbidden(technician.delete, index=LEDGER, id=rid)
    forbidden(technician.indices.refresh, index=LEDGER)
    forbidden(technician.search, index=OTHER)
    report = write_entries(
        technician,
        [LedgerEntry(records[0]["record_id"], records[0]["bucket"], records[0]["key"], "e2", INDEXED)],
        index=LEDGER,
    )
    assert report.failed and not report.written
    results = list(index_records(technician, [make_doc(relevance_records()[0])], index=ALIAS))
    assert [r.ok for r in results] == [False] and results[0].status == 403


# -- the admin (setup and migrations) ---------------------------------------------------------------------
def test_admin_manages_the_sohoa_indices_only(secure_es: SecureES, secure_indices: tuple[str, str]) -> None:
    admin = secure_es.client("sohoa_admin")
    assert ensure_indices(admin, ALIAS, LEDGER) == secure_indices  # templates and mappings re-applied
    admin.indices.refresh(index=LEDGER)
    forbidden(admin.indices.create, index=OTHER)
    forbidden(admin.search, index=OTHER)
    forbidden(admin.cluster.put_settings, persistent={"cluster.routing.allocation.enable": "all"})
    forbidden(admin.search, index=".security")


def _base_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("SOHOA_")}
