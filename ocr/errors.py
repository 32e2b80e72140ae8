"""Typed errors. Each names the file, the reason and what to do next.

`reason` is a short stable code that lands in the ledger and the run report; the message is for people.
`InputError`s are bad input: the record is quarantined and never retried. Anything else that escapes
record processing is treated as transient and the record ends `failed` (retryable).
"""

from __future__ import annotations


class SohoaError(Exception):
    reason = "error"
    exit_code = 1
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
    exit_code = 2


class EmptyFileError(InputError):
    reason = "empty_file"
    hint = "the upload is zero bytes; upload the scan again"


class UnsupportedTypeError(InputError):
    reason = "unsupported_type"
    hint = "accepted: PDF, TIFF, PNG, JPEG"


class CorruptFileError(InputError):
    reason = "corrupt_file"
    hint = "the file is truncated or damaged; rescan or re-export it"


class EncryptedPdfError(InputError):
    reason = "encrypted_pdf"
    hint = "remove the password first, e.g. `qpdf --decrypt in.pdf out.pdf`, and upload again"


class ImageTooLargeError(InputError):
    reason = "image_too_large"
    hint = "the image exceeds the pixel limit (SOHOA_MAX_PIXELS); possible decompression bomb"


class TooManyPagesError(InputError):
    reason = "too_many_pages"
    hint = "split the document or raise SOHOA_MAX_PAGES"


class NoTextError(InputError):
    reason = "no_text"
    hint = "no page produced any text; check the scan is not blank"


class PageError(SohoaError):
    """One page could not be recognised; the other pages of the record still come out."""

    reason = "page_failed"


class OcrTimeoutError(PageError):
    reason = "ocr_timeout"
    hint = "Tesseract took longer than SOHOA_PAGE_TIMEOUT seconds on this page"


class ToolMissingError(SohoaError):
    """An external program (tesseract, pdftoppm) is not installed: an environment fault, retryable."""

    reason = "tool_missing"
    exit_code = 3
    hint = "run `make setup` (installs tesseract-ocr, tesseract-ocr-vie, poppler-utils)"
