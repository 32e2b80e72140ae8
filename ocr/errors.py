"""The OCR layer's typed errors: input files that cannot be read, pages that cannot be recognised.

They derive from the one error model in `core.errors` (re-exported here for the OCR modules): an
`InputError` quarantines its record; a `PageError` fails one page while the others come out.
"""

from __future__ import annotations

from core.errors import InputError, SohoaError, ToolMissingError

__all__ = [
    "CorruptFileError",
    "EmptyFileError",
    "EncryptedPdfError",
    "ImageTooLargeError",
    "InputError",
    "OcrTimeoutError",
    "PageError",
    "SohoaError",
    "TooManyPagesError",
    "ToolMissingError",
    "UnsupportedTypeError",
]


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


class PageError(SohoaError):
    """One page could not be recognised; the other pages of the record still come out."""

    reason = "page_failed"


class OcrTimeoutError(PageError):
    reason = "ocr_timeout"
    hint = "Tesseract took longer than SOHOA_PAGE_TIMEOUT seconds on this page"
