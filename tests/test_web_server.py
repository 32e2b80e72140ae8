"""The web application against the real Elasticsearch and S3, through its HTTP interface (Starlette's
test client): corrections end to end (audit entry, effective value, search, a reprocess through the
sink), and every refusal: no login, a viewer correcting, a form without CSRF, a district identity, a
record of another index, too many failed logins."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from elasticsearch import Elasticsearch
from starlette.testclient import TestClient

from config.settings import Settings
from pipeline.run.context import RunConfig, RunContext
from pipeline.run.job import Outcome
from pipeline.run.sink import flush
from search.corrections import history
from search.export import effective_fields
from search.indexer import index_records
from search.query import search_records
from search.users import hash_password, new_user, put_user
from storage.objects import ObjectStore
from tests.search_fixtures import drop_prefix, make_doc, make_record, relevance_records
from tests.web_fixtures import (
    PASSWORD,
    WebNames,
    add_user,
    csrf_of,
    log_in,
    make_web_indices,
    web_names,
    web_settings,
)
from web.app import create_app

pytestmark = pytest.mark.servers


@pytest.fixture(name="names", scope="module")
def names_fixture(es: Elasticsearch) -> Iterator[WebNames]:
    names = web_names()
    make_web_indices(es, names)
    docs = [make_doc(r) for r in relevance_records()[:4]]
    assert all(r.ok for r in index_records(es, docs, index=names.alias, refresh="wait_for"))
    add_user(es, names, "viewer.a", "viewer")
    add_user(es, names, "editor.a", "editor")
    yield names
    drop_prefix(es, names.prefix)


@pytest.fixture(name="app_settings", scope="module")
def app_settings_fixture(
    settings: Settings, names: WebNames, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    # plain HTTP in these tests: the cookie may not be Secure (the browser test keeps it Secure)
    return web_settings(
        settings, names, web_cookie_secure=False, web_cache_dir=tmp_path_factory.mktemp("web-cache")
    )


@pytest.fixture(name="client")
def client_fixture(app_settings: Settings, es: Elasticsearch, store: ObjectStore) -> Iterator[TestClient]:
    with TestClient(create_app(app_settings, es, store), follow_redirects=False) as client:
        yield client


def record_id_of(es: Elasticsearch, names: WebNames, number: str) -> str:
    hits = search_records(es, number, index=names.alias, limit=1)
    assert hits and hits[0].doc_number == number
    return hits[0].record_id


def test_without_login_every_page_redirects_to_the_login_page(client: TestClient, es, names) -> None:
    rid = record_id_of(es, names, "123/QĐ-UBND")
    for path in ("/", f"/records/{rid}", f"/records/{rid}/scan", "/review", f"/records/{rid}/pages/1.jpg"):
        resp = client.get(path)
        assert resp.status_code == 303, path
        assert resp.headers["location"].startswith("/login?next=/"), path
    assert client.get("/login").status_code == 200


def test_session_cookie_is_http_only_and_secure_when_configured(app_settings, es, store, names) -> None:
    secure = app_settings.model_copy(update={"web_cookie_secure": True})
    with TestClient(
        create_app(secure, es, store), base_url="https://testserver", follow_redirects=False
    ) as client:
        resp = log_in(client, "viewer.a")
        cookie = resp.headers["set-cookie"]
        assert (
            "httponly" in cookie.lower() and "secure" in cookie.lower() and "samesite=lax" in cookie.lower()
        )


def test_viewer_reads_but_cannot_correct(client: TestClient, es, names) -> None:
    assert log_in(client, "viewer.a").status_code == 303
    rid = record_id_of(es, names, "123/QĐ-UBND")
    page = client.get(f"/records/{rid}")
    assert page.status_code == 200 and "123/QĐ-UBND" in page.text
    assert "/corrections" not in page.text  # no correction form for a viewer
    resp = client.post(
        f"/records/{rid}/corrections",
        data={"field": "doc_number", "value": "999/QĐ-UBND", "csrf_token": csrf_of(page.text)},
    )
    assert resp.status_code == 403
    assert search_records(es, "999/QĐ-UBND", index=names.alias, limit=1)[0].doc_number != "999/QĐ-UBND"


def test_a_form_without_its_csrf_token_is_refused(client: TestClient, es, names) -> None:
    log_in(client, "editor.a")
    rid = record_id_of(es, names, "123/QĐ-UBND")
    for data in (
        {"field": "subject", "value": "X"},
        {"field": "subject", "value": "X", "csrf_token": "forged"},
    ):
        assert client.post(f"/records/{rid}/corrections", data=data).status_code == 403
    assert client.post(f"/records/{rid}/checked", data={}).status_code == 403
    # the login form too: a token from another session does not work
    assert client.post("/login", data={"username": "editor.a", "password": PASSWORD}).status_code == 403


def test_district_identities_cannot_log_in(client: TestClient, es, names, settings, store) -> None:
    from storage.districts import Layout
    from storage.provision import provision, revoke
    from tests.test_districts_s3 import admin_for, secrets_of, wipe

    h = uuid.uuid4().hex[:6]
    layout = Layout(f"test-intake-{h}", f"test-processed-{h}", key_prefix=f"t{h}-")
    admin = admin_for(settings)
    identity = secrets_of(provision(admin, store, layout, ["cau-giay"], pipeline=False))["cau-giay"]
    try:
        # a real upload identity, with its real secret: not a user of the web application
        resp = log_in(client, layout.district_access_key("cau-giay"), identity)
        assert resp.status_code == 401 and "sohoa_session" not in resp.headers.get("set-cookie", "x")
        # even a users-index entry carrying a district identity's name is refused (written around the CLI)
        put_user(
            es, new_user("sohoa-cau-giay", "editor", hash_password(PASSWORD)), index=names.users, create=True
        )
        assert log_in(client, "sohoa-cau-giay").status_code == 401
    finally:
        revoke(admin, store, layout, ["cau-giay"])
        for bucket in (layout.intake_bucket, layout.processed_bucket):
            wipe(store, bucket)


def test_a_record_of_another_index_is_not_found(client: TestClient, es, names) -> None:
    other = web_names()
    make_web_indices(es, other)
    try:
        doc = make_doc(make_record("khac", ["Số: 77/QĐ-UBND trang khác"], bucket="other-bucket"))
        assert all(r.ok for r in index_records(es, [doc], index=other.alias, refresh="wait_for"))
        log_in(client, "viewer.a")
        for path in (f"/records/{doc['record_id']}", f"/records/{doc['record_id']}/scan"):
            assert client.get(path).status_code == 404, path
        assert client.get("/records/not-an-id").status_code == 404
        assert client.get("/open/other-bucket/cau-giay/khac.pdf").status_code == 404
    finally:
        drop_prefix(es, other.prefix)


def test_too_many_failed_logins_are_refused_for_a_while(app_settings, es, store) -> None:
    limited = app_settings.model_copy(update={"web_login_attempts": 3})
    with TestClient(create_app(limited, es, store), follow_redirects=False) as client:
        for _ in range(3):
            assert log_in(client, "editor.a", "wrong-password!").status_code == 401
        # now even the right password is refused: the limit is checked before the password
        assert log_in(client, "editor.a").status_code == 429


def correct(client: TestClient, rid: str, field: str, value: str, reason: str = "") -> Any:
    token = csrf_of(client.get(f"/records/{rid}").text)
    return client.post(
        f"/records/{rid}/corrections",
        data={"field": field, "value": value, "reason": reason, "csrf_token": token},
    )


def test_an_editor_corrects_and_the_correction_outlives_reprocessing(
    client: TestClient, es, names, app_settings
) -> None:
    log_in(client, "editor.a")
    rid = record_id_of(es, names, "123/QĐ-UBND")
    resp = correct(client, rid, "doc_number", "124/QĐ-UBND", "số in mờ, đối chiếu sổ văn bản")
    assert resp.status_code == 303 and "saved=doc_number" in resp.headers["location"]

    # search finds the new number at once, in every spelling
    for q in ("124/QĐ-UBND", "124/qd-ubnd"):
        hit = search_records(es, q, index=names.alias, limit=1)[0]
        assert hit.record_id == rid and hit.number_matched
    # the audit index has the entry, with the previous value and who
    (entry,) = [h for h in history(es, rid, index=names.audit) if h.field == "doc_number"]
    assert (entry.by, entry.previous, entry.value, entry.reason) == (
        "editor.a",
        "123/QĐ-UBND",
        "124/QĐ-UBND",
        "số in mờ, đối chiếu sổ văn bản",
    )
    page = client.get(f"/records/{rid}").text
    assert "editor.a" in page and "máy đọc: 123/QĐ-UBND" in page

    # a reprocess of the same object goes through the sink: the correction is applied again, and the
    # new machine reading is kept beside it
    record = next(r for r in relevance_records() if r.metadata.get("doc_number") == "123/QĐ-UBND")
    record.metadata["doc_number"] = "123/QD-UBND"  # the machine reads it differently this time
    ctx = RunContext(
        RunConfig(index_alias=names.alias, ledger_index=names.ledger, audit_index=names.audit),
        store=None,  # type: ignore[arg-type]  # flush never touches the object store
        es=es,
        run_id="reprocess",
    )
    doc = make_doc(record, run_id="reprocess")
    (out,) = flush([Outcome(record.source, "indexed", document=doc)], ctx)
    assert out.state == "indexed", out.reason
    es.indices.refresh(index=names.alias)
    again = es.get(index=names.alias, id=rid)["_source"]
    assert again["run_id"] == "reprocess" and again["doc_number"] == "124/QĐ-UBND"
    assert again["corrections"]["doc_number"]["machine_value"] == "123/QD-UBND"
    # the national exports take the effective values
    fields = effective_fields(es, rid, index=names.alias, audit_index=names.audit)
    assert (fields["doc_number"], fields["doc_number_seq"], fields["doc_symbol"]) == (
        "124/QĐ-UBND",
        "124",
        "QĐ-UBND",
    )


def test_a_bad_value_is_explained_and_nothing_is_written(client: TestClient, es, names) -> None:
    log_in(client, "editor.a")
    rid = search_records(es, "", index=names.alias, limit=4)[-1].record_id
    before = len(history(es, rid, index=names.audit))
    resp = correct(client, rid, "issue_date", "ngày mai")
    assert resp.status_code == 303 and "error=value" in resp.headers["location"]
    assert "not a full date" in client.get(resp.headers["location"]).text
    assert len(history(es, rid, index=names.audit)) == before


def test_search_page_finds_without_diacritics_and_links_to_the_record(client: TestClient, es, names) -> None:
    log_in(client, "viewer.a")
    resp = client.get("/", params={"q": "thu hoi dat"})
    assert resp.status_code == 200
    links = re.findall(r'href="/records/([0-9a-f]{40})\?q=thu%20hoi%20dat', resp.text)
    assert links and links[0] == search_records(es, "thu hồi đất", index=names.alias, limit=1)[0].record_id
    assert "<mark>" in resp.text
    record = client.get(f"/records/{links[0]}", params={"q": "thu hoi dat"}).text
    assert re.search(r"<mark>thu hồi đất</mark>", record, re.I)  # lit in the original text, with diacritics
    assert client.get("/", params={"from": "hôm qua"}).status_code == 200  # a bad date is a message


def test_review_queue_filters_and_check_marks(client: TestClient, es, names) -> None:
    log_in(client, "editor.a")
    page = client.get("/review", params={"checked": "1"})
    assert page.status_code == 200
    ids = re.findall(r'data-record="([0-9a-f]{40})"', page.text)
    assert ids
    token = csrf_of(client.get(f"/records/{ids[0]}").text)
    assert client.post(f"/records/{ids[0]}/checked", data={"csrf_token": token}).status_code == 303
    after = client.get("/review").text
    assert ids[0] not in re.findall(r'data-record="([0-9a-f]{40})"', after)  # checked: out of the queue
    assert "editor.a" in client.get("/review", params={"checked": "1"}).text
    assert "editor.a" in client.get(f"/records/{ids[0]}").text
    assert client.get("/review", params={"unit": "Không Có Đơn Vị Này"}).text.count("data-record=") == 0
