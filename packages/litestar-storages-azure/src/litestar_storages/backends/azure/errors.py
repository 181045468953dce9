"""The one place where azure-core and azure-storage-blob errors become storage errors.

The SDK already turns Azure's error codes into ``ResourceNotFoundError``,
``ResourceExistsError`` and so on: the :class:`~litestar_storages.error_table.ErrorTable`
here goes by the container's codes first, then by those exception types, then by HTTP
status for the generic ``HttpResponseError``; never by message text. :data:`MAPPER` is the
driver's error table: the engine applies it around every request and every downloaded
body. Two outcomes the driver finds itself (:class:`BlocksDiscarded`,
:class:`UploadAborted`) are raised as exceptions of this module and translated here
too, so they carry the storage key like every other error.
"""

from __future__ import annotations

import asyncio

import aiohttp

from azure.core import exceptions as sdk
from azure.core.exceptions import HttpResponseError
from azure.storage.blob import PartialBatchErrorException
from litestar_storages.error_table import Answer, ErrorTable, Misconfigured
from litestar_storages.exceptions import (
    ConcurrentWriteError,
    StorageConnectionError,
    StorageError,
    StorageFileExistsError,
    StorageFileNotFoundError,
    StoragePermissionError,
)

__all__ = (
    "BACKEND",
    "ERROR_CATEGORIES",
    "MAPPER",
    "OWNED_ERRORS",
    "BlocksDiscarded",
    "UploadAborted",
    "container_missing",
    "error_code",
    "TABLE",
    "translate_error",
)

BACKEND = "AzureStorage"

_TRANSPORT = (
    sdk.ServiceRequestError,
    sdk.ServiceRequestTimeoutError,
    sdk.ServiceResponseError,
    sdk.ServiceResponseTimeoutError,
    sdk.IncompleteReadError,
)
_GENERIC = (
    HttpResponseError,
    sdk.DecodeError,
    sdk.ResourceNotModifiedError,
    sdk.TooManyRedirectsError,
    sdk.ODataV4Error,
    PartialBatchErrorException,
    sdk.StreamConsumedError,
    sdk.StreamClosedError,
    sdk.ResponseNotReadError,
    sdk.SerializationError,
    sdk.DeserializationError,
    sdk.AzureError,
)

ERROR_CATEGORIES: dict[type[BaseException], type[StorageError]] = {
    sdk.ResourceNotFoundError: StorageFileNotFoundError,
    sdk.ResourceExistsError: StorageFileExistsError,
    # 412 ConditionNotMet: the only condition the storage sends is If-None-Match: *.
    sdk.ResourceModifiedError: StorageFileExistsError,
    sdk.ClientAuthenticationError: StoragePermissionError,
    **dict.fromkeys(_TRANSPORT, StorageConnectionError),
    # The rest are generic: refined by HTTP status; unknown statuses stay StorageError.
    **dict.fromkeys(_GENERIC, StorageError),
}
"""Each SDK exception type and the storage error it becomes before status refinement.

Every exception class of ``azure.core.exceptions`` and ``azure.storage.blob`` is listed
(a test checks it), so a type added to the SDK is noticed rather than half-mapped.
"""

_CONTAINER_MISSING = frozenset({"ContainerNotFound", "ContainerBeingDeleted"})


def container_missing(error: HttpResponseError) -> bool:
    """Tell whether a not-found answer is about the container rather than the blob.

    Args:
        error: An SDK error with an HTTP answer.

    Returns:
        ``True`` for ``ContainerNotFound`` and ``ContainerBeingDeleted``.
    """
    return error_code(error) in _CONTAINER_MISSING


class BlocksDiscarded(Exception):
    """A commit found its staged blocks discarded, and no other write of the blob can be seen."""


class UploadAborted(Exception):
    """A part was sent to, or a commit asked of, a manual upload aborted by this storage."""


def error_code(error: HttpResponseError) -> str:
    """Return Azure's error code of ``error`` (``"BlobNotFound"``), or ``""``.

    Args:
        error: An SDK error with an HTTP answer.

    Returns:
        The code, from the SDK's error processing or the ``x-ms-error-code`` header.
    """
    code = getattr(error, "error_code", None)  # set by azure-storage-blob's error processing
    if not code and error.response is not None:
        # Errors of requests sent through the generated operations (downloads) are not
        # processed by azure-storage-blob: read the service's code from its header.
        code = getattr(error.response, "headers", {}).get("x-ms-error-code")
    return str(getattr(code, "value", code) or "")


def _answer(error: Exception) -> Answer | None:
    if not isinstance(error, HttpResponseError):
        return None
    # The reason phrase, not the SDK's message: that one repeats the whole XML answer.
    return Answer(error.status_code, error_code(error), error.reason or "")


TABLE = ErrorTable(
    BACKEND,
    read=_answer,
    codes=dict.fromkeys(_CONTAINER_MISSING, Misconfigured("container", "create it or fix AzureConfig.container")),
    types={
        **ERROR_CATEGORIES,
        **dict.fromkeys((OSError, asyncio.TimeoutError), StorageConnectionError),
        BlocksDiscarded: ConcurrentWriteError,
        UploadAborted: StorageError,
    },
)
translate_error = TABLE.translate

OWNED_ERRORS: tuple[type[BaseException], ...] = (
    *ERROR_CATEGORIES,
    aiohttp.ClientError,
    asyncio.TimeoutError,
    OSError,
    BlocksDiscarded,
    UploadAborted,
)
"""The exceptions the mapper translates: the SDK's, those of aiohttp and sockets under
it, and the driver's two outcomes. Anything else is a bug and propagates as itself."""

MAPPER = TABLE.mapper(OWNED_ERRORS)
"""The backend's error mapper: ``with MAPPER.guard(key):`` around SDK calls."""
