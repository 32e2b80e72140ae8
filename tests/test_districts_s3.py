"""Per-unit confinement, against the real servers: every "may" succeeds, every "may not" gets 403.

Two flavours of the same rights (storage/districts.py), each on its own server:
- versitygw (started by `infra/servers.sh start`): each run provisions its own buckets and users
  (unique names, unique access-key prefix) through the gateway's admin API, with bucket policies;
- MinIO over TLS (tests/secure_fixtures.py): users with the committed user policies of
  `infra/policies/minio/` attached, exactly as docs/security.md tells an administrator to do.

A is a former district (`cau-giay`), B the commune that carries its name since 2025 (`phuong-cau-giay`):
their prefixes differ only by a leading word, which must be enough. Everything is removed afterwards.
"""

from __future__ import annotations

import hashlib
import http.client
import io
import json
import logging
import os
import re
import ssl
import stat
import subprocess
import sys
import tomllib
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import urllib3
from minio.credentials import Credentials
from minio.error import S3Error
from minio.minioadmin import MinioAdmin
from minio.signer import sign_v4_s3

from config.clients import s3_admin
from config.settings import Settings
from storage.districts import Layout, load_units
from storage.errors import AccessDeniedError, ObjectNotFoundError
from storage.objects import ObjectStore, S3Endpoint
from storage.provision import PIPELINE, ProvisionResult, provision, revoke
from storage.versity_admin import VersityAdmin
from tests.secure_fixtures import MinioServer

pytestmark = pytest.mark.servers

A, B = "cau-giay", "phuong-cau-giay"  # a former district, and the commune of the same name since 2025
LONGEST = max((u.slug for u in load_units()), key=len)  # phuong-van-mieu-quoc-tu-giam
REPO = Path(__file__).resolve().parents[1]


def admin_for(settings: Settings) -> VersityAdmin:
    admin = s3_admin(settings)
    try:
        admin.list_users()
    except Exception as exc:
        pytest.fail(
            f"versitygw admin API at {settings.s3_endpoint} not usable ({exc}); run `infra/servers.sh start` "
            "(the gateway must run with an IAM (--iam-dir) and without --admin-port)"
        )
    return admin


def store_for(settings: Settings, access_key: str, secret: str) -> ObjectStore:
    return ObjectStore(S3Endpoint(settings.s3_endpoint, access_key, secret, region=settings.s3_region))


def wipe(store: ObjectStore, bucket: str) -> None:
    """Remove a test bucket with its objects and policy; nothing if it is already gone."""
    try:
        for obj in store.list(bucket):
            store.delete(bucket, obj.key)
    except ObjectNotFoundError:
        return
    if store.get_bucket_policy(bucket) is not None:
        store.delete_bucket_policy(bucket)
    store.client.remove_bucket(bucket)


@dataclass
class World:
    flavour: str  # versitygw | minio
    layout: Layout
    admin: VersityAdmin | MinioAdmin
    root: ObjectStore
    a: ObjectStore
    b: ObjectStore
    pipe: ObjectStore
    secrets: dict[str, str]
    result: ProvisionResult | None  # versitygw: what `provision` made
    endpoint: str
    ca_file: Path | None = None  # TLS: the CA of the server's certificate

    def store(self, access_key: str, secret: str) -> ObjectStore:
        return ObjectStore(
            S3Endpoint(self.endpoint, access_key, secret, secure=bool(self.ca_file), ca_file=self.ca_file)
        )

    def http(self) -> urllib3.PoolManager:
        if self.ca_file:
            return urllib3.PoolManager(cert_reqs="CERT_REQUIRED", ca_certs=str(self.ca_file))
        return urllib3.PoolManager()


def secrets_of(result: ProvisionResult) -> dict[str, str]:
    return {i.name: i.secret.get_secret_value() for i in result.identities if i.secret is not None}


@pytest.fixture(scope="module")
def versity_world(settings: Settings, store: ObjectStore) -> Iterator[World]:
    h = uuid.uuid4().hex[:6]
    layout = Layout(f"test-intake-{h}", f"test-processed-{h}", key_prefix=f"t{h}-")
    admin = admin_for(settings)
    try:
        result = provision(admin, store, layout, [A, B])
        sec = secrets_of(result)
        yield World(
            "versitygw",
            layout,
            admin,
            store,
            store_for(settings, layout.district_access_key(A), sec[A]),
            store_for(settings, layout.district_access_key(B), sec[B]),
            store_for(settings, layout.pipeline_access_key, sec[PIPELINE]),
            sec,
            result,
            settings.s3_endpoint,
        )
    finally:
        for u in admin.list_users():
            if u.access_key.startswith(layout.key_prefix):
                admin.delete_user(u.access_key)
        wipe(store, layout.intake_bucket)
        wipe(store, layout.processed_bucket)


@pytest.fixture(scope="module")
def minio_world(minio_server: MinioServer) -> Iterator[World]:
    """The production layout on a private MinIO: the default buckets and access keys, because the
    committed policy files name them."""
    layout, root = Layout(), minio_server.root()
    for bucket in (layout.intake_bucket, layout.processed_bucket):
        root.ensure_bucket(bucket)
    admin = minio_server.admin()
    try:
        sec = minio_server.add_identities([A, B, LONGEST, PIPELINE], layout)
        yield World(
            "minio",
            layout,
            admin,
            root,
            minio_server.store(layout.district_access_key(A), sec[A]),
            minio_server.store(layout.district_access_key(B), sec[B]),
            minio_server.store(layout.pipeline_access_key, sec[PIPELINE]),
            sec,
            None,
            minio_server.endpoint,
            minio_server.ca_file,
        )
    finally:
        minio_server.remove_identities([A, B, LONGEST, PIPELINE], layout)
        wipe(root, layout.intake_bucket)
        wipe(root, layout.processed_bucket)


@pytest.fixture(scope="module", params=["versitygw", "minio"])
def world(request: pytest.FixtureRequest) -> World:
    """The same rights on both servers: the tests that take `world` run once against each."""
    return request.getfixturevalue({"versitygw": "versity_world", "minio": "minio_world"}[request.param])


def denied(fn: Callable[..., object], *args: object, **kwargs: object) -> None:
    with pytest.raises(AccessDeniedError):
        result = fn(*args, **kwargs)
        if hasattr(result, "__next__"):  # listings are lazy
            list(result)


# -- what provisioning made (versitygw) --------------------------------------------------------------------
def test_provision_created_users_with_the_user_role(versity_world: World) -> None:
    world = versity_world
    assert world.result is not None
    roles = {u.access_key: u.role for u in world.admin.list_users()}
    for name in (A, B):
        assert roles[world.layout.district_access_key(name)] == "user"
    assert roles[world.layout.pipeline_access_key] == "user"
    assert [i.status for i in world.result.identities] == ["created"] * 3
    assert sorted(world.result.intake_districts) == sorted([A, B])
    policy = world.root.get_bucket_policy(world.layout.intake_bucket)
    assert policy is not None
    assert {p for st in policy["Statement"] for p in st["Principal"]["AWS"]} == {
        world.layout.district_access_key(A),
        world.layout.district_access_key(B),
        world.layout.pipeline_access_key,
    }


# -- district A in its own area -------------------------------------------------------------------------
def test_district_uploads_lists_and_reads_back_its_own_area(world: World) -> None:
    bucket = world.layout.intake_bucket
    etag = world.a.put_bytes(bucket, f"{A}/2024/qd-01.pdf", b"%PDF-1.4 own", "application/pdf")
    assert etag
    # all of its area and nothing else: what the root sees there (other tests of the module may have run)
    listed = [o.key for o in world.a.list(bucket, f"{A}/")]
    assert f"{A}/2024/qd-01.pdf" in listed
    assert listed == [o.key for o in world.root.list(bucket, f"{A}/")]
    assert world.a.stat(bucket, f"{A}/2024/qd-01.pdf").etag == etag
    assert world.a.get_bytes(bucket, f"{A}/2024/qd-01.pdf") == b"%PDF-1.4 own"
    # A district may correct its own upload.
    world.a.put_bytes(bucket, f"{A}/2024/qd-01.pdf", b"%PDF-1.4 fixed")


def test_district_multipart_upload_confined_too(world: World) -> None:
    bucket, data = world.layout.intake_bucket, os.urandom(6 * 1024 * 1024)  # > 5 MiB: two parts
    etag = world.a.put_stream(bucket, f"{A}/big.tif", io.BytesIO(data), len(data))
    assert etag.endswith("-2")
    denied(world.a.put_stream, bucket, f"{B}/big.tif", io.BytesIO(data), len(data))


# -- district A against district B ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def a_object(world: World) -> str:
    """A's upload (the one the first test of its area makes), for tests that need one whatever ran first."""
    key = f"{A}/2024/qd-01.pdf"
    world.a.put_bytes(world.layout.intake_bucket, key, b"%PDF-1.4 own", "application/pdf")
    return key


@pytest.fixture(scope="module")
def b_object(world: World) -> str:
    key = f"{B}/hs-123.pdf"
    world.b.put_bytes(world.layout.intake_bucket, key, b"%PDF-1.4 district B")
    return key


def test_district_cannot_read_another_districts_objects(world: World, b_object: str) -> None:
    bucket = world.layout.intake_bucket
    denied(world.a.get_bytes, bucket, b_object)
    denied(world.a.stat, bucket, b_object)
    # A link that A signs for B's object is refused too: presigning checks nothing, the GET does.
    url = world.a.presign_get(bucket, b_object, 60)
    assert world.http().request("GET", url, retries=False).status == 403


def test_district_cannot_list_another_district_or_the_bucket(world: World, b_object: str) -> None:
    bucket = world.layout.intake_bucket
    denied(world.a.list, bucket, f"{B}/")
    denied(world.a.list, bucket, "")  # the whole bucket
    denied(world.a.list, bucket, A[:3])  # a prefix that spans other districts' names
    # Only "<slug>/" listings: a bare "cau-giay" would also match "cau-giay-x/..." keys.
    denied(world.a.list, bucket, A)
    with pytest.raises(S3Error):
        world.a.client.bucket_exists(bucket)  # HEAD bucket is a whole-bucket ListBucket


def test_district_cannot_overwrite_or_delete_another_districts_objects(world: World, b_object: str) -> None:
    bucket = world.layout.intake_bucket
    denied(world.a.put_bytes, bucket, b_object, b"overwritten by A")
    denied(world.a.delete, bucket, b_object)
    assert world.root.get_bytes(bucket, b_object) == b"%PDF-1.4 district B"


def test_district_cannot_write_outside_its_prefix(world: World) -> None:
    bucket = world.layout.intake_bucket
    for key in ("top-level.pdf", f"{A}-evil/x.pdf", f"{A}.pdf", f"x/{A}/y.pdf"):
        denied(world.a.put_bytes, bucket, key, b"x")


# How each server refuses a key with "..": versitygw normalises it and its policy says no; MinIO refuses
# such a name before any policy is read.
DOT_DOT_REFUSAL = {"versitygw": (403, "AccessDenied"), "minio": (400, "XMinioInvalidResourceName")}


def test_dot_dot_key_does_not_escape_the_prefix(world: World, b_object: str) -> None:
    # minio-py refuses ".." segments, so send the request by hand: the gateway must normalise the key
    # before it matches the policy (POSIX backend: "cau-giay/../ba-dinh/x" is the file ba-dinh/x).
    bucket, ak = world.layout.intake_bucket, world.layout.district_access_key(A)
    for path in (f"/{bucket}/{A}/../{b_object}", f"/{bucket}/{A}/../{B}/new.pdf"):
        answer = raw_request(world, "PUT", path, b"escaped", ak, world.secrets[A])
        assert answer == DOT_DOT_REFUSAL[world.flavour], path
    assert world.root.get_bytes(bucket, b_object) == b"%PDF-1.4 district B"
    assert [o.key for o in world.root.list(bucket, f"{B}/new")] == []


def test_district_cannot_delete_even_its_own_uploads(world: World) -> None:
    bucket = world.layout.intake_bucket
    world.a.put_bytes(bucket, f"{A}/keep.pdf", b"x")
    denied(world.a.delete, bucket, f"{A}/keep.pdf")


# -- district A against the rest --------------------------------------------------------------------------
def test_district_cannot_touch_the_processed_bucket(world: World) -> None:
    processed = world.layout.processed_bucket
    world.pipe.put_bytes(processed, "records/r1/text.txt", b"OCR text")
    denied(world.a.get_bytes, processed, "records/r1/text.txt")
    denied(world.a.list, processed, "")
    denied(world.a.list, processed, f"{A}/")
    denied(world.a.put_bytes, processed, f"{A}/x.txt", b"x")


def test_district_cannot_change_policies_or_create_buckets(world: World) -> None:
    bucket = world.layout.intake_bucket
    with pytest.raises(S3Error) as exc:
        world.a.client.set_bucket_policy(bucket, '{"Version":"2012-10-17","Statement":[]}')
    assert exc.value.code == "AccessDenied"
    with pytest.raises(S3Error):
        world.a.client.get_bucket_policy(bucket)
    denied(world.a.ensure_bucket, f"{world.layout.intake_bucket}-mine")
    # versitygw lists no bucket to a user; MinIO lists those the user has some right on (the name of
    # the bucket it uploads to, nothing more)
    visible = {"versitygw": [], "minio": [bucket]}[world.flavour]
    assert [b.name for b in world.a.client.list_buckets()] == visible


# -- the pipeline's identity ----------------------------------------------------------------------------
def test_pipeline_reads_intake_and_writes_processed(world: World, a_object: str, b_object: str) -> None:
    intake, processed = world.layout.intake_bucket, world.layout.processed_bucket
    keys = {o.key for o in world.pipe.list(intake)}
    assert b_object in keys and a_object in keys
    assert world.pipe.get_bytes(intake, b_object) == b"%PDF-1.4 district B"
    world.pipe.ensure_bucket(processed)  # what flows/batch.py does first: HEAD, no create
    world.pipe.put_bytes(processed, "records/r2/metadata.json", b"{}", "application/json")
    assert world.pipe.get_bytes(processed, "records/r2/metadata.json") == b"{}"
    assert world.pipe.presign_get(processed, "records/r2/metadata.json", 60).startswith("http")


def test_pipeline_cannot_change_or_delete_intake(world: World, b_object: str) -> None:
    intake, processed = world.layout.intake_bucket, world.layout.processed_bucket
    denied(world.pipe.put_bytes, intake, b_object, b"changed by the pipeline")
    denied(world.pipe.put_bytes, intake, "pipeline-wrote-this.pdf", b"x")
    denied(world.pipe.delete, intake, b_object)
    world.pipe.put_bytes(processed, "records/r3/text.txt", b"x")
    denied(world.pipe.delete, processed, "records/r3/text.txt")
    denied(world.pipe.ensure_bucket, f"{intake}-other")
    assert world.root.get_bytes(intake, b_object) == b"%PDF-1.4 district B"


def test_minio_takes_the_longest_commune_key_and_its_committed_policy(minio_world: World) -> None:
    """MinIO sets no maximum on access keys (a minimum of 3): the 34-character key of the commune with
    the longest name works, confined by its committed policy file."""
    layout = minio_world.layout
    key = layout.district_access_key(LONGEST)
    assert len(key) > 20
    mine = minio_world.store(key, minio_world.secrets[LONGEST])
    mine.put_bytes(layout.intake_bucket, f"{LONGEST}/x.pdf", b"x")
    assert [o.key for o in mine.list(layout.intake_bucket, f"{LONGEST}/")] == [f"{LONGEST}/x.pdf"]
    denied(mine.put_bytes, layout.intake_bucket, f"{A}/x.pdf", b"x")
    denied(mine.list, layout.intake_bucket, f"{B}/")


# -- idempotence, rotation, revocation, role drift (versitygw provisioning) --------------------------------
def test_provision_again_changes_nothing(versity_world: World) -> None:
    world = versity_world
    again = provision(world.admin, world.root, world.layout, [A, B])
    assert [i.status for i in again.identities] == ["unchanged"] * 3
    assert all(i.secret is None for i in again.identities)
    world.a.put_bytes(world.layout.intake_bucket, f"{A}/after-reprovision.pdf", b"x")


def test_rotate_and_revoke(versity_world: World, settings: Settings) -> None:
    world = versity_world
    c, layout, bucket = "tay-ho", world.layout, world.layout.intake_bucket
    first = secrets_of(provision(world.admin, world.root, layout, [c], pipeline=False))[c]
    old = store_for(settings, layout.district_access_key(c), first)
    old.put_bytes(bucket, f"{c}/1.pdf", b"x")
    # Districts provisioned earlier stay in the rewritten policy.
    world.a.put_bytes(bucket, f"{A}/still-works.pdf", b"x")

    rotated = provision(world.admin, world.root, layout, [c], pipeline=False, rotate=True)
    assert [i.status for i in rotated.identities] == ["rotated"]
    new = store_for(settings, layout.district_access_key(c), secrets_of(rotated)[c])
    new.put_bytes(bucket, f"{c}/2.pdf", b"x")
    denied(old.put_bytes, bucket, f"{c}/3.pdf", b"x")  # the old secret stops at once

    result = revoke(world.admin, world.root, layout, [c])
    assert [i.status for i in result.identities] == ["revoked"]
    assert c not in result.intake_districts and A in result.intake_districts
    denied(new.put_bytes, bucket, f"{c}/4.pdf", b"x")
    policy = world.root.get_bucket_policy(bucket)
    assert layout.district_access_key(c) not in str(policy)


def test_raised_role_is_reset(versity_world: World) -> None:
    world = versity_world
    c, layout = "long-bien", world.layout
    provision(world.admin, world.root, layout, [c], pipeline=False)
    world.admin.set_role(layout.district_access_key(c), "admin")  # an admin bypasses every policy
    again = provision(world.admin, world.root, layout, [c], pipeline=False)
    assert "reset to 'user'" in again.identities[0].note
    roles = {u.access_key: u.role for u in world.admin.list_users()}
    assert roles[layout.district_access_key(c)] == "user"
    revoke(world.admin, world.root, layout, [c])


def test_all_units_fit_in_one_bucket_policy(settings: Settings, store: ObjectStore) -> None:
    """The real layout: 126 communes + 30 former districts + the pipeline in one intake policy (~105 kB)
    is accepted and works, for the longest slug too."""
    h = uuid.uuid4().hex[:6]
    layout = Layout(f"test-intake-{h}", f"test-processed-{h}", key_prefix=f"f{h}-")
    admin = admin_for(settings)
    try:
        result = provision(admin, store, layout)
        assert sorted(result.intake_districts) == sorted(u.slug for u in load_units())
        assert len(json.dumps(store.get_bucket_policy(layout.intake_bucket))) > 100_000
        sec = secrets_of(result)
        for slug, other in (("my-duc", "ung-hoa"), (LONGEST, "phuong-van-mieu")):
            mine = store_for(settings, layout.district_access_key(slug), sec[slug])
            mine.put_bytes(layout.intake_bucket, f"{slug}/x.pdf", b"x")
            denied(mine.put_bytes, layout.intake_bucket, f"{other}/x.pdf", b"x")
    finally:
        for u in admin.list_users():
            if u.access_key.startswith(layout.key_prefix):
                admin.delete_user(u.access_key)
        wipe(store, layout.intake_bucket)
        wipe(store, layout.processed_bucket)


# -- secrets stay out of output and logs ------------------------------------------------------------------
def test_cli_never_prints_secrets(tmp_path: Path, settings: Settings) -> None:
    h = uuid.uuid4().hex[:6]
    layout = Layout(f"test-intake-{h}", f"test-processed-{h}", key_prefix=f"c{h}-")
    creds = tmp_path / "credentials.toml"
    env = {
        **os.environ,
        "SOHOA_INTAKE_BUCKET": layout.intake_bucket,
        "SOHOA_PROCESSED_BUCKET": layout.processed_bucket,
        "SOHOA_S3_ENDPOINT": settings.s3_endpoint,
    }
    base = [sys.executable, "-c", "from cli.app import app; app()", "districts"]
    prov = [*base, "provision", "-d", A, "--key-prefix", layout.key_prefix, "--out", str(creds)]
    admin = admin_for(settings)
    root = store_for(settings, settings.s3_access_key, settings.s3_secret_key.get_secret_value())
    try:
        runs = [subprocess.run(prov, env=env, cwd=REPO, capture_output=True, text=True, timeout=120)]
        first = tomllib.loads(creds.read_text())
        runs.append(
            subprocess.run(
                [*prov, "--rotate"], env=env, cwd=REPO, capture_output=True, text=True, timeout=120
            )
        )
        second = tomllib.loads(creds.read_text())
        for run in runs:
            assert run.returncode == 0, run.stderr
        assert stat.S_IMODE(creds.stat().st_mode) == 0o600
        assert set(first) == {A, PIPELINE}
        out = "".join(r.stdout + r.stderr for r in runs)
        assert layout.district_access_key(A) in out  # the access key is shown...
        for section in (first, second):
            for entry in section.values():
                assert entry["s3_secret_key"] not in out  # ...the secret never
        assert first[A]["s3_secret_key"] != second[A]["s3_secret_key"]
        # The credentials in the file work, confined as promised.
        mine = store_for(settings, second[A]["s3_access_key"], second[A]["s3_secret_key"])
        mine.put_bytes(layout.intake_bucket, f"{A}/from-cli.pdf", b"x")
        denied(mine.put_bytes, layout.intake_bucket, f"{B}/from-cli.pdf", b"x")
        rev = subprocess.run(
            [*base, "revoke", A, PIPELINE, "--key-prefix", layout.key_prefix, "--out", str(creds)],
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert rev.returncode == 0, rev.stderr
        assert tomllib.loads(creds.read_text()) == {}
    finally:
        for u in admin.list_users():
            if u.access_key.startswith(layout.key_prefix):
                admin.delete_user(u.access_key)
        wipe(root, layout.intake_bucket)
        wipe(root, layout.processed_bucket)


def test_provision_logs_no_secrets(versity_world: World, caplog: pytest.LogCaptureFixture) -> None:
    world = versity_world
    caplog.set_level(logging.DEBUG)  # every logger, urllib3's included
    result = provision(world.admin, world.root, world.layout, ["hoan-kiem"], pipeline=False, rotate=True)
    secret = secrets_of(result)["hoan-kiem"]
    try:
        assert "sohoa" in caplog.text or world.layout.key_prefix in caplog.text
        assert secret not in caplog.text
        assert secret not in repr(result)
    finally:
        revoke(world.admin, world.root, world.layout, ["hoan-kiem"])


# -- helpers ----------------------------------------------------------------------------------------------
def raw_request(
    world: World, method: str, path: str, body: bytes, access_key: str, secret: str
) -> tuple[int, str | None]:
    """A SigV4-signed request sent as is (no client-side path normalisation): its status and S3 error
    code."""
    endpoint = world.endpoint
    now = datetime.now(UTC).replace(tzinfo=None)
    sha = hashlib.sha256(body).hexdigest()
    headers = {"Host": endpoint, "x-amz-content-sha256": sha, "x-amz-date": now.strftime("%Y%m%dT%H%M%SZ")}
    if body:
        headers["Content-Length"] = str(len(body))
    scheme = "https" if world.ca_file else "http"
    headers = dict(
        sign_v4_s3(
            method=method,
            url=urllib.parse.urlsplit(f"{scheme}://{endpoint}{path}"),
            region="us-east-1",
            headers=headers,  # type: ignore[arg-type]
            credentials=Credentials(access_key, secret),
            content_sha256=sha,
            date=now,
        )
    )
    host, port = endpoint.rsplit(":", 1)
    conn: http.client.HTTPConnection
    if world.ca_file:
        tls = ssl.create_default_context(cafile=str(world.ca_file))
        conn = http.client.HTTPSConnection(host, int(port), timeout=10, context=tls)
    else:
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.request(method, path, body=body or None, headers=headers)
        resp = conn.getresponse()
        code = re.search(r"<Code>([^<]+)</Code>", resp.read().decode(errors="replace"))
        return resp.status, code.group(1) if code else None
    finally:
        conn.close()


def test_sohoa_upload_with_a_district_key_is_resumable(world: World, tmp_path: Path) -> None:
    """What an office runs: uploads into its own area only, and a second run sends nothing again,
    even for a file big enough to go up in parts (whose ETag is not an MD5)."""
    from storage.upload import upload_dir

    (tmp_path / "2025").mkdir()
    (tmp_path / "2025/qd-7.png").write_bytes(b"\x89PNG small")
    (tmp_path / "2025/big.tif").write_bytes(os.urandom(6 * 1024 * 1024))
    first = upload_dir(world.a, tmp_path, world.layout.intake_bucket, f"{A}/scans/")
    assert sorted(first.uploaded) == [f"{A}/scans/2025/big.tif", f"{A}/scans/2025/qd-7.png"]
    assert not first.failed
    again = upload_dir(world.a, tmp_path, world.layout.intake_bucket, f"{A}/scans/")
    assert (again.uploaded, sorted(again.skipped)) == ([], sorted(first.uploaded))
    # the same command pointed at another district's area is refused before sending anything
    denied(upload_dir, world.a, tmp_path, world.layout.intake_bucket, f"{B}/")
    assert not any(
        o.key.startswith(f"{B}/2025") for o in world.root.list(world.layout.intake_bucket, f"{B}/")
    )
