"""Least-privilege Elasticsearch roles and API keys for production, generated from code.

Four identities, each with exactly what its code calls (see docs/search.md, "Security"):

- `sohoa_admin`: setup and migrations (`ensure_indices`, `migrate`): manages the sohoa templates and
  the sohoa indices and aliases, nothing else in the cluster.
- `sohoa_writer`: the flows (index records, read and write the ledger). Writes only to the sohoa
  indices; cannot create, delete or remap them, cannot touch templates. Used through an API key.
- `sohoa_technician`: reads records and the ledger (runs, failures) — for `sohoa status/failures`.
- `sohoa_archivist`: reads the records only (Kibana Discover and dashboards, `sohoa search`).
- `sohoa_web`: the web application (`sohoa serve`): reads records and users, writes a record's
  corrected values, and may only create (never change or delete) entries of the audit index.

`python -m search.security` prints them for `PUT _security/role/<name>` and `POST _security/api_key`;
`file_roles()` writes the same descriptors as a `roles.yml` for the file realm. The tests load that file
into an Elasticsearch with security and TLS on and prove each role with real requests
(tests/test_es_roles.py, docs/security.md).
"""

from __future__ import annotations

import json
import sys
from typing import Any

__all__ = [
    "KNOWN_CLUSTER_PRIVILEGES",
    "KNOWN_INDEX_PRIVILEGES",
    "api_key_request",
    "file_roles",
    "index_names",
    "kibana_archivist_role",
    "roles",
]

# Privilege names from the Elasticsearch 9 security reference; a typo would make PUT role fail in
# production, so the tests check every name against these lists.
KNOWN_CLUSTER_PRIVILEGES = {
    "all", "monitor", "manage", "manage_index_templates", "manage_ilm", "manage_api_key",
    "manage_own_api_key", "manage_security", "manage_pipeline", "read_ilm", "manage_ingest_pipelines", "none",
}  # fmt: skip
KNOWN_INDEX_PRIVILEGES = {
    "all", "create", "create_doc", "create_index", "delete", "delete_index", "index", "maintenance", "manage",
    "monitor", "read", "view_index_metadata", "write", "none", "auto_configure", "manage_ilm",
}  # fmt: skip


def index_names(alias: str, ledger: str) -> tuple[list[str], list[str]]:
    """The records and ledger names: the aliases and their versioned indices, and nothing more
    (`sohoa-records-v*`, not `sohoa-*`, so a role never reaches someone else's index)."""
    return [alias, f"{alias}-v*"], [ledger, f"{ledger}-v*"]


def roles(
    alias: str = "sohoa-records",
    ledger: str = "sohoa-ledger",
    audit: str = "sohoa-audit",
    users: str = "sohoa-users",
) -> dict[str, dict[str, Any]]:
    records, ledger_names = index_names(alias, ledger)
    audit_names, users_names = index_names(audit, users)
    meta = {"managed_by": "sohoa", "records_alias": alias, "ledger_alias": ledger}

    def grant(names: list[str], *privileges: str) -> dict[str, Any]:
        return {"names": names, "privileges": list(privileges), "allow_restricted_indices": False}

    return {
        "sohoa_admin": {
            # put_index_template and reading the node version (`sohoa doctor`)
            "cluster": ["manage_index_templates", "monitor"],
            "indices": [
                {
                    "names": records + ledger_names + audit_names + users_names,
                    # create/delete versions, mappings, aliases, refresh; read+write to copy in migrate;
                    # `sohoa users` writes the users index
                    "privileges": ["manage", "read", "write"],
                    "allow_restricted_indices": False,
                }
            ],
            "metadata": {**meta, "purpose": "setup, migrations, `sohoa users`"},
        },
        "sohoa_writer": {
            "cluster": ["monitor"],  # readiness: _cluster/health, _nodes/_local
            "indices": [
                {
                    "names": records + ledger_names,
                    # index (create or replace by id) and read (mget of the ledger, get_alias
                    # through view_index_metadata); auto_configure: the dynamic fields the mapping
                    # declares by template (ocr.timings.*, metadata_confidence.*), which `index` alone
                    # stops allowing in Elasticsearch 10; no delete, no create_index, no manage
                    "privileges": ["index", "auto_configure", "read", "view_index_metadata"],
                    "allow_restricted_indices": False,
                },
                # the editors' corrections, applied again to every reprocessed record
                grant(audit_names, "read", "view_index_metadata"),
            ],
            "metadata": {**meta, "purpose": "flows: index records, write the ledger"},
        },
        "sohoa_web": {
            # `sohoa serve`: one identity for the application; who is viewer or editor is its own
            # business (its users index). Editors' corrections are written through it: the record's
            # effective value (index), and the audit, append-only (create_doc: never update or delete)
            "cluster": [],
            "indices": [
                grant(records, "read", "view_index_metadata", "index"),
                grant(audit_names, "create_doc", "read", "view_index_metadata"),
                grant(users_names, "read", "view_index_metadata"),
            ],
            "metadata": {**meta, "purpose": "web application: record pages, corrections, review"},
        },
        "sohoa_technician": {
            "cluster": [],
            "indices": [
                {
                    "names": records + ledger_names,
                    "privileges": ["read", "view_index_metadata"],
                    "allow_restricted_indices": False,
                }
            ],
            "metadata": {**meta, "purpose": "runs and failures, read only"},
        },
        "sohoa_archivist": {
            "cluster": [],
            "indices": [
                {
                    "names": records,
                    "privileges": ["read", "view_index_metadata"],  # search + field caps for Kibana
                    "allow_restricted_indices": False,
                }
            ],
            "metadata": {**meta, "purpose": "archivists: search records, read only"},
        },
    }


def api_key_request(
    alias: str = "sohoa-records",
    ledger: str = "sohoa-ledger",
    *,
    name: str = "sohoa-writer",
    expiration: str = "90d",
) -> dict[str, Any]:
    """Body of `POST /_security/api_key` for the flows: the key can do at most what sohoa_writer can,
    whatever the privileges of the user who creates it, and it expires."""
    return {
        "name": name,
        "expiration": expiration,
        "role_descriptors": {"sohoa_writer": roles(alias, ledger)["sohoa_writer"]},
        "metadata": {"managed_by": "sohoa", "purpose": "flows writer"},
    }


def file_roles(alias: str = "sohoa-records", ledger: str = "sohoa-ledger") -> str:
    """The roles as `config/roles.yml` of the file realm: one line per role, its descriptor as a YAML
    flow mapping (JSON). Elasticsearch reads that file one top-level key at a time, so each role must
    start at the first column; pretty-printed JSON would not load."""
    return "".join(f"{name}: {json.dumps(body)}\n" for name, body in roles(alias, ledger).items())


def kibana_archivist_role(alias: str = "sohoa-records", space: str = "default") -> dict[str, Any]:
    """Body of Kibana's `PUT /api/security/role/sohoa_archivist`: read-only Discover and Dashboard in
    one space, on top of the Elasticsearch index privileges above."""
    es_role = roles(alias)["sohoa_archivist"]
    return {
        "elasticsearch": {"cluster": es_role["cluster"], "indices": es_role["indices"]},
        "kibana": [{"base": [], "feature": {"discover": ["read"], "dashboard": ["read"]}, "spaces": [space]}],
    }


def main(argv: list[str] | None = None) -> None:
    """Print every role and the API key request as one JSON document."""
    args = argv if argv is not None else sys.argv[1:]
    alias, ledger = [*args, "sohoa-records", "sohoa-ledger"][:2]
    doc = {
        "roles": roles(alias, ledger),
        "writer_api_key": api_key_request(alias, ledger),
        "kibana_archivist_role": kibana_archivist_role(alias),
    }
    print(json.dumps(doc, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
