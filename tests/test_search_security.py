"""The production roles as data: privileges exactly as intended, and presigned links never longer-lived
than configured. tests/test_es_roles.py proves the same roles with real requests on a secured node."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlparse

import pytest

from search.security import (
    KNOWN_CLUSTER_PRIVILEGES,
    KNOWN_INDEX_PRIVILEGES,
    api_key_request,
    index_names,
    kibana_archivist_role,
    roles,
)

RECORDS = ["sohoa-records", "sohoa-records-v*"]
LEDGER = ["sohoa-ledger", "sohoa-ledger-v*"]
AUDIT = ["sohoa-audit", "sohoa-audit-v*"]
USERS = ["sohoa-users", "sohoa-users-v*"]


def _grants(role: dict) -> dict[str, set[str]]:
    """index name -> privileges, over all index entries of a role."""
    out: dict[str, set[str]] = {}
    for entry in role["indices"]:
        for name in entry["names"]:
            out.setdefault(name, set()).update(entry["privileges"])
    return out


def test_role_set_and_json() -> None:
    r = roles()
    assert set(r) == {"sohoa_admin", "sohoa_writer", "sohoa_technician", "sohoa_archivist", "sohoa_web"}
    json.dumps(r)  # what PUT _security/role takes
    for role in r.values():
        assert set(role) <= {"cluster", "indices", "metadata", "applications", "run_as"}
        assert not role.get("run_as")
        assert set(role["cluster"]) <= KNOWN_CLUSTER_PRIVILEGES
        for entry in role["indices"]:
            assert set(entry["privileges"]) <= KNOWN_INDEX_PRIVILEGES
            assert entry["allow_restricted_indices"] is False
            assert "*" not in entry["names"] and not any(n.startswith(("*", ".")) for n in entry["names"])
            assert "field_security" not in entry and "query" not in entry


def test_writer_privileges_exactly() -> None:
    writer = roles()["sohoa_writer"]
    assert writer["cluster"] == ["monitor"]
    grants = _grants(writer)
    assert set(grants) == set(RECORDS + LEDGER + AUDIT)  # sohoa indices only
    assert all(
        grants[n] == {"index", "auto_configure", "read", "view_index_metadata"} for n in RECORDS + LEDGER
    )
    assert all(grants[n] == {"read", "view_index_metadata"} for n in AUDIT)  # corrections, read only
    forbidden = {"all", "manage", "delete", "delete_index", "create_index", "write"}
    assert not any(p & forbidden for p in grants.values())


def test_archivist_is_read_only_on_records() -> None:
    archivist = roles()["sohoa_archivist"]
    assert archivist["cluster"] == []
    assert _grants(archivist) == {name: {"read", "view_index_metadata"} for name in RECORDS}


def test_technician_reads_records_and_ledger() -> None:
    technician = roles()["sohoa_technician"]
    assert technician["cluster"] == []
    assert _grants(technician) == {name: {"read", "view_index_metadata"} for name in RECORDS + LEDGER}


def test_admin_manages_only_sohoa() -> None:
    admin = roles()["sohoa_admin"]
    assert set(admin["cluster"]) == {"manage_index_templates", "monitor"}
    assert _grants(admin) == {name: {"manage", "read", "write"} for name in RECORDS + LEDGER + AUDIT + USERS}


def test_web_writes_corrections_and_may_only_append_to_the_audit() -> None:
    web = roles()["sohoa_web"]
    assert web["cluster"] == []
    grants = _grants(web)
    assert all(grants[n] == {"read", "view_index_metadata", "index"} for n in RECORDS)  # effective values
    assert all(grants[n] == {"create_doc", "read", "view_index_metadata"} for n in AUDIT)  # append-only
    assert all(grants[n] == {"read", "view_index_metadata"} for n in USERS)  # users come from `sohoa users`
    assert not set(grants) & set(LEDGER)
    forbidden = {"all", "manage", "delete", "delete_index", "write", "create_index"}
    assert not any(p & forbidden for p in grants.values())


def test_names_follow_the_configured_aliases() -> None:
    assert index_names("x-records", "x-ledger") == (
        ["x-records", "x-records-v*"],
        ["x-ledger", "x-ledger-v*"],
    )
    assert set(_grants(roles("x-records", "x-ledger", "x-audit")["sohoa_writer"])) == {
        "x-records", "x-records-v*", "x-ledger", "x-ledger-v*", "x-audit", "x-audit-v*"
    }  # fmt: skip


def test_api_key_is_limited_to_the_writer_role_and_expires() -> None:
    req = api_key_request()
    assert req["role_descriptors"] == {"sohoa_writer": roles()["sohoa_writer"]}
    assert req["expiration"] == "90d"


def test_kibana_archivist_role_reads_discover_and_dashboards_only() -> None:
    role = kibana_archivist_role(space="luu-tru")
    assert role["kibana"] == [
        {"base": [], "feature": {"discover": ["read"], "dashboard": ["read"]}, "spaces": ["luu-tru"]}
    ]
    assert role["elasticsearch"]["indices"] == roles()["sohoa_archivist"]["indices"]


@pytest.mark.parametrize("asked", [None, 60, 10**7])
def test_presigned_links_never_outlive_the_setting(asked: int | None) -> None:
    from cli.search import presign_links
    from config.settings import load_settings
    from storage.objects import ObjectStore, S3Endpoint

    settings = load_settings(presign_expiry_seconds=900)
    store = ObjectStore(
        S3Endpoint("127.0.0.1:7070", "key", "secret")
    )  # presigning is local: no request is made
    links = presign_links(
        store, settings, "sohoa-intake", "cau-giay/a.pdf", "sohoa-processed", "a.pdf", asked
    )
    assert set(links) == {"original", "pdf"}
    for url in links.values():
        expires = int(parse_qs(urlparse(url).query)["X-Amz-Expires"][0])
        assert expires <= 900
        assert expires == min(asked or 900, 900)
