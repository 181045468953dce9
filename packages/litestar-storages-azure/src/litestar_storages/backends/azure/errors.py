"""The one place where azure-core and azure-storage-blob errors become storage errors.

Translation goes by exception type first (the SDK already turns Azure's error codes
into ``ResourceNotFoundError``, ``ResourceExistsError`` and so on), then by HTTP status
for the generic ``HttpResponseError``; never by message text. :data:`MAPPER` is the
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
from litestar_storages.error_mapping import ErrorMapper
from litestar_storages.exceptions import (
    ConcurrentWriteError,
    ConfigurationError,
    InvalidRangeError,
    StorageConnectionError,
    StorageError,
    StorageFileExistsError,
    StorageFileNotFoundError,
    StoragePermissionError,
    build_error,
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
    "translate_error",
)

BACKEND = "AzureStorage"

ERROR_CATEGORIES: dict[type[Exception], type[StorageError]] = {
    sdk.ResourceNotFoundError: StorageFileNotFoundError,
    sdk.ResourceExistsError: StorageFileExistsError,
    # 412 ConditionNotMet: the only condition the storage sends is If-None-Match: *.
    sdk.ResourceModifiedError: StorageFileExistsError,
    sdk.ClientAuthenticationError: StoragePermissionError,
    **dict.fromkeys(
        (
            sdk.ServiceRequestError,
            sdk.ServiceRequestTimeoutError,
            sdk.ServiceResponseError,
            sdk.ServiceResponseTimeoutError,
            sdk.IncompleteReadError,
        ),
        StorageConnectionError,
    ),
    # The rest are refined by HTTP status in translate_error; unknown statuses stay StorageError.
    **dict.fromkeys(
        (
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
        ),
        StorageError,
    ),
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


def _category(error: Exception) -> type[StorageError] | None:
    for klass in type(error).__mro__:
        category = ERROR_CATEGORIES.get(klass)
        if category is not None:
            return category
    return None


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


def _by_status(status: int | None, category: type[StorageError]) -> type[StorageError]:
    if status in (401, 403):
        return StoragePermissionError
    if status == 404:
        return StorageFileNotFoundError
    if status == 412:
        # Generated operations leave 412 unprocessed; the only condition sent is If-None-Match: *.
        return StorageFileExistsError
    if status == 416:
        return InvalidRangeError
    if status is not None and (status in (408, 429) or status >= 500):
        return StorageConnectionError
    return category


def _describe(error: Exception) -> str:
    if isinstance(error, HttpResponseError):
        code = error_code(error)
        status = error.status_code
        reason = error.reason or ""
        parts = [str(status) if status is not None else "", code or reason]
        head = " ".join(part for part in parts if part)
        return head or type(error).__name__
    return f"{type(error).__name__}: {error}"


def translate_error(error: Exception, key: str | None) -> StorageError | None:
    """Translate one SDK (or network) exception into a storage error.

    Args:
        error: The exception raised by azure-core, azure-storage-blob or the network.
        key: The storage key of the failed operation, if any.

    Returns:
        The storage error to raise, or ``None`` for exceptions this backend does not
        know (the mapper then raises a plain :class:`StorageError`).
    """
    if isinstance(error, BlocksDiscarded):
        return ConcurrentWriteError(f"{BACKEND}: {error} ({key!r})", key=key)
    if isinstance(error, UploadAborted):
        return StorageError(f"{BACKEND}: multipart upload {error} of {key!r} was aborted", key=key)
    category = _category(error)
    if category is None:
        if isinstance(error, (OSError, asyncio.TimeoutError)):
            return StorageConnectionError(f"{BACKEND}: connection failed: {error}", key=key)
        return None
    if isinstance(error, HttpResponseError) and category is StorageError:
        category = _by_status(error.status_code, category)
    if category is StorageFileNotFoundError and isinstance(error, HttpResponseError):
        if container_missing(error):
            return ConfigurationError(
                f"{BACKEND}: the container does not exist ({error_code(error)}): "
                "create it or fix AzureConfig.container",
                field="container",
                key=key,
            )
        return StorageFileNotFoundError(key, message=f"{BACKEND}: file not found: {key!r}")
    messages: dict[type[StorageError], str] = {
        StorageFileExistsError: f"file already exists: {key!r}",
        StoragePermissionError: "access denied",
        StorageConnectionError: "the service could not be reached or failed",
        InvalidRangeError: "the byte range cannot be satisfied",
    }
    what = messages.get(category, "request failed")
    return build_error(category, f"{BACKEND}: {what} ({_describe(error)})", key=key)


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

MAPPER = ErrorMapper(translate_error, backend=BACKEND, owns=OWNED_ERRORS)
"""The backend's error mapper: ``with MAPPER.guard(key):`` around SDK calls."""
