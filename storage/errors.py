"""Object-store errors: each names the bucket and key and says what to do (see `core.errors`)."""

from __future__ import annotations

from core.errors import ExitCode, SohoaError


class StorageError(SohoaError):
    """The object store refused or failed a request. `transient` ones are worth a retry."""

    reason = "s3_error"


class ObjectNotFoundError(StorageError):
    reason = "s3_not_found"
    exit_code = ExitCode.not_found


class AccessDeniedError(StorageError):
    reason = "s3_access_denied"
    exit_code = ExitCode.access_denied
    hint = "check SOHOA_S3_ACCESS_KEY/SOHOA_S3_SECRET_KEY and that this identity may use this bucket"


class StoreUnavailableError(StorageError):
    reason = "s3_unavailable"
    exit_code = ExitCode.server_unavailable
    transient = True
    hint = "is the object store running? `make servers` starts the local one; `sohoa doctor` tells"
