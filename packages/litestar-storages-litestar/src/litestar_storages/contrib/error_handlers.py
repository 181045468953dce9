"""HTTP answers for storage errors, for handlers' errors and the plugin's own routes alike.

The same mapping serves the exception handlers (errors escaping route handlers) and
the plugin's routes, which must never answer 500 to a client.

A key usually comes from the client (a path segment, a form field), so every error a
backend raises about the key a client chose is a 4xx: a missing file 404, a file that
exists 409, a link or permission the root refuses 403, an invalid key or value 400.
An operation the backend cannot do at all (sign an upload URL) is 501 Not Implemented.
Only the service being unreachable (503) and faults of the server itself (a full disk,
an I/O error: a plain ``StorageError``) are 5xx.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from litestar.connection import Request
from litestar.exceptions import HTTPException
from litestar.response import Response
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_403_FORBIDDEN,
    HTTP_404_NOT_FOUND,
    HTTP_409_CONFLICT,
    HTTP_501_NOT_IMPLEMENTED,
    HTTP_503_SERVICE_UNAVAILABLE,
)
from litestar.types import ExceptionHandlersMap

from litestar_storages.exceptions import (
    StorageConnectionError,
    StorageFileExistsError,
    StorageFileNotFoundError,
    StoragePermissionError,
    StorageValidationError,
    UnsupportedOperationError,
)

__all__ = ("STATUS_BY_ERROR", "http_exception_for", "status_for", "storage_exception_handlers")

STATUS_BY_ERROR: dict[type[Exception], int] = {
    StorageFileNotFoundError: HTTP_404_NOT_FOUND,
    StorageFileExistsError: HTTP_409_CONFLICT,
    StoragePermissionError: HTTP_403_FORBIDDEN,
    StorageValidationError: HTTP_400_BAD_REQUEST,
    StorageConnectionError: HTTP_503_SERVICE_UNAVAILABLE,
    # The backend lacks the ability (signed upload URLs, multipart): not a server fault.
    UnsupportedOperationError: HTTP_501_NOT_IMPLEMENTED,
}
"""The status each storage error becomes; other storage errors stay 500s."""

# Messages that could name internal hosts or filesystem paths stay in the logs.
_GENERIC_DETAIL = {
    HTTP_403_FORBIDDEN: "Access to this file is not allowed",
    HTTP_503_SERVICE_UNAVAILABLE: "The storage service is unavailable",
}

ExceptionHandler = Callable[[Request[Any, Any, Any], Exception], Response[Any]]


def status_for(error: BaseException) -> int | None:
    """Return the HTTP status a storage error stands for.

    Args:
        error: Any exception.

    Returns:
        The status of the most specific class of :data:`STATUS_BY_ERROR` the error is an
        instance of, or ``None`` for other errors (a server fault: 500).
    """
    for cls in type(error).__mro__:
        status = STATUS_BY_ERROR.get(cls)
        if status is not None:
            return status
    return None


def _detail(status: int, error: BaseException) -> str:
    return _GENERIC_DETAIL.get(status) or str(error)


def http_exception_for(error: BaseException, *, headers: Mapping[str, str] | None = None) -> HTTPException | None:
    """Turn a storage error into the Litestar ``HTTPException`` to raise instead.

    Args:
        error: Any exception.
        headers: Headers for the answer.

    Returns:
        The exception, or ``None`` when the error is not a client's (see :func:`status_for`).
    """
    status = status_for(error)
    if status is None:
        return None
    return HTTPException(status_code=status, detail=_detail(status, error), headers=dict(headers or {}))


def _handler(status: int) -> ExceptionHandler:
    def handle(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        return Response(content={"status_code": status, "detail": _detail(status, exc)}, status_code=status)

    return handle


def storage_exception_handlers() -> ExceptionHandlersMap:
    """Return exception handlers mapping storage errors to HTTP statuses.

    Returns:
        A mapping for ``Litestar(exception_handlers=...)``.
    """
    handlers: ExceptionHandlersMap = {error_type: _handler(status) for error_type, status in STATUS_BY_ERROR.items()}
    return handlers
