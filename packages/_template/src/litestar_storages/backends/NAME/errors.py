"""The one place where the service's errors become :mod:`litestar_storages.exceptions`.

The template's "SDK" is a Python ``dict``, so its errors are the small classes below,
raised by :mod:`.driver`. A real backend states its SDK's exception types and error
codes here, in an :class:`~litestar_storages.error_table.ErrorTable`, and nowhere
else, and names in ``owns`` every exception type of its SDK and transport: only those
are translated, anything else (a bug) propagates as it is.
"""

from __future__ import annotations

from collections.abc import Mapping

from litestar_storages.error_mapping import ErrorMapper
from litestar_storages.error_table import ErrorTable, Outcome
from litestar_storages.exceptions import StorageFileExistsError, StorageFileNotFoundError

__all__ = ("ObjectExistsError", "ObjectNotFoundError", "ServiceError", "TYPES", "error_table")


class ServiceError(Exception):
    """Base of the service's errors (a real SDK has its own)."""


class ObjectNotFoundError(ServiceError):
    """The object does not exist."""


class ObjectExistsError(ServiceError):
    """A conditional write was refused because the object exists."""


TYPES: Mapping[type[BaseException], Outcome] = {
    ObjectNotFoundError: StorageFileNotFoundError,
    ObjectExistsError: StorageFileExistsError,
}
"""The service's exception types and their storage errors. A real SDK's error answers
add ``read=`` (status, code, message: statuses mean the same everywhere) and ``codes=``.
What the driver finds itself (an upload id not in progress) is a core
:class:`~litestar_storages.driver_errors.DriverError`, which every table knows."""


def error_table(backend: str) -> ErrorMapper:
    """Return the error table of a driver.

    Args:
        backend: The backend's name, for messages.

    Returns:
        The mapper the engine applies around every driver call.
    """
    return ErrorTable(backend, types=TYPES).mapper((ServiceError,))
