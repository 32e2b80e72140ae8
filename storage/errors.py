"""Storage errors that name the bucket and key and say what to do."""

from __future__ import annotations


class StorageError(Exception):
    """The object store refused or failed a request. `transient` errors are worth a retry."""

    transient = False


class ObjectNotFoundError(StorageError):
    pass


class AccessDeniedError(StorageError):
    pass


class StoreUnavailableError(StorageError):
    transient = True
