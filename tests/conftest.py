"""Shared fixtures. Server tests talk to the real Elasticsearch and S3 started by `infra/servers.sh`
(`make test` starts them); when they are not reachable the tests fail with a message saying so.

Two lanes: `make check` runs the tests marked neither `servers` nor `slow` (no server, under a minute);
`make test` runs everything. A test that uses a server fixture is marked `servers` here, so no test
can forget its marker."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from config.clients import es_client, object_store
from config.settings import Settings, load_settings
from storage.objects import ObjectStore
from tests.cluster_fixtures import Cluster, start_cluster, stop_cluster
from tests.secure_fixtures import (  # noqa: F401 (session fixtures of the security-on servers)
    minio_server,
    secure_es,
    secure_indices,
    secure_run_dir,
    tls_dir,
)

SERVER_FIXTURES = {
    "store",
    "es",
    "bucket",
    "prefect_harness",
    "prefect_cluster",
    "secure_es",
    "minio_server",
    "tls_dir",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SERVER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.servers)


@pytest.fixture(scope="session")
def settings() -> Settings:
    return load_settings()


@pytest.fixture(scope="session")
def store(settings: Settings) -> ObjectStore:
    st = object_store(settings)
    try:
        st.client.list_buckets()
    except Exception as exc:
        pytest.fail(
            f"S3 server at {settings.s3_endpoint} not reachable ({exc}); run `infra/servers.sh start`"
        )
    return st


@pytest.fixture(scope="session")
def es(settings: Settings):
    client = es_client(settings)
    try:
        client.options(request_timeout=5, max_retries=0).cluster.health()
    except Exception as exc:
        pytest.fail(f"Elasticsearch at {settings.es_url} not reachable ({exc}); run `infra/servers.sh start`")
    return client


def unique_name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def bucket(store: ObjectStore) -> Iterator[str]:
    """A fresh bucket, emptied and removed afterwards."""
    name = unique_name("test")
    store.ensure_bucket(name)
    yield name
    for obj in store.list(name):
        store.delete(name, obj.key)
    store.client.remove_bucket(name)


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One temporary Prefect API (SQLite) for the whole session: flows run as they would in production."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=60):
        yield


@pytest.fixture(scope="module")
def prefect_cluster(es, store: ObjectStore) -> Iterator[Cluster]:
    """A real Prefect server with two OCR workers and a control worker (tests/cluster_fixtures.py), for
    the module that asks: its workers poll the server, which costs CPU the other tests would feel."""
    cluster = start_cluster()
    yield cluster
    stop_cluster(cluster)
