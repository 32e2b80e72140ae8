"""Fixtures for the web application's tests: throw-away indices (records, ledger, audit, users), users
with known passwords, and a logged-in HTTP client of the real application."""

from __future__ import annotations

import re
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn
from elasticsearch import Elasticsearch

from config.settings import Settings
from pipeline.run.context import RunContext
from pipeline.run.job import Outcome, handle_object
from pipeline.run.plan import Mode, PlanStats, plan
from pipeline.run.sink import flush
from search.ledger import get_states
from search.templates import ensure_indices, ensure_web_indices
from search.users import hash_password, new_user, put_user
from storage.objects import ObjectStore

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


def run_plain_batch(
    settings: Settings, es: Elasticsearch, store: ObjectStore, bucket: str, mode: Mode
) -> list[Outcome]:
    """A batch as `sohoa run` does it (plan from the ledger, process, index through the sink, ledger),
    without Prefect's orchestration around it: the same `pipeline.run` functions, one record at a time."""
    ctx = RunContext(settings.run_config(), store, es, uuid.uuid4().hex)
    store.ensure_bucket(ctx.config.processed_bucket)

    def lookup(ids: list[str]) -> dict:
        return get_states(es, ids, index=ctx.config.ledger_index)

    todo = list(plan(store.list(bucket), lookup, mode, PlanStats()))
    return flush([handle_object(source, ctx) for source in todo], ctx)


class BackgroundServer:
    """uvicorn serving the application in a thread, on a free loopback port."""

    def __init__(self, app: Any, host: str = "localhost") -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://{host}:{self.port}"
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> BackgroundServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the web application did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
