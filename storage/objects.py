"""A thin object-store layer over the `minio` client: plain S3, so MinIO, versitygw, Ceph RGW or AWS work.

Errors come out as `storage.errors` types whose message names the bucket, the key and the fix.
"""

from __future__ import annotations

import errno
import io
import json
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO

import urllib3
from minio import Minio
from minio.error import S3Error

from storage.errors import AccessDeniedError, ObjectNotFoundError, StorageError, StoreUnavailableError

_LOCAL_DISK_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS}
_NOT_FOUND = {"NoSuchKey", "NoSuchBucket", "NoSuchObject"}
_DENIED = {"AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "AllAccessDisabled"}
_BUSY = {"SlowDown", "InternalError", "ServiceUnavailable", "RequestTimeout"}


@dataclass(frozen=True)
class S3Endpoint:
    """Where the object store is and who we are there: what `ObjectStore` and `VersityAdmin` both need."""

    host: str  # host:port, no scheme
    access_key: str
    secret_key: str = field(repr=False)
    secure: bool = False  # TLS
    region: str = "us-east-1"
    ca_file: Path | None = None  # the CA that signed the server's certificate (TLS), else the system's

    @property
    def url(self) -> str:
        return f"{'https' if self.secure else 'http'}://{self.host}"

    def pool(self, timeout: float) -> urllib3.PoolManager:
        """An HTTP pool for this endpoint. No retries here: core.retry is the one place that waits."""
        tls = {"cert_reqs": "CERT_REQUIRED", "ca_certs": str(self.ca_file)} if self.ca_file else {}
        return urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=min(timeout, 10.0), read=timeout),
            maxsize=16,
            retries=False,
            **tls,
        )


@dataclass(frozen=True)
class ObjectInfo:
    bucket: str
    key: str
    etag: str
    size: int
    last_modified: datetime | None = None


def _ssl_reason(exc: BaseException) -> str:
    """OpenSSL's words for a refused certificate ("unable to get local issuer certificate")."""
    todo, seen = [exc], 0
    while todo and seen < 20:  # the causes that urllib3 wraps around it
        err, seen = todo.pop(), seen + 1
        if isinstance(err, ssl.SSLCertVerificationError):
            return err.verify_message or str(err)
        todo += [
            e
            for e in (getattr(err, "reason", None), err.__cause__, err.__context__)
            if isinstance(e, BaseException)
        ]
        todo += [a for a in err.args if isinstance(a, BaseException)]
    return "certificate verify failed"


class ObjectStore:
    def __init__(self, endpoint: S3Endpoint, *, timeout: float = 30.0) -> None:
        self.endpoint = endpoint.host
        self.client = Minio(
            endpoint.host,
            access_key=endpoint.access_key,
            secret_key=endpoint.secret_key,
            secure=endpoint.secure,
            region=endpoint.region,
            http_client=endpoint.pool(timeout),
        )

    # -- errors ---------------------------------------------------------------------------------------
    def _translate(self, exc: Exception, bucket: str, key: str | None = None) -> StorageError:
        where = f"s3://{bucket}/{key}" if key else f"s3://{bucket}"
        if isinstance(exc, S3Error):
            if exc.code in _NOT_FOUND:
                what = "bucket" if exc.code == "NoSuchBucket" else "object"
                return ObjectNotFoundError(f"{where}: no such {what} ({exc.code})")
            if exc.code in _DENIED:
                return AccessDeniedError(f"{where}: access denied ({exc.code})")
            if exc.code in _BUSY:
                return StoreUnavailableError(f"{where}: object store at {self.endpoint} busy ({exc.code})")
            return StorageError(f"{where}: {exc.code}: {exc.message}")
        if isinstance(exc, OSError) and exc.errno in _LOCAL_DISK_ERRORS:
            # the download could not be written here: a local fault, not the object store's
            return StorageError(
                f"{where}: cannot write the download locally: {exc}",
                hint="free space in the temp folder or point TMPDIR elsewhere",
            )
        if "CERTIFICATE_VERIFY_FAILED" in str(exc):  # a setting to fix, not a server to wait for
            return StorageError(
                f"{where}: the TLS certificate of the object store at {self.endpoint} is not trusted "
                f"({_ssl_reason(exc)})",
                hint="set SOHOA_S3_CA_FILE to the CA that signed the object store's certificate",
            )
        if isinstance(exc, (urllib3.exceptions.HTTPError, OSError)):
            return StoreUnavailableError(
                f"{where}: object store at {self.endpoint} unreachable ({type(exc).__name__})"
            )
        return StorageError(f"{where}: {exc}")

    # -- buckets --------------------------------------------------------------------------------------
    def ensure_bucket(self, bucket: str) -> None:
        try:
            if not self.client.bucket_exists(bucket):
                self.client.make_bucket(bucket)
        except S3Error as exc:
            if exc.code not in {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}:
                raise self._translate(exc, bucket) from exc
        except Exception as exc:
            raise self._translate(exc, bucket) from exc

    def buckets(self) -> list[str]:
        try:
            return [b.name for b in self.client.list_buckets()]
        except Exception as exc:
            raise self._translate(exc, "*") from exc

    def require_bucket(self, bucket: str) -> None:
        """Fail with a clear error when `bucket` does not exist (a typo in SOHOA_INTAKE_BUCKET...)."""
        try:
            exists = self.client.bucket_exists(bucket)
        except Exception as exc:
            raise self._translate(exc, bucket) from exc
        if not exists:
            raise ObjectNotFoundError(
                f"s3://{bucket}: no such bucket on {self.endpoint}",
                hint="check the bucket name (SOHOA_INTAKE_BUCKET, --bucket) or upload scans: sohoa upload",
            )

    def set_bucket_policy(self, bucket: str, policy: dict) -> None:
        """Replace the bucket's policy (used by `sohoa districts provision`, see storage/districts.py)."""
        try:
            self.client.set_bucket_policy(bucket, json.dumps(policy))
        except Exception as exc:
            raise self._translate(exc, bucket) from exc

    def delete_bucket_policy(self, bucket: str) -> None:
        try:
            self.client.delete_bucket_policy(bucket)
        except Exception as exc:
            raise self._translate(exc, bucket) from exc

    def get_bucket_policy(self, bucket: str) -> dict | None:
        try:
            return json.loads(self.client.get_bucket_policy(bucket))
        except S3Error as exc:
            if exc.code == "NoSuchBucketPolicy":
                return None
            raise self._translate(exc, bucket) from exc
        except Exception as exc:
            raise self._translate(exc, bucket) from exc

    # -- objects --------------------------------------------------------------------------------------
    def list(self, bucket: str, prefix: str = "") -> Iterator[ObjectInfo]:
        """Stream the objects under `prefix` (minio pages through ListObjectsV2 for us)."""
        try:
            for obj in self.client.list_objects(bucket, prefix=prefix or None, recursive=True):
                if obj.is_dir:
                    continue
                yield ObjectInfo(
                    bucket, obj.object_name, (obj.etag or "").strip('"'), obj.size or 0, obj.last_modified
                )
        except Exception as exc:
            raise self._translate(exc, bucket, prefix or None) from exc

    def stat(self, bucket: str, key: str) -> ObjectInfo:
        try:
            st = self.client.stat_object(bucket, key)
        except Exception as exc:
            raise self._translate(exc, bucket, key) from exc
        return ObjectInfo(bucket, key, (st.etag or "").strip('"'), st.size or 0, st.last_modified)

    def get_to_file(self, bucket: str, key: str, path: Path) -> ObjectInfo:
        """Download to `path` (streamed to disk, never whole in memory)."""
        try:
            st = self.client.fget_object(bucket, key, str(path))
        except Exception as exc:
            raise self._translate(exc, bucket, key) from exc
        return ObjectInfo(bucket, key, (st.etag or "").strip('"'), st.size or 0, st.last_modified)

    def get_bytes(self, bucket: str, key: str, max_bytes: int = 64 * 1024 * 1024) -> bytes:
        """Small objects only (sidecars, reports): refuses more than `max_bytes`."""
        try:
            resp = self.client.get_object(bucket, key)
            try:
                data = resp.read(max_bytes + 1)
            finally:
                resp.close()
                resp.release_conn()
        except Exception as exc:
            raise self._translate(exc, bucket, key) from exc
        if len(data) > max_bytes:
            raise StorageError(f"s3://{bucket}/{key}: larger than {max_bytes} bytes")
        return data

    def put_file(
        self,
        bucket: str,
        key: str,
        path: Path,
        content_type: str = "application/octet-stream",
        metadata: dict[str, str] | None = None,
    ) -> str:
        try:
            res = self.client.fput_object(
                bucket, key, str(path), content_type=content_type, metadata=metadata
            )
        except Exception as exc:
            raise self._translate(exc, bucket, key) from exc
        return (res.etag or "").strip('"')

    def put_bytes(
        self,
        bucket: str,
        key: str,
        data: bytes,
        content_type: str = "application/octet-stream",
        metadata: dict[str, str] | None = None,
    ) -> str:
        return self.put_stream(bucket, key, io.BytesIO(data), len(data), content_type, metadata)

    def put_stream(
        self,
        bucket: str,
        key: str,
        stream: BinaryIO,
        length: int,
        content_type: str = "application/octet-stream",
        metadata: dict[str, str] | None = None,
    ) -> str:
        try:
            res = self.client.put_object(
                bucket, key, stream, length, content_type=content_type, metadata=metadata
            )
        except Exception as exc:
            raise self._translate(exc, bucket, key) from exc
        return (res.etag or "").strip('"')

    def delete(self, bucket: str, key: str) -> None:
        try:
            self.client.remove_object(bucket, key)
        except Exception as exc:
            raise self._translate(exc, bucket, key) from exc

    def presign_get(self, bucket: str, key: str, expires_seconds: int = 3600) -> str:
        try:
            return self.client.presigned_get_object(bucket, key, expires=timedelta(seconds=expires_seconds))
        except Exception as exc:
            raise self._translate(exc, bucket, key) from exc
