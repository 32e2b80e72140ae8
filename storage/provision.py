"""Create (idempotently) the unit (commune, former district) and pipeline identities on a versitygw
gateway, and the bucket policies that confine them. Production MinIO is provisioned with `mc`
(docs/security.md).

Secrets: generated here, sent only in the admin API request body, written only to the credentials
file (mode 0600). They are never logged or printed, and `Identity` keeps them out of its repr.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import string
import tempfile
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from storage.districts import Layout, intake_bucket_policy, load_units, processed_bucket_policy, unit
from storage.errors import StorageError
from storage.objects import ObjectStore
from storage.versity_admin import VersityAdmin

log = logging.getLogger(__name__)

PIPELINE = "pipeline"
_ALPHABET = string.ascii_letters + string.digits


def generate_secret(length: int = 40) -> str:
    """40 alphanumerics (~238 bits), like MinIO's generated secrets; safe in TOML, env files, URLs."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


@dataclass(frozen=True)
class Identity:
    name: str  # a unit slug (commune or former district), or "pipeline"
    access_key: str
    area: str  # what it may touch, for people to read
    status: str  # created | rotated | unchanged | revoked
    secret: SecretStr | None = field(default=None, repr=False, compare=False)
    note: str = ""


@dataclass
class ProvisionResult:
    identities: list[Identity]
    buckets: list[str]
    intake_districts: list[str]  # the units (communes, districts) the intake bucket policy now names


def _area(layout: Layout, name: str) -> str:
    if name == PIPELINE:
        return f"read s3://{layout.intake_bucket}/, write s3://{layout.processed_bucket}/"
    return f"write+list {layout.district_area(name)}"


def _access_key(layout: Layout, name: str) -> str:
    return layout.pipeline_access_key if name == PIPELINE else layout.district_access_key(name)


def _check_names(names: Iterable[str]) -> list[str]:
    out = []
    for name in names:
        if name != PIPELINE:
            unit(name)  # ConfigError naming the command that lists the known slugs
        if name not in out:
            out.append(name)
    return out


def apply_bucket_policies(store: ObjectStore, layout: Layout, existing: set[str]) -> list[str]:
    """Rewrite both bucket policies from the identities that exist now.

    versitygw refuses a policy naming a user who does not exist, so the policy follows the users:
    units provisioned earlier stay in it, revoked ones leave it.
    """
    present = [u.slug for u in load_units() if layout.district_access_key(u.slug) in existing]
    has_pipeline = layout.pipeline_access_key in existing
    intake = intake_bucket_policy(present, layout, pipeline=has_pipeline)
    if intake["Statement"]:
        store.set_bucket_policy(layout.intake_bucket, intake)
    elif store.get_bucket_policy(layout.intake_bucket) is not None:
        store.delete_bucket_policy(layout.intake_bucket)
    if has_pipeline:
        store.set_bucket_policy(layout.processed_bucket, processed_bucket_policy(layout))
    return present


def provision(
    admin: VersityAdmin,
    store: ObjectStore,
    layout: Layout,
    names: Sequence[str] | None = None,
    *,
    pipeline: bool = True,
    rotate: bool = False,
    new_secret: Callable[[], str] = generate_secret,
    save: Callable[[ProvisionResult], None] | None = None,
) -> ProvisionResult:
    """Ensure buckets, users (role `user`) and bucket policies. `names`: unit slugs, communes or former
    districts (all 156 if None).

    An existing user keeps its secret unless `rotate`; its role is reset to `user` if someone raised
    it, since admin and userplus roles would bypass or widen the policies. `save` gets the identities
    with their new secrets as soon as the users exist, even if a later step fails: a secret that
    was set on the server but never saved could only be replaced, not recovered.
    """
    wanted = _check_names([u.slug for u in load_units()] if names is None else names)
    if pipeline and PIPELINE not in wanted:
        wanted.append(PIPELINE)
    for bucket in (layout.intake_bucket, layout.processed_bucket):
        store.ensure_bucket(bucket)

    users = {u.access_key: u.role for u in admin.list_users()}
    identities: list[Identity] = []
    buckets = [layout.intake_bucket, layout.processed_bucket]
    try:
        _ensure_users(admin, layout, wanted, users, identities, rotate, new_secret)
    finally:
        if save is not None:
            save(ProvisionResult(identities, buckets, []))

    present = apply_bucket_policies(store, layout, set(users))
    log.info("intake bucket policy names %d units", len(present))
    return ProvisionResult(identities, buckets, present)


def _ensure_users(
    admin: VersityAdmin,
    layout: Layout,
    wanted: list[str],
    users: dict[str, str],
    identities: list[Identity],
    rotate: bool,
    new_secret: Callable[[], str],
) -> None:
    for name in wanted:
        ak, note, secret = _access_key(layout, name), "", None
        if ak not in users:
            secret = new_secret()
            admin.create_user(ak, secret, "user")
            status = "created"
        elif rotate:
            secret = new_secret()
            admin.set_secret(ak, secret)
            status = "rotated"
        else:
            status = "unchanged"
        if ak in users and users[ak] != "user":
            admin.set_role(ak, "user")
            note = f"role was {users[ak]!r}, reset to 'user'"
        users[ak] = "user"
        identities.append(
            Identity(name, ak, _area(layout, name), status, SecretStr(secret) if secret else None, note)
        )
        log.info("identity %s (%s): %s %s", name, ak, status, note)


def revoke(admin: VersityAdmin, store: ObjectStore, layout: Layout, names: Sequence[str]) -> ProvisionResult:
    """Delete identities. The policy is rewritten first, so it never names a deleted user."""
    names = _check_names(names)
    users = {u.access_key for u in admin.list_users()}
    gone = {_access_key(layout, n) for n in names}
    present = apply_bucket_policies(store, layout, users - gone)
    identities = []
    for name in names:
        ak = _access_key(layout, name)
        if ak in users:
            admin.delete_user(ak)
        identities.append(Identity(name, ak, _area(layout, name), "revoked" if ak in users else "absent"))
        log.info("identity %s (%s): revoked", name, ak)
    return ProvisionResult(identities, [], present)


# -- the credentials file ------------------------------------------------------------------------------
_HEADER = """\
# sohoa object-store credentials, written by `sohoa units provision`.
# SECRET: keep this file mode 0600, never commit it, never send it whole. Give each office
# only its own section; its keys are `sohoa` settings (top level of sohoa.toml, or SOHOA_* variables).
"""


def _toml_str(value: str) -> str:
    # JSON string escapes are valid TOML basic-string escapes.
    return json.dumps(value)


def credentials_entries(result: ProvisionResult, layout: Layout, endpoint: str) -> dict[str, dict[str, str]]:
    """Sections for identities that got a new secret; the others keep what the file already had."""
    entries = {}
    for ident in result.identities:
        if ident.secret is None:
            continue
        entry = {
            "s3_endpoint": endpoint,
            "s3_access_key": ident.access_key,
            "s3_secret_key": ident.secret.get_secret_value(),
            "intake_bucket": layout.intake_bucket,
        }
        if ident.name == PIPELINE:
            entry["processed_bucket"] = layout.processed_bucket
        else:
            entry["prefix"] = layout.district_prefix(ident.name)
        entries[ident.name] = entry
    return entries


def write_credentials(path: Path, entries: dict[str, dict[str, str]], remove: Iterable[str] = ()) -> None:
    """Merge `entries` into the TOML file at `path` (created 0600), atomically."""
    current: dict[str, Any] = {}
    if path.exists():
        try:
            current = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            # Say where, not what: the file holds secrets.
            raise StorageError(
                f"{path}: not a TOML credentials file ({exc.args[0][:80]}); move it away"
            ) from exc
    for name in remove:
        current.pop(name, None)
    current.update(entries)
    lines = [_HEADER]
    for name in sorted(current):
        key = name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else _toml_str(name)
        lines.append(f"\n[{key}]\n")
        lines += [f"{k} = {_toml_str(str(v))}\n" for k, v in current[name].items()]
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")  # 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write("".join(lines))
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
