"""The object-store layer against the real S3 server (versitygw)."""

from __future__ import annotations

import hashlib
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from storage.errors import AccessDeniedError, ObjectNotFoundError, StoreUnavailableError
from storage.objects import ObjectStore, S3Endpoint

pytestmark = pytest.mark.servers


def test_round_trip(store: ObjectStore, bucket: str, tmp_path: Path) -> None:
    data = "Quyết định số 123/QĐ-UBND".encode() * 1000
    etag = store.put_bytes(bucket, "cau-giay/2024/qd-123.pdf", data, "application/pdf")
    store.put_bytes(bucket, "dong-da/other.png", b"x")

    listed = list(store.list(bucket, "cau-giay/"))
    assert [(o.key, o.size, o.etag) for o in listed] == [("cau-giay/2024/qd-123.pdf", len(data), etag)]
    assert etag == hashlib.md5(data).hexdigest()  # plain PUT: the etag is the MD5

    out = tmp_path / "got.pdf"
    info = store.get_to_file(bucket, "cau-giay/2024/qd-123.pdf", out)
    assert out.read_bytes() == data and info.etag == etag
    assert store.get_bytes(bucket, "dong-da/other.png") == b"x"


def test_listing_pages_through_many_objects(store: ObjectStore, bucket: str) -> None:
    # more than one ListObjectsV2 page (1000 keys) must come back complete
    for i in range(1005):
        store.put_bytes(bucket, f"p/{i:05d}", b"")
    assert sum(1 for _ in store.list(bucket, "p/")) == 1005


def test_presigned_link_fetches_the_object(store: ObjectStore, bucket: str) -> None:
    store.put_bytes(bucket, "a/scan.jpg", b"JPEG bytes")
    url = store.presign_get(bucket, "a/scan.jpg", expires_seconds=120)
    assert "X-Amz-Expires=120" in url
    with urllib.request.urlopen(url, timeout=10) as resp:
        assert resp.read() == b"JPEG bytes"
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(url.replace("X-Amz-Expires=120", "X-Amz-Expires=99999"), timeout=10)


def test_missing_key_is_a_clear_error(store: ObjectStore, bucket: str, tmp_path: Path) -> None:
    with pytest.raises(ObjectNotFoundError, match=rf"s3://{bucket}/nope\.pdf: no such object"):
        store.get_to_file(bucket, "nope.pdf", tmp_path / "x")
    with pytest.raises(ObjectNotFoundError, match="no such bucket"):
        list(store.list("no-such-bucket-sohoa"))


def test_wrong_credentials_are_a_clear_error(store: ObjectStore, bucket: str) -> None:
    bad = ObjectStore(S3Endpoint(store.endpoint, "sohoa-dev", "not-the-secret"))
    with pytest.raises(AccessDeniedError, match="SOHOA_S3_SECRET_KEY"):
        list(bad.list(bucket))


def test_unreachable_store_is_transient() -> None:
    dead = ObjectStore(S3Endpoint("127.0.0.1:1", "k", "s"), timeout=2)
    with pytest.raises(StoreUnavailableError, match="unreachable") as info:
        dead.stat("some-bucket", "k")
    assert info.value.transient
