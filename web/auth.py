"""Who is asking: passwords (argon2), the signed session, CSRF tokens, the login rate limit, roles.

The session is Starlette's signed cookie (HttpOnly, SameSite=Lax, Secure unless turned off for a
plain-HTTP test), holding the user name, a fingerprint of the password hash (a new password or a
removed user ends every session at once: the user is read again on each request) and the CSRF token.
District upload identities are S3 keys, not users: they are never in the users index, their names
are refused by `sohoa users add`, and a login with such a name is refused before any lookup.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass

from elasticsearch import Elasticsearch
from starlette.requests import Request

from search.users import DUMMY_HASH, UserRecord, get_user, verify_password
from storage.districts import is_district_identity

__all__ = [
    "CSRF_FIELD",
    "LoginLimiter",
    "csrf_token",
    "login",
    "logout",
    "session_user",
    "valid_csrf",
]

CSRF_FIELD = "csrf_token"


def _fingerprint(user: UserRecord) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def csrf_token(request: Request) -> str:
    """The session's CSRF token (made on first use; forms carry it in a hidden field)."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def valid_csrf(request: Request, submitted: str | None) -> bool:
    expected = request.session.get("csrf")
    return bool(expected and submitted) and hmac.compare_digest(str(expected), str(submitted))


def authenticate(es: Elasticsearch, users_index: str, name: str, password: str) -> UserRecord | None:
    """The user when the password is right; None otherwise (same work either way)."""
    if not name or is_district_identity(name):
        verify_password(DUMMY_HASH, password)
        return None
    user = get_user(es, name, index=users_index)
    if user is None:
        verify_password(DUMMY_HASH, password)
        return None
    return user if verify_password(user.password_hash, password) else None


def login(request: Request, user: UserRecord) -> None:
    """Start a fresh session (a new CSRF token too: nothing from before the login carries over)."""
    request.session.clear()
    request.session.update(
        {
            "user": user.name,
            "pwv": _fingerprint(user),
            "iat": int(time.time()),
            "csrf": secrets.token_urlsafe(32),
        }
    )


def logout(request: Request) -> None:
    request.session.clear()


def session_user(
    request: Request, es: Elasticsearch, users_index: str, max_age_s: float
) -> UserRecord | None:
    """The logged-in user, read again from the users index; None when the session is missing, too old,
    or its user was removed or given a new password since."""
    name = request.session.get("user")
    if not name:
        return None
    if time.time() - float(request.session.get("iat", 0)) > max_age_s:
        request.session.clear()
        return None
    user = get_user(es, name, index=users_index)
    if user is None or request.session.get("pwv") != _fingerprint(user) or is_district_identity(user.name):
        request.session.clear()
        return None
    return user


@dataclass
class LoginLimiter:
    """At most `attempts` failed logins per (address, name) and 4x that per address, in `window` seconds.

    In memory, per process: behind a proxy with several instances, each counts its own (the proxy's
    own limit is the first line; docs/web.md)."""

    attempts: int = 5
    window: float = 300.0

    def __post_init__(self) -> None:
        self._fails: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        q = self._fails.setdefault(key, deque())
        while q and now - q[0] > self.window:
            q.popleft()
        return q

    def blocked(self, address: str, name: str) -> bool:
        now = time.monotonic()
        with self._lock:
            return (
                len(self._recent((address, name.lower()), now)) >= self.attempts
                or len(self._recent((address, ""), now)) >= 4 * self.attempts
            )

    def failed(self, address: str, name: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._recent((address, name.lower()), now).append(now)
            self._recent((address, ""), now).append(now)

    def succeeded(self, address: str, name: str) -> None:
        with self._lock:
            self._fails.pop((address, name.lower()), None)
