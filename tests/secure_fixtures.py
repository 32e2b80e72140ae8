"""Servers with security on, for the tests that prove the roles and policies (docs/security.md):

- Elasticsearch with `xpack.security.enabled=true` and TLS on HTTP, the roles of `search/security.py`
  loaded as file roles, one file-realm user per role;
- MinIO over TLS, whose users get the committed policies of `infra/policies/minio/`.

Both are started once per session by `infra/secure-servers.sh` in a private run dir, with a CA made for
the session (elasticsearch-certutil), and stopped by pid at its end. The fixtures are thin: the start,
stop and certificate logic lives in the script.
"""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import urllib3
from elasticsearch import Elasticsearch
from minio.credentials import StaticProvider
from minio.minioadmin import MinioAdmin

from search.client import make_client
from search.security import file_roles, roles
from search.templates import ensure_indices
from storage.districts import Layout, minio_policy_file, unit
from storage.objects import ObjectStore, S3Endpoint
from storage.provision import PIPELINE, generate_secret

ROOT = Path(__file__).resolve().parents[1]
SECURE_SH = ROOT / "infra" / "secure-servers.sh"
MINIO_POLICIES = ROOT / "infra" / "policies"

# one file-realm user per role of search/security.py
ROLE_USERS = {role: role.replace("_", "-") for role in roles()}
ALIAS, LEDGER = "sohoa-records", "sohoa-ledger"  # the names the roles are generated for


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def secure_sh(*args: str, env: dict[str, str] | None = None, timeout: float = 600) -> None:
    out = subprocess.run(
        [str(SECURE_SH), *args],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if out.returncode != 0:
        raise RuntimeError(f"infra/secure-servers.sh {' '.join(args)} failed: {out.stderr[-3000:]}")


def read_env(run_dir: Path) -> dict[str, str]:
    lines = (run_dir / "servers.env").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line)


@dataclass
class SecureES:
    url: str
    ca_file: Path
    passwords: dict[str, str] = field(repr=False)  # role → password of its file-realm user

    def client(self, role: str | None, *, ca_file: Path | None = None) -> Elasticsearch:
        """A client that authenticates as the user of `role` (None: no credentials)."""
        user = ROLE_USERS[role] if role else None
        password = self.passwords[role] if role else None
        return make_client(self.url, username=user, password=password, ca_file=ca_file or self.ca_file)

    def env(self, role: str) -> dict[str, str]:
        """The settings that point `sohoa` at this server as the user of `role`."""
        return {
            "SOHOA_ES_URL": self.url,
            "SOHOA_ES_CA_FILE": str(self.ca_file),
            "SOHOA_ES_USERNAME": ROLE_USERS[role],
            "SOHOA_ES_PASSWORD": self.passwords[role],
        }


@dataclass
class MinioServer:
    endpoint: str
    ca_file: Path
    root_user: str
    root_password: str = field(repr=False)

    def store(self, access_key: str, secret: str) -> ObjectStore:
        return ObjectStore(S3Endpoint(self.endpoint, access_key, secret, secure=True, ca_file=self.ca_file))

    def root(self) -> ObjectStore:
        return self.store(self.root_user, self.root_password)

    def admin(self) -> MinioAdmin:
        http = urllib3.PoolManager(cert_reqs="CERT_REQUIRED", ca_certs=str(self.ca_file))
        return MinioAdmin(
            endpoint=self.endpoint,
            credentials=StaticProvider(self.root_user, self.root_password),
            secure=True,
            http_client=http,
        )

    def env(self, access_key: str, secret: str) -> dict[str, str]:
        return {
            "SOHOA_S3_ENDPOINT": self.endpoint,
            "SOHOA_S3_SECURE": "true",
            "SOHOA_S3_CA_FILE": str(self.ca_file),
            "SOHOA_S3_ACCESS_KEY": access_key,
            "SOHOA_S3_SECRET_KEY": secret,
        }

    def add_identities(self, names: list[str], layout: Layout = Layout()) -> dict[str, str]:
        """MinIO users for units (and `pipeline`), each with the committed policy file of its unit attached,
        as docs/security.md tells an administrator to do with `mc`. Returns name → secret."""
        admin, secrets = self.admin(), {}
        for name in names:
            policy, access_key, path = _minio_identity(name, layout)
            secrets[name] = generate_secret()
            admin.policy_add(policy, policy_file=MINIO_POLICIES / path)
            admin.user_add(access_key, secrets[name])
            admin.attach_policy([policy], user=access_key)
        return secrets

    def remove_identities(self, names: list[str], layout: Layout = Layout()) -> None:
        admin = self.admin()
        for name in names:
            policy, access_key, _ = _minio_identity(name, layout)
            admin.user_remove(access_key)
            admin.policy_remove(policy)


def _minio_identity(name: str, layout: Layout) -> tuple[str, str, str]:
    """(policy name, access key, policy file under infra/policies/) of a unit or the pipeline."""
    if name == PIPELINE:
        return "sohoa-pipeline", layout.pipeline_access_key, "minio/pipeline.json"
    u = unit(name)
    return f"sohoa-{u.level}-{u.slug}", layout.district_access_key(u.slug), minio_policy_file(u)


@pytest.fixture(scope="session")
def tls_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A CA and a server certificate for 127.0.0.1, made for this session (the CA key is thrown away)."""
    folder = tmp_path_factory.mktemp("tls")
    secure_sh("tls", str(folder))
    return folder


@pytest.fixture(scope="session")
def secure_run_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The private run dir of the secure servers (in a 0700 pytest folder: the script keeps what the
    Elasticsearch user must reach elsewhere). At the end: everything stopped and removed."""
    run_dir = tmp_path_factory.mktemp("secure-run")
    yield run_dir
    secure_sh("purge", env={"SOHOA_RUN_DIR": str(run_dir)})


@pytest.fixture(scope="session")
def secure_es(
    secure_run_dir: Path, tls_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SecureES]:
    inputs = tmp_path_factory.mktemp("secure-es-inputs")
    (inputs / "roles.yml").write_text(file_roles(), encoding="utf-8")
    passwords = {role: generate_secret() for role in ROLE_USERS}
    users = inputs / "users"
    users.touch(mode=0o600)
    users.write_text("".join(f"{ROLE_USERS[r]}:{r}:{pw}\n" for r, pw in passwords.items()))
    env = {
        "SOHOA_RUN_DIR": str(secure_run_dir),
        "SOHOA_TLS_DIR": str(tls_dir),
        "SOHOA_ES_PORT": str(free_port()),
        "SOHOA_ES_ROLES": str(inputs / "roles.yml"),
        "SOHOA_ES_USERS": str(users),
    }
    try:
        secure_sh("start-es", env=env)
    finally:
        users.unlink()  # the passwords live on in this process only
    values = read_env(secure_run_dir)
    server = SecureES(values["SOHOA_ES_URL"], Path(values["SOHOA_ES_CA_FILE"]), passwords)
    server.client("sohoa_admin").cluster.health(wait_for_status="yellow", timeout="60s")
    yield server
    secure_sh("stop-es", env={"SOHOA_RUN_DIR": str(secure_run_dir)})


@pytest.fixture(scope="session")
def minio_server(secure_run_dir: Path, tls_dir: Path) -> Iterator[MinioServer]:
    root_user, root_password = "sohoa-minio-root", generate_secret()
    env = {
        "SOHOA_RUN_DIR": str(secure_run_dir),
        "SOHOA_TLS_DIR": str(tls_dir),
        "SOHOA_MINIO_PORT": str(free_port()),
        "MINIO_ROOT_USER": root_user,
        "MINIO_ROOT_PASSWORD": root_password,
    }
    secure_sh("start-minio", env=env)
    values = read_env(secure_run_dir)
    yield MinioServer(values["SOHOA_S3_ENDPOINT"], Path(values["SOHOA_S3_CA_FILE"]), root_user, root_password)
    secure_sh("stop-minio", env={"SOHOA_RUN_DIR": str(secure_run_dir)})


@pytest.fixture(scope="session")
def secure_indices(secure_es: SecureES) -> tuple[str, str]:
    """The records and ledger indices behind their aliases, set up by the admin role as in production
    (the writer may not create them)."""
    return ensure_indices(secure_es.client("sohoa_admin"), ALIAS, LEDGER)
