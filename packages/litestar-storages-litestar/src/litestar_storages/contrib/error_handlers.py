"""HTTP answers for storage errors that escape route handlers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar.connection import Request
from litestar.response import Response
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_404_NOT_FOUND,
    HTTP_409_CONFLICT,
    HTTP_503_SERVICE_UNAVAILABLE,
)
from litestar.types import ExceptionHandlersMap

from litestar_storages.exceptions import (
    StorageConnectionError,
    StorageFileExistsError,
    StorageFileNotFoundError,
    StorageValidationError,
)

__all__ = ("STATUS_BY_ERROR", "storage_exception_handlers")

STATUS_BY_ERROR: dict[type[Exception], int] = {
    StorageFileNotFoundError: HTTP_404_NOT_FOUND,
    StorageFileExistsError: HTTP_409_CONFLICT,
    StorageValidationError: HTTP_400_BAD_REQUEST,
    StorageConnectionError: HTTP_503_SERVICE_UNAVAILABLE,
}
"""The status each storage error becomes; other storage errors stay 500s."""

ExceptionHandler = Callable[[Request[Any, Any, Any], Exception], Response[Any]]


def _handler(status: int) -> ExceptionHandler:
    def handle(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        # An unreachable service's message may name internal hosts: keep it in the logs.
        detail = "The storage service is unavailable" if status == HTTP_503_SERVICE_UNAVAILABLE else str(exc)
        return Response(content={"status_code": status, "detail": detail}, status_code=status)

    return handle


def storage_exception_handlers() -> ExceptionHandlersMap:
    """Return exception handlers mapping storage errors to HTTP statuses.

    Returns:
        A mapping for ``Litestar(exception_handlers=...)``.
    """
    handlers: ExceptionHandlersMap = {error_type: _handler(status) for error_type, status in STATUS_BY_ERROR.items()}
    return handlers
