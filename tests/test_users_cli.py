"""`sohoa users` through the real CLI on the real Elasticsearch: add, list, set-password, remove; refused
names (district identities) and short passwords; never a password on the command line or in output."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from elasticsearch import Elasticsearch
from typer.testing import CliRunner

from cli.app import app
from core.errors import ExitCode
from search.users import get_user, verify_password
from tests.search_fixtures import drop_prefix
from tests.web_fixtures import WebNames, make_web_indices, web_names

pytestmark = pytest.mark.servers
runner = CliRunner()


@pytest.fixture(name="names")
def names_fixture(es: Elasticsearch, monkeypatch: pytest.MonkeyPatch) -> Iterator[WebNames]:
    names = web_names()
    make_web_indices(es, names)
    for key, value in names.env().items():
        monkeypatch.setenv(key, value)
    yield names
    drop_prefix(es, names.prefix)


def test_users_lifecycle(names: WebNames, es: Elasticsearch) -> None:
    add = runner.invoke(
        app,
        ["users", "add", "Nguyen.Van.A", "--role", "editor", "--password-stdin"],
        input="mot-mat-khau-dai\n",
    )
    assert add.exit_code == 0, add.output
    user = get_user(es, "nguyen.van.a", index=names.users)
    assert (
        user is not None and user.role == "editor" and verify_password(user.password_hash, "mot-mat-khau-dai")
    )
    assert "mot-mat-khau-dai" not in add.output

    again = runner.invoke(
        app, ["users", "add", "nguyen.van.a", "--password-stdin"], input="mot-mat-khau-khac\n"
    )
    assert again.exit_code == ExitCode.usage and "exists" in again.output

    listed = runner.invoke(app, ["users", "list"])
    assert listed.exit_code == 0 and "nguyen.van.a" in listed.output and "$argon2" not in listed.output

    changed = runner.invoke(
        app,
        ["users", "set-password", "nguyen.van.a", "--role", "viewer", "--password-stdin"],
        input="mat-khau-moi-123\n",
    )
    assert changed.exit_code == 0, changed.output
    user2 = get_user(es, "nguyen.van.a", index=names.users)
    assert user2 is not None and user2.role == "viewer" and user2.created_at == user.created_at
    assert verify_password(user2.password_hash, "mat-khau-moi-123") and not verify_password(
        user2.password_hash, "mot-mat-khau-dai"
    )

    assert runner.invoke(app, ["users", "remove", "nguyen.van.a"]).exit_code == 0
    assert get_user(es, "nguyen.van.a", index=names.users) is None
    assert runner.invoke(app, ["users", "remove", "nguyen.van.a"]).exit_code == ExitCode.failures


@pytest.mark.parametrize("name", ["sohoa-cau-giay", "sohoa-pipeline", "cau-giay", "pipeline"])
def test_district_identities_cannot_become_users(names: WebNames, es: Elasticsearch, name: str) -> None:
    result = runner.invoke(app, ["users", "add", name, "--password-stdin"], input="mot-mat-khau-dai\n")
    assert result.exit_code == ExitCode.usage and "district upload identity" in result.output
    assert get_user(es, name, index=names.users) is None


def test_short_passwords_and_bad_roles_are_refused(names: WebNames) -> None:
    short = runner.invoke(app, ["users", "add", "tran.b", "--password-stdin"], input="ngan\n")
    assert short.exit_code == ExitCode.usage and "at least 10" in short.output
    role = runner.invoke(
        app, ["users", "add", "tran.b", "--role", "admin", "--password-stdin"], input="mot-mat-khau-dai\n"
    )
    assert role.exit_code == ExitCode.usage and "unknown role" in role.output
