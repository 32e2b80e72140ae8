"""`sohoa users add|list|remove|set-password`: who may log in to `sohoa serve`.

Passwords are asked for at the prompt (or read from standard input with --password-stdin), never
taken from the command line, and stored only as argon2 hashes. District upload identities are not
people: their names are refused.
"""

from __future__ import annotations

import sys

import typer
from rich.console import Console
from rich.table import Table

from cli.errors import SohoaGroup
from config.clients import es_client
from config.settings import load_settings
from core.errors import ConfigError, ExitCode, NotFoundError
from search.templates import ensure_web_indices
from search.users import (
    ROLES,
    delete_user,
    get_user,
    hash_password,
    list_users,
    new_user,
    put_user,
    valid_name,
)
from storage.districts import is_district_identity

console = Console()

users_app = typer.Typer(
    cls=SohoaGroup,
    name="users",
    help="People who may log in to `sohoa serve` (viewer, editor).",
    no_args_is_help=True,
)


def _password(stdin: bool) -> str:
    if stdin:
        return sys.stdin.readline().rstrip("\n")
    first = typer.prompt("Password", hide_input=True)
    if typer.prompt("Repeat it", hide_input=True) != first:
        raise ConfigError("the two passwords differ")
    return first


def _hash(password: str) -> str:
    try:
        return hash_password(password)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def _name(name: str) -> str:
    name = valid_name(name)
    if is_district_identity(name):
        raise ConfigError(
            f"{name!r} is a district upload identity (or its name): those upload scans, they do not log in",
            hint="give the person a name of their own, e.g. nguyen.van.a",
        )
    return name


@users_app.command("add")
def add_command(
    name: str = typer.Argument(..., help="login name, e.g. nguyen.van.a"),
    role: str = typer.Option("viewer", "--role", help=f"one of: {', '.join(ROLES)}"),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="read the password from standard input"
    ),
) -> None:
    """Add a user (refused when the name exists)."""
    settings = load_settings()
    es = es_client(settings)
    name = _name(name)
    user = new_user(name, role, _hash(_password(password_stdin)))
    ensure_web_indices(es, settings.audit_index, settings.users_index)
    put_user(es, user, index=settings.users_index, create=True)
    console.print(f"user [bold]{user.name}[/] added ({user.role})")


@users_app.command("set-password")
def set_password_command(
    name: str = typer.Argument(...),
    role: str | None = typer.Option(None, "--role", help="also change the role"),
    password_stdin: bool = typer.Option(False, "--password-stdin"),
) -> None:
    """Give a user a new password (their open sessions end) and optionally a new role."""
    settings = load_settings()
    es = es_client(settings)
    user = get_user(es, _name(name), index=settings.users_index)
    if user is None:
        raise NotFoundError(f"no user {name!r}", hint="`sohoa users list` shows them")
    changed = new_user(user.name, role or user.role, _hash(_password(password_stdin)))
    put_user(
        es,
        changed.__class__(**{**changed.to_doc(), "created_at": user.created_at}),
        index=settings.users_index,
        create=False,
    )
    console.print(f"user [bold]{user.name}[/]: new password ({role or user.role})")


@users_app.command("remove")
def remove_command(name: str = typer.Argument(...)) -> None:
    """Remove a user (their open sessions end at once)."""
    settings = load_settings()
    if not delete_user(es_client(settings), valid_name(name), index=settings.users_index):
        console.print(f"no user {name!r}")
        raise typer.Exit(ExitCode.failures)
    console.print(f"user [bold]{name}[/] removed")


@users_app.command("list")
def list_command() -> None:
    """The users and their roles (never their passwords)."""
    settings = load_settings()
    table = Table(title="sohoa users")
    for col in ("name", "role", "created", "updated"):
        table.add_column(col)
    for u in list_users(es_client(settings), index=settings.users_index):
        table.add_row(u.name, u.role, u.created_at[:19], u.updated_at[:19])
    console.print(table)
