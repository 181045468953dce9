"""The one place where gcloud-aio and aiohttp errors become storage errors.

gcloud-aio-storage raises :class:`aiohttp.ClientResponseError` for every HTTP error
answer, with GCS's JSON error document in the message (``"<reason phrase>: <body>"``).
The translation reads the HTTP status and the error's machine ``reason``
(``notFound``, ``conditionNotMet``, ``rateLimitExceeded``...) from that document; it
never matches words of human-readable messages. The driver's own findings are the
:class:`GCSDriverError` classes below; the engine calls every driver method inside
:data:`GCS_ERRORS`, which gives each error the caller's key.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple, TypeVar

import aiohttp
from aiohttp.http_exceptions import HttpProcessingError

from litestar_storages.error_table import Answer, ErrorTable
from litestar_storages.exceptions import (
    ConfigurationError,
    StorageConnectionError,
    StorageError,
    StorageValidationError,
)
from litestar_storages.retry import RetryConfig

__all__ = (
    "GCS_ERRORS",
    "OWNED_ERRORS",
    "GCSDriverError",
    "GCSErrorDetails",
    "PartOrderError",
    "UploadBrokenError",
    "absent",
    "error_details",
    "listing_errors",
    "retryable",
    "translate_gcs_error",
)

T = TypeVar("T")

_NOT_FOUND = 404
_TRANSIENT: tuple[type[Exception], ...] = (
    aiohttp.ClientConnectionError,
    aiohttp.ClientPayloadError,
    HttpProcessingError,  # a malformed answer, usually a connection cut mid-message
    asyncio.TimeoutError,
    ConnectionError,
)
"""Exceptions that mean the service was unreachable or cut a transfer short."""


class GCSDriverError(Exception):
    """A failure the driver finds itself (no HTTP error says it): a plain :class:`StorageError`."""


class UploadBrokenError(GCSDriverError):
    """A resumable upload that cannot complete correctly (stalled, or wrong bytes committed): retried."""


class PartOrderError(GCSDriverError):
    """A part of a manual multipart upload that does not come next: a validation error."""


class GCSErrorDetails(NamedTuple):
    """What an error answer of the JSON API says: status, machine reason (if any), message."""

    status: int
    reason: str | None
    message: str


def error_details(error: aiohttp.ClientResponseError) -> GCSErrorDetails:
    """Read status, reason and message from an error answer.

    Args:
        error: The error gcloud-aio's session raised (``"<reason phrase>: <response body>"``).

    Returns:
        The details; ``reason`` is ``None`` when the body is not GCS's JSON error.
    """
    phrase, _, body = (error.message or "").partition(": ")
    try:
        document: Any = json.loads(body) if body else None
    except ValueError:
        document = None
    payload = document.get("error") if isinstance(document, dict) else None
    if not isinstance(payload, dict):
        return GCSErrorDetails(error.status, None, phrase or f"HTTP {error.status}")
    errors = payload.get("errors")
    first = errors[0].get("reason") if isinstance(errors, list) and errors and isinstance(errors[0], dict) else None
    message = payload.get("message")
    return GCSErrorDetails(
        error.status,
        first if isinstance(first, str) else None,
        message if isinstance(message, str) else phrase or f"HTTP {error.status}",
    )


def _answer(error: Exception) -> Answer | None:
    if not isinstance(error, aiohttp.ClientResponseError):
        return None
    status, reason, message = error_details(error)
    return Answer(status, reason or "", message)


TABLE = ErrorTable(
    "GCSStorage",
    read=_answer,
    # Reasons GCS may send with 403/5xx that mean "slow down and try again".
    codes=dict.fromkeys(("rateLimitExceeded", "userRateLimitExceeded", "backendError"), StorageConnectionError),
    types={
        **dict.fromkeys(_TRANSIENT, StorageConnectionError),
        aiohttp.ClientError: StorageError,  # any other client error: refined by its status, if any
        GCSDriverError: StorageError,
        UploadBrokenError: StorageConnectionError,
        PartOrderError: StorageValidationError,
    },
)
translate_gcs_error = TABLE.translate
"""Translate an exception raised by gcloud-aio-storage, gcloud-aio-auth, aiohttp or the driver.

Mapping: the statuses of :data:`~litestar_storages.error_table.STATUS_ERRORS` (404 ->
:class:`StorageFileNotFoundError`, 412 -> :class:`StorageFileExistsError`, 401/403 ->
:class:`StoragePermissionError`, 408/429/5xx -> :class:`StorageConnectionError`);
throttling reasons, connection errors, cut transfers and timeouts ->
:class:`StorageConnectionError` (retried per ``GCSConfig.retry``); any other HTTP or
client error -> :class:`StorageError`; the driver's own errors as the table says.
"""


OWNED_ERRORS: tuple[type[BaseException], ...] = (
    GCSDriverError,
    aiohttp.ClientError,
    HttpProcessingError,
    asyncio.TimeoutError,
    OSError,
)
"""The exceptions the table translates: gcloud-aio's HTTP layer (aiohttp), sockets and the
driver's own findings. Anything else is a bug and propagates as itself."""

GCS_ERRORS = TABLE.mapper(OWNED_ERRORS)
"""The error table of the GCS driver."""


async def absent(request: Awaitable[T], status: int = _NOT_FOUND) -> T | None:
    """Await an SDK request, answering ``None`` when GCS answers ``status``.

    A primitive's "no such object" (404) or "nothing in that range" (416) is an answer,
    not an error; every other error goes on to the table.

    Args:
        request: The SDK request.
        status: The HTTP status that means "none".

    Returns:
        The request's result, or ``None``.
    """
    try:
        return await request
    except aiohttp.ClientResponseError as error:
        if error.status != status:
            raise
        return None


@contextmanager
def listing_errors(bucket: str) -> Iterator[None]:
    """Translate a 404 to a listing, which names no object: the bucket is missing.

    Args:
        bucket: The bucket listed.

    Yields:
        Nothing; the listing request runs inside.

    Raises:
        ConfigurationError: If the bucket does not exist.
    """
    try:
        yield
    except aiohttp.ClientResponseError as error:
        if error.status != _NOT_FOUND:
            raise
        raise ConfigurationError(f"GCS bucket {bucket!r} does not exist", field="bucket") from error


def retryable(error: Exception, policy: RetryConfig) -> bool:
    """Tell whether ``policy`` repeats a request that raised ``error`` (judged on its translation).

    Args:
        error: What the request raised.
        policy: The retry policy.

    Returns:
        ``True`` for an owned error whose storage error the policy retries.
    """
    return isinstance(error, OWNED_ERRORS) and policy.should_retry(GCS_ERRORS.translate(error))
