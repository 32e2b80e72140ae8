"""The people who may log in to `sohoa serve`, stored in their own index (one document per user).

Only names, roles and password hashes (argon2, made by `web.auth`); never a password. The index is
written by `sohoa users` (an administrator) and read by the web application.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from elasticsearch import ApiError, ConflictError, Elasticsearch

from core.errors import ConfigError
from search.errors import es_errors

__all__ = [
    "DUMMY_HASH",
    "ROLES",
    "UserExistsError",
    "UserRecord",
    "delete_user",
    "get_user",
    "hash_password",
    "list_users",
    "put_user",
    "valid_name",
    "verify_password",
]

ROLES = ("viewer", "editor")  # viewer: read and open scans; editor: also correct and review
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}$")
MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHasher()  # argon2id with the library's current parameters
# what a login checks against when the user does not exist: a wrong name costs as much as a wrong password
DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    """An argon2id hash (salted): the only form in which a password is stored."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


class UserExistsError(ConfigError):
    reason = "user_exists"
    hint = "choose another name, or `sohoa users set-password` for the existing user"


def valid_name(name: str) -> str:
    name = name.strip().lower()
    if not _NAME.fullmatch(name):
        raise ConfigError(
            f"user name {name!r} is not allowed",
            hint="2-63 characters: lower-case letters, digits, '.', '_' or '-', first a letter or digit",
        )
    return name


@dataclass(frozen=True)
class UserRecord:
    name: str
    role: str
    password_hash: str
    created_at: str
    updated_at: str

    @property
    def can_edit(self) -> bool:
        return self.role == "editor"

    def to_doc(self) -> dict[str, Any]:
        return asdict(self)


def _now() -> str:
    return datetime.now(UTC).isoformat()


def new_user(name: str, role: str, password_hash: str) -> UserRecord:
    if role not in ROLES:
        raise ConfigError(f"unknown role {role!r}", hint=f"one of: {', '.join(ROLES)}")
    now = _now()
    return UserRecord(valid_name(name), role, password_hash, now, now)


@es_errors
def get_user(es: Elasticsearch, name: str, *, index: str) -> UserRecord | None:
    """The user, read in real time (a removed user or a new password takes effect at once)."""
    try:
        got = es.get(index=index, id=name.strip().lower())
    except ApiError as exc:
        if exc.status_code == 404:  # no such user, or no users index yet
            return None
        raise
    src = got["_source"]
    return UserRecord(src["name"], src["role"], src["password_hash"], src["created_at"], src["updated_at"])


@es_errors
def put_user(es: Elasticsearch, user: UserRecord, *, index: str, create: bool) -> None:
    """Create (refused when the name exists) or replace a user."""
    try:
        es.index(
            index=index,
            id=user.name,
            document=user.to_doc(),
            op_type="create" if create else "index",
            refresh="wait_for",
        )
    except ConflictError:
        raise UserExistsError(f"user {user.name!r} exists already") from None


@es_errors
def list_users(es: Elasticsearch, *, index: str) -> list[UserRecord]:
    resp = es.search(
        index=index, query={"match_all": {}}, sort=[{"name": "asc"}], size=1000, ignore_unavailable=True
    )
    return [
        UserRecord(s["name"], s["role"], s["password_hash"], s["created_at"], s["updated_at"])
        for s in (h["_source"] for h in resp["hits"]["hits"])
    ]


@es_errors
def delete_user(es: Elasticsearch, name: str, *, index: str) -> bool:
    try:
        es.delete(index=index, id=name.strip().lower(), refresh="wait_for")
    except ApiError as exc:
        if exc.status_code == 404:
            return False
        raise
    return True
