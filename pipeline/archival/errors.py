"""Errors of the archival outputs (the one error model, `core.errors`). A PDF/A that cannot be made is
a problem of the record's derivative, never of the record: the caller keeps the text and metadata and
records the reason."""

from __future__ import annotations

from core.errors import ExitCode, SohoaError


class PdfaError(SohoaError):
    """The PDF/A derivative could not be made (or validated). `reason` is a short code for reports."""

    reason = "pdfa_failed"

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        if reason:
            self.reason = reason


class ValidatorMissingError(PdfaError):
    """veraPDF (or its Java) is not installed where we look."""

    reason = "validator_missing"
    exit_code = ExitCode.missing_dependency
