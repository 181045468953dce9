"""Failures a driver finds itself, with no SDK error to say them: one family for every backend.

A driver raises these from inside a primitive (an answer that contradicts the request,
an argument its service cannot take); every :class:`~litestar_storages.error_table.ErrorTable`
knows them and every mapper it builds owns them, so they become storage errors with the
operation's key, like an SDK's errors, with no table entry per backend.
"""

from __future__ import annotations

from typing import ClassVar

from litestar_storages.exceptions import StorageConnectionError, StorageError, StorageValidationError

__all__ = ("BrokenTransfer", "DriverError", "RefusedArgument")


class DriverError(Exception):
    """A failure the driver found (an answer the service should not give): a plain :class:`StorageError`."""

    outcome: ClassVar[type[StorageError]] = StorageError
    """The storage error it becomes."""


class BrokenTransfer(DriverError):
    """A transfer that cannot complete correctly this time (stalled, wrong bytes stored): retried when idempotent."""

    outcome = StorageConnectionError


class RefusedArgument(DriverError):
    """An argument the service cannot take (a part out of order, an unknown class name): a validation error."""

    outcome = StorageValidationError
