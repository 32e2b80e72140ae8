"""The versitygw admin API (users), spoken directly with SigV4-signed requests.

versitygw serves `PATCH /create-user|update-user|delete-user|list-users` on its S3 port when it runs
without `--admin-port` (cmd/internal/gwcli/admin.go and s3api/router.go in versity/versitygw v1.8.0).
We sign the requests ourselves instead of running `versitygw admin create-user --secret ...`,
because that would put the new secret in argv, where `ps` shows it to every local user.

Secrets go only into request bodies. `list_users` returns access keys and roles and drops the
secrets that the server sends back.
"""

from __future__ import annotations

import hashlib
import urllib.parse
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal
from xml.sax.saxutils import escape

import urllib3
from minio.credentials import Credentials
from minio.signer import sign_v4_s3

from storage.errors import AccessDeniedError, StorageError, StoreUnavailableError
from storage.objects import S3Endpoint

Role = Literal["user", "userplus", "admin"]


@dataclass(frozen=True)
class UserInfo:
    access_key: str
    role: str


class VersityAdmin:
    """Users on one versitygw gateway, managed with an admin (or root) key."""

    def __init__(self, endpoint: S3Endpoint, *, timeout: float = 15.0) -> None:
        self.endpoint = endpoint.host
        self._base = endpoint.url
        self._creds = Credentials(endpoint.access_key, endpoint.secret_key)
        self._region = endpoint.region
        self._http = endpoint.pool(timeout)

    def _call(self, path: str, query: dict[str, str] | None = None, body: bytes = b"") -> bytes:
        url = self._base + path + ("?" + urllib.parse.urlencode(query) if query else "")
        split = urllib.parse.urlsplit(url)
        now = datetime.now(UTC).replace(tzinfo=None)
        sha = hashlib.sha256(body).hexdigest()
        headers: dict[str, str] = {
            "Host": split.netloc,
            "x-amz-content-sha256": sha,
            "x-amz-date": now.strftime("%Y%m%dT%H%M%SZ"),
        }
        if body:
            headers["Content-Length"] = str(len(body))
        headers = dict(
            sign_v4_s3(
                method="PATCH",
                url=split,
                region=self._region,
                headers=headers,  # type: ignore[arg-type]
                credentials=self._creds,
                content_sha256=sha,
                date=now,
            )
        )
        try:
            resp = self._http.request("PATCH", url, body=body or None, headers=headers)
        except urllib3.exceptions.HTTPError as exc:
            raise StoreUnavailableError(
                f"versitygw admin API at {self.endpoint} unreachable ({type(exc).__name__})"
            ) from exc
        if resp.status >= 400:
            code, message = _error_of(resp.data)
            # The path, never the body: the body of create/update-user holds a secret.
            where = f"versitygw admin {path} at {self.endpoint}"
            if resp.status == 403 or code in {"AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch"}:
                raise AccessDeniedError(
                    f"{where}: {code or resp.status}",
                    hint="provisioning needs the gateway's root or an admin-role key "
                    "(SOHOA_S3_ACCESS_KEY/SOHOA_S3_SECRET_KEY)",
                )
            hint = (
                ""
                if code.startswith("XAdmin")
                else (
                    "; is this a versitygw gateway serving its admin API on this port? "
                    "(MinIO is provisioned with `mc`, see docs/security.md)"
                )
            )
            raise StorageError(f"{where}: {code or resp.status}: {message}{hint}")
        return resp.data

    # -- users ----------------------------------------------------------------------------------------
    def list_users(self) -> list[UserInfo]:
        root = ET.fromstring(self._call("/list-users") or b"<ListUserAccountsResult/>")
        users = []
        for acc in root.iter():
            if _local(acc.tag) != "Accounts":
                continue
            fields = {_local(c.tag): (c.text or "") for c in acc}
            users.append(UserInfo(fields.get("Access", ""), fields.get("Role", "")))
        return users

    def create_user(self, access_key: str, secret_key: str, role: Role = "user") -> None:
        body = (
            "<Account>"
            f"<Access>{escape(access_key)}</Access><Secret>{escape(secret_key)}</Secret>"
            f"<Role>{escape(role)}</Role><UserID>0</UserID><GroupID>0</GroupID><ProjectID>0</ProjectID>"
            "</Account>"
        ).encode()
        self._call("/create-user", body=body)

    def set_secret(self, access_key: str, secret_key: str) -> None:
        """Rotate: the gateway's IAM cache is updated by the same call, so the old secret stops at once."""
        body = f"<MutableProps><Secret>{escape(secret_key)}</Secret></MutableProps>".encode()
        self._call("/update-user", {"access": access_key}, body)

    def set_role(self, access_key: str, role: Role) -> None:
        body = f"<MutableProps><Role>{escape(role)}</Role></MutableProps>".encode()
        self._call("/update-user", {"access": access_key}, body)

    def delete_user(self, access_key: str) -> None:
        self._call("/delete-user", {"access": access_key})


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _error_of(data: bytes) -> tuple[str, str]:
    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        return "", data[:200].decode("utf-8", "replace")
    fields = {_local(c.tag): (c.text or "") for c in root}
    return fields.get("Code", ""), fields.get("Message", "")
