"""The one place where azure-core and azure-storage-blob errors become storage errors.

The SDK already turns Azure's error codes into ``ResourceNotFoundError``,
``ResourceExistsError`` and so on; the table goes by the container's codes first, then
by those types (along each exception's MRO), then by HTTP status; never by message
text. What the driver finds itself is a core
:class:`~litestar_storages.driver_errors.DriverError` (staged blocks discarded by
another write: :class:`BlocksDiscarded`), translated with the key like the SDK's.
"""

from __future__ import annotations

import asyncio

import aiohttp

from azure.core import exceptions as sdk
from litestar_storages.driver_errors import DriverError
from litestar_storages.error_table import Answer, ErrorTable, Misconfigured
from litestar_storages.exceptions import (
    ConcurrentWriteError,
    StorageConnectionError,
    StorageError,
    StorageFileExistsError,
    StorageFileNotFoundError,
    StoragePermissionError,
)

__all__ = ("BACKEND", "ERROR_CATEGORIES", "MAPPER", "BlocksDiscarded", "error_code", "no_container")

BACKEND = "AzureStorage"

ERROR_CATEGORIES: dict[type[BaseException], type[StorageError]] = {
    sdk.ResourceNotFoundError: StorageFileNotFoundError,
    sdk.ResourceExistsError: StorageFileExistsError,
    # 412 ConditionNotMet: the only condition the storage sends is If-None-Match: *.
    sdk.ResourceModifiedError: StorageFileExistsError,
    sdk.ClientAuthenticationError: StoragePermissionError,
    sdk.ServiceRequestError: StorageConnectionError,
    sdk.ServiceResponseError: StorageConnectionError,
    sdk.IncompleteReadError: StorageConnectionError,
    # Generic: refined by HTTP status; the two (de)serialization errors are ValueErrors.
    sdk.AzureError: StorageError,
    sdk.SerializationError: StorageError,
    sdk.DeserializationError: StorageError,
}
"""The SDK's exception types (subclasses included) and the storage error each becomes before status refinement."""

_CONTAINER_MISSING = frozenset({"ContainerNotFound", "ContainerBeingDeleted"})


class BlocksDiscarded(DriverError):
    """A commit found its staged blocks discarded, and no other write of the blob can be seen."""

    outcome = ConcurrentWriteError


def error_code(error: sdk.HttpResponseError) -> str:
    """Return Azure's error code of ``error`` (``"BlobNotFound"``), or ``""``."""
    code = getattr(error, "error_code", None)
    if not code and error.response is not None:
        # Answers to the generated operations (_sdk.py) are not processed: read the header.
        code = getattr(error.response, "headers", {}).get("x-ms-error-code")
    return str(getattr(code, "value", code) or "")


def no_container(error: sdk.HttpResponseError) -> bool:
    """Tell whether a not-found answer is about the container (``ContainerNotFound``, ``...BeingDeleted``)."""
    return error_code(error) in _CONTAINER_MISSING


def _answer(error: Exception) -> Answer | None:
    if not isinstance(error, sdk.HttpResponseError):
        return None
    # The reason phrase, not the SDK's message: that one repeats the whole XML answer.
    return Answer(error.status_code, error_code(error), error.reason or "")


_TABLE = ErrorTable(
    BACKEND,
    read=_answer,
    codes={
        **dict.fromkeys(_CONTAINER_MISSING, Misconfigured("container", "create it or fix AzureConfig.container")),
        "BlobArchived": StorageError,  # 409, not "exists": an Archive-tier blob is read once rehydrated
    },
    types={
        **ERROR_CATEGORIES,
        **dict.fromkeys((OSError, asyncio.TimeoutError), StorageConnectionError),
    },
)
translate_error = _TABLE.translate

# Translated: the SDK's, aiohttp's and sockets' exceptions (and the driver's own); any other is a bug.
_OWNED = (*ERROR_CATEGORIES, aiohttp.ClientError, asyncio.TimeoutError, OSError)

MAPPER = _TABLE.mapper(_OWNED)
"""The driver's error table, applied by the engine around every request and downloaded body."""
