"""The one place where the service's errors become :mod:`litestar_storages.exceptions`.

The template's "SDK" is a Python ``dict``, so its errors are the small classes below,
raised by :mod:`.driver`. A real backend matches its SDK's exception types and error
codes here, and nowhere else, and names in ``owns`` every exception type of its SDK and
transport: only those are translated, anything else (a bug) propagates as it is.
"""

from __future__ import annotations

from litestar_storages.error_mapping import ErrorMapper
from litestar_storages.exceptions import StorageError, StorageFileExistsError, StorageFileNotFoundError

__all__ = ("ObjectExistsError", "ObjectNotFoundError", "ServiceError", "UploadNotFoundError", "error_table")


class ServiceError(Exception):
    """Base of the service's errors (a real SDK has its own)."""


class ObjectNotFoundError(ServiceError):
    """The object does not exist."""


class ObjectExistsError(ServiceError):
    """A conditional write was refused because the object exists."""


class UploadNotFoundError(ServiceError):
    """The multipart upload was completed, aborted or never started."""


def translate_error(error: Exception, key: str | None) -> StorageError | None:
    """Return the storage error for a service error, or ``None`` for one it does not know.

    Args:
        error: The exception the service raised.
        key: The key of the operation that failed, if any.

    Returns:
        The storage error to raise; ``None`` lets the mapper raise a plain ``StorageError``.
    """
    if isinstance(error, ObjectNotFoundError):
        return StorageFileNotFoundError(key)
    if isinstance(error, ObjectExistsError):
        return StorageFileExistsError(key)
    if isinstance(error, UploadNotFoundError):
        return StorageError(f"The multipart upload of {key!r} was completed, aborted or never started", key=key)
    return None


def error_table(backend: str) -> ErrorMapper:
    """Return the error table of a driver.

    Args:
        backend: The backend's name, for messages.

    Returns:
        The mapper the engine applies around every driver call.
    """
    return ErrorMapper(translate_error, backend=backend, owns=(ServiceError,))
