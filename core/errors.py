"""The one error model (after OCRmyPDF's `exceptions.py`).

Every error sohoa raises on purpose is a `SohoaError`. It carries:
- `reason`: a short stable code that lands in the ledger, the run report and Kibana;
- a message that names the file (or server) and, in `hint`, what to do next;
- `transient`: whether waiting and trying again may help (a server away, a timeout);
- `exit_code`: what the `sohoa` command exits with when this error ends it.

The CLI turns any of them into one line and its exit code in one handler (`cli/errors.py`); record
processing turns `InputError` into `quarantined` and everything else into `failed`.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    ok = 0
    failures = 1  # the command ran, but some records or inputs failed (or a search found nothing)
    usage = 2  # bad arguments or settings (typer's own usage errors exit 2 too)
    bad_input = 3  # the input file itself is unusable
    missing_dependency = 4  # an external program or model is not installed
    server_unavailable = 5  # Elasticsearch or the object store cannot be reached
    access_denied = 6  # the server refused our credentials
    not_found = 7  # a bucket, index or object that should exist does not
    temp_space = 8  # not enough free space in the temp folder
    other_error = 15
    ctrl_c = 130


class SohoaError(Exception):
    reason = "error"
    exit_code = ExitCode.other_error
    transient = False
    hint = ""

    def __init__(self, message: str, *, path: str | None = None, hint: str | None = None) -> None:
        self.message = message
        if hint is not None:
            self.hint = hint
        self.renamed(path)

    def renamed(self, path: str | None) -> SohoaError:
        """Name the file as the user knows it (the object key, not the local temp copy)."""
        self.path = path
        text = f"{path}: {self.message}" if path else self.message
        self.args = (f"{text} ({self.hint})" if self.hint else text,)
        return self


class InputError(SohoaError):
    """The input itself is unusable: quarantine it, do not retry."""

    reason = "bad_input"
    exit_code = ExitCode.bad_input


class ConfigError(SohoaError):
    """A setting or argument is wrong: nothing was done."""

    reason = "bad_config"
    exit_code = ExitCode.usage


class ServerUnavailableError(SohoaError):
    """A server (Elasticsearch, the object store) did not answer, or answered 429/5xx: worth waiting for."""

    reason = "server_unavailable"
    exit_code = ExitCode.server_unavailable
    transient = True

    def __init__(self, server: str, url: str, detail: str, *, hint: str | None = None) -> None:
        self.server, self.url = server, url
        super().__init__(
            f"{server} at {url} is unavailable ({detail})",
            hint=hint
            or "start the local servers with `make servers`, or check the URL; `sohoa doctor` tells",
        )


class AccessDeniedError(SohoaError):
    reason = "access_denied"
    exit_code = ExitCode.access_denied


class NotFoundError(SohoaError):
    reason = "not_found"
    exit_code = ExitCode.not_found


class ToolMissingError(SohoaError):
    """An external program (tesseract, pdftoppm) or its model is not installed: an environment fault."""

    reason = "tool_missing"
    exit_code = ExitCode.missing_dependency
    hint = "run `make setup` (installs tesseract-ocr, tesseract-ocr-vie, poppler-utils)"


class TempSpaceError(SohoaError):
    """Not enough free space in the temp folder to process a record: the record fails (retryable)."""

    reason = "tmp_space"
    exit_code = ExitCode.temp_space
    hint = "free some space, point TMPDIR elsewhere or lower SOHOA_MIN_FREE_TMP_MB"
