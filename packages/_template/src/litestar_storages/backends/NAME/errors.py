"""The one place where the service's errors become :mod:`litestar_storages.exceptions`.

The template's "SDK" is a Python ``dict``: a missing object raises ``KeyError``. A real
backend matches its SDK's exception types and error codes here, and nowhere else.
"""

from __future__ import annotations

from litestar_storages.exceptions import StorageError, StorageFileExistsError, StorageFileNotFoundError

__all__ = ("ObjectExistsError", "translate_error")


class ObjectExistsError(Exception):
    """The service refused a conditional write because the object exists."""


def translate_error(error: Exception, key: str | None) -> StorageError | None:
    """Return the storage error for a service error, or ``None`` for one it does not know.

    Args:
        error: The exception the service raised.
        key: The key of the operation that failed, if any.

    Returns:
        The storage error to raise; ``None`` lets the mapper raise a plain ``StorageError``.
    """
    if isinstance(error, KeyError):
        return StorageFileNotFoundError(key)
    if isinstance(error, ObjectExistsError):
        return StorageFileExistsError(key)
    return None
