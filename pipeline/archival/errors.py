"""Errors of the archival outputs. A PDF/A that cannot be made is a problem of the record's derivative,
never of the record: the caller keeps the text and metadata and records the reason."""

from __future__ import annotations


class PdfaError(Exception):
    """The PDF/A derivative could not be made (or validated). `reason` is a short code for reports."""

    def __init__(self, message: str, *, reason: str = "pdfa_failed") -> None:
        super().__init__(message)
        self.reason = reason


class ValidatorMissingError(PdfaError):
    """veraPDF (or its Java) is not installed where we look."""

    def __init__(self, message: str) -> None:
        super().__init__(message, reason="validator_missing")
