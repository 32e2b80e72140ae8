"""Fixtures for the web application's tests: throw-away indices (records, ledger, audit, users), users
with known passwords, and a logged-in HTTP client of the real application."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import httpx
from elasticsearch import Elasticsearch

from config.settings import Settings
from search.templates import ensure_indices, ensure_web_indices
from search.users import hash_password, new_user, put_user

PASSWORD = "mat-khau-thu-nghiem"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class WebNames:
    prefix: str
    alias: str
    ledger: str
    audit: str
    users: str

    def env(self) -> dict[str, str]:
        return {
            "SOHOA_INDEX_ALIAS": self.alias,
            "SOHOA_LEDGER_INDEX": self.ledger,
            "SOHOA_AUDIT_INDEX": self.audit,
            "SOHOA_USERS_INDEX": self.users,
        }


def web_names() -> WebNames:
    prefix = f"sohoa-test-{uuid.uuid4().hex[:8]}"
    return WebNames(prefix, f"{prefix}-records", f"{prefix}-ledger", f"{prefix}-audit", f"{prefix}-users")


def make_web_indices(es: Elasticsearch, names: WebNames) -> None:
    ensure_indices(es, names.alias, names.ledger)
    ensure_web_indices(es, names.audit, names.users)


def web_settings(settings: Settings, names: WebNames, **overrides: object) -> Settings:
    return settings.model_copy(
        update={
            "index_alias": names.alias,
            "ledger_index": names.ledger,
            "audit_index": names.audit,
            "users_index": names.users,
            **overrides,
        }
    )


def add_user(es: Elasticsearch, names: WebNames, name: str, role: str, password: str = PASSWORD) -> None:
    put_user(es, new_user(name, role, hash_password(password)), index=names.users, create=True)


def csrf_of(html: str) -> str:
    m = _CSRF.search(html)
    assert m, "no CSRF token in the page"
    return m.group(1)


def log_in(client: httpx.Client, name: str, password: str = PASSWORD) -> httpx.Response:
    token = csrf_of(client.get("/login").text)
    return client.post(
        "/login", data={"username": name, "password": password, "csrf_token": token, "next": "/"}
    )
