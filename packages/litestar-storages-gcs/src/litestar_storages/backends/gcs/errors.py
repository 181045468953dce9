"""The one place where gcloud-aio and aiohttp errors become storage errors.

gcloud-aio-storage raises :class:`aiohttp.ClientResponseError` for every HTTP error
answer, GCS's JSON error document in its message; the table reads the status and the
machine ``reason`` (``notFound``, ``rateLimitExceeded``...), never a message's words.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
from aiohttp.http_exceptions import HttpProcessingError

from litestar_storages.error_table import Answer, ErrorTable, Misconfigured
from litestar_storages.exceptions import StorageConnectionError, StorageError

__all__ = ("GCS_ERRORS", "OWNED_ERRORS", "NO_BUCKET", "TABLE", "read_answer", "translate_gcs_error")


def read_answer(error: Exception) -> Answer | None:
    """Read status, reason (``code``; empty if the body is not GCS's error) and message of an HTTP error, if any."""
    if not isinstance(error, aiohttp.ClientResponseError):
        return None
    phrase, _, body = (error.message or "").partition(": ")
    try:
        document: Any = json.loads(body) if body else None
    except ValueError:
        document = None
    payload = document.get("error") if isinstance(document, dict) else None
    if not isinstance(payload, dict):
        return Answer(error.status, "", phrase or f"HTTP {error.status}")
    errors = payload.get("errors")
    first = errors[0].get("reason") if isinstance(errors, list) and errors and isinstance(errors[0], dict) else None
    message = payload.get("message")
    return Answer(
        error.status,
        first if isinstance(first, str) else "",
        message if isinstance(message, str) else phrase or f"HTTP {error.status}",
    )


TABLE = ErrorTable(
    "GCSStorage",
    read=read_answer,
    # Reasons GCS may send with 403/5xx that mean "slow down and try again".
    codes=dict.fromkeys(("rateLimitExceeded", "userRateLimitExceeded", "backendError"), StorageConnectionError),
    types={
        # Unreachable service, a transfer cut short (a malformed answer, usually), a timeout:
        **dict.fromkeys(
            (
                aiohttp.ClientConnectionError,
                aiohttp.ClientPayloadError,
                HttpProcessingError,
                asyncio.TimeoutError,
                ConnectionError,
            ),
            StorageConnectionError,
        ),
        aiohttp.ClientError: StorageError,  # any other client error: refined by its status, if any
    },
)
translate_gcs_error = TABLE.translate
"""Translate an exception of gcloud-aio-storage, gcloud-aio-auth, aiohttp or the driver (``None``: not one)."""

OWNED_ERRORS = (aiohttp.ClientError, HttpProcessingError, asyncio.TimeoutError, OSError)
"""What the table translates (with the driver's findings, core's ``DriverError``): the HTTP layer and sockets."""

GCS_ERRORS = TABLE.mapper(OWNED_ERRORS)
"""The error table of the GCS driver."""

NO_BUCKET = Misconfigured("bucket", "create it or fix GCSConfig.bucket")
"""What a 404 to a listing means: it names no object, so the bucket is missing."""
