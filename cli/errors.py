"""The one place an error becomes what the user sees: one line naming the file or server and the fix,
and the exit code of `core.errors.ExitCode`. A traceback only with `sohoa --debug`."""

from __future__ import annotations

import os
import sys

import typer
import urllib3
from rich.console import Console
from typer.core import TyperGroup
from typer.exceptions import TyperException

from config.settings import load_settings
from core.errors import ExitCode, ServerUnavailableError, SohoaError
from search.errors import translate as translate_es

err_console = Console(stderr=True, highlight=False)


def debug_enabled() -> bool:
    return os.environ.get("SOHOA_DEBUG", "").lower() in ("1", "true", "yes")


def as_sohoa_error(exc: BaseException) -> SohoaError | None:
    """Our error for `exc`, including client exceptions that reached the command untranslated."""
    if isinstance(exc, SohoaError):
        return exc
    if not isinstance(exc, Exception):
        return None
    settings = load_settings()
    if typed := translate_es(exc, settings.es_url):
        return typed
    if isinstance(exc, urllib3.exceptions.HTTPError):
        return ServerUnavailableError("The object store", settings.s3_url(), type(exc).__name__)
    return None


def report(exc: BaseException) -> int:
    """Print `exc` for a person; return the exit code."""
    if isinstance(exc, BrokenPipeError):  # `sohoa … | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return ExitCode.ok
    if isinstance(exc, KeyboardInterrupt):
        err_console.print("[yellow]Interrupted.[/] Finished work is saved; run the same command to resume.")
        return ExitCode.ctrl_c
    typed = as_sohoa_error(exc)
    if typed is not None:
        err_console.print(f"[red]error[/] ({typed.reason}): {typed}", soft_wrap=True)
        return typed.exit_code
    err_console.print(
        f"[red]unexpected error[/]: {type(exc).__name__}: {exc}\n"
        "Run the command again with `sohoa --debug …` for the traceback, and report it.",
        soft_wrap=True,
    )
    return ExitCode.other_error


class SohoaGroup(TyperGroup):
    """The top-level command group: whatever a sub-command raises ends here."""

    def invoke(self, ctx):  # type: ignore[no-untyped-def]
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, TyperException):
            raise  # a command's own exit code, or a usage error (typer prints those itself)
        except (Exception, KeyboardInterrupt) as exc:
            if debug_enabled():
                raise
            sys.stdout.flush()
            raise typer.Exit(report(exc)) from None
