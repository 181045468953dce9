"""The one place where azure-core and azure-storage-blob errors become storage errors.

Translation goes by exception type first (the SDK already turns Azure's error codes
into ``ResourceNotFoundError``, ``ResourceExistsError`` and so on), then by HTTP status
for the generic ``HttpResponseError``; never by message text. :data:`MAPPER` applies it
around every request and every downloaded body.
"""

from __future__ import annotations

import asyncio

import aiohttp

from azure.core.exceptions import (
    AzureError,
    ClientAuthenticationError,
    DecodeError,
    DeserializationError,
    HttpResponseError,
    IncompleteReadError,
    ODataV4Error,
    ResourceExistsError,
    ResourceModifiedError,
    ResourceNotFoundError,
    ResourceNotModifiedError,
    ResponseNotReadError,
    SerializationError,
    ServiceRequestError,
    ServiceRequestTimeoutError,
    ServiceResponseError,
    ServiceResponseTimeoutError,
    StreamClosedError,
    StreamConsumedError,
    TooManyRedirectsError,
)
from azure.storage.blob import PartialBatchErrorException
from litestar_storages.error_mapping import ErrorMapper
from litestar_storages.exceptions import (
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
    "blocks_discarded",
    "replaced_during_read",
    "translate_error",
)

BACKEND = "AzureStorage"

ERROR_CATEGORIES: dict[type[Exception], type[StorageError]] = {
    ResourceNotFoundError: StorageFileNotFoundError,
    ResourceExistsError: StorageFileExistsError,
    # 412 ConditionNotMet: the only condition the storage sends is If-None-Match: *.
    ResourceModifiedError: StorageFileExistsError,
    ClientAuthenticationError: StoragePermissionError,
    ServiceRequestError: StorageConnectionError,
    ServiceRequestTimeoutError: StorageConnectionError,
    ServiceResponseError: StorageConnectionError,
    ServiceResponseTimeoutError: StorageConnectionError,
    IncompleteReadError: StorageConnectionError,
    # The rest are refined by HTTP status in translate_error; unknown statuses stay StorageError.
    HttpResponseError: StorageError,
    DecodeError: StorageError,
    ResourceNotModifiedError: StorageError,
    TooManyRedirectsError: StorageError,
    ODataV4Error: StorageError,
    PartialBatchErrorException: StorageError,
    StreamConsumedError: StorageError,
    StreamClosedError: StorageError,
    ResponseNotReadError: StorageError,
    SerializationError: StorageError,
    DeserializationError: StorageError,
    AzureError: StorageError,
}
"""Each SDK exception type and the storage error it becomes before status refinement.

Every exception class of ``azure.core.exceptions`` and ``azure.storage.blob`` is listed
(a test checks it), so a type added to the SDK is noticed rather than half-mapped.
"""

_CONTAINER_MISSING = frozenset({"ContainerNotFound", "ContainerBeingDeleted"})


def _category(error: Exception) -> type[StorageError] | None:
    for klass in type(error).__mro__:
        category = ERROR_CATEGORIES.get(klass)
        if category is not None:
            return category
    return None


def _error_code(error: HttpResponseError) -> str:
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
        code = _error_code(error)
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
    if isinstance(error, HttpResponseError) and error.status_code is None and error.__cause__ is not None:
        # The downloader wraps a transfer cut short in a status-less HttpResponseError.
        inner = error.__cause__
        if isinstance(inner, Exception) and inner is not error:
            translated = translate_error(inner, key)
            if translated is not None:
                return translated
    category = _category(error)
    if category is None:
        if isinstance(error, (OSError, asyncio.TimeoutError)):
            return StorageConnectionError(f"{BACKEND}: connection failed: {error}", key=key)
        return None
    if isinstance(error, HttpResponseError) and category is StorageError:
        category = _by_status(error.status_code, category)
    if category is StorageFileNotFoundError and isinstance(error, HttpResponseError):
        if _error_code(error) in _CONTAINER_MISSING:
            return ConfigurationError(
                f"{BACKEND}: the container does not exist ({_error_code(error)}): "
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


OWNED_ERRORS: tuple[type[BaseException], ...] = (*ERROR_CATEGORIES, aiohttp.ClientError, asyncio.TimeoutError, OSError)
"""The exceptions the mapper translates: the SDK's, and those of aiohttp and sockets under
it. Anything else is a bug and propagates as itself."""

MAPPER = ErrorMapper(translate_error, backend=BACKEND, owns=OWNED_ERRORS)
"""The backend's error mapper: ``with MAPPER.guard(key):`` around SDK calls."""


def blocks_discarded(error: StorageError) -> bool:
    """Tell whether a failed Put Block List named blocks the service no longer has.

    Azure answers ``400 InvalidBlockList`` when a committed id is not among the blob's
    staged blocks: they were discarded, which any other commit or Put Blob of the same
    blob does to the blocks it does not include (and a week without activity does to
    all of them).

    Args:
        error: The translated error of a commit (the SDK's error is its ``__cause__``).

    Returns:
        ``True`` for InvalidBlockList.
    """
    cause = error.__cause__
    return isinstance(cause, HttpResponseError) and _error_code(cause) == "InvalidBlockList"


def replaced_during_read(error: StorageError, key: str) -> StorageError | None:
    """Return the error for a resumed download whose ``If-Match`` failed, else ``None``.

    A download resumed after a cut body is pinned to the ETag of its first answer; Azure
    answers 412 when the blob was replaced in between, and the bytes already handed out
    cannot be joined to the new version's.

    Args:
        error: The translated error of the resumed request (the SDK's error is its ``__cause__``).
        key: The storage key being read.

    Returns:
        A :class:`StorageError` asking to read again, chained to the SDK's error; ``None``
        when ``error`` is not that 412.
    """
    cause = error.__cause__
    if not (isinstance(cause, HttpResponseError) and cause.status_code == 412):
        return None
    replaced = StorageError(f"{BACKEND}: {key!r} changed during the download; read it again", key=key)
    replaced.__cause__ = cause
    return replaced
