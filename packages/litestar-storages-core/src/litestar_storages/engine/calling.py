"""One call to a driver primitive: inside the error boundary, retried per the driver's policy."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from litestar_storages.engine.driver import Driver
from litestar_storages.exceptions import StorageError
from litestar_storages.retry import with_retry

__all__ = ("call",)

T = TypeVar("T")


async def call(
    driver: Driver,
    key: str | None,
    operation: Callable[..., Awaitable[T]],
    /,
    *args: Any,
    retry: bool = True,
    **kwargs: Any,
) -> T:
    """Run ``operation(*args, **kwargs)`` (a driver primitive) with translated errors, retried when safe.

    Args:
        driver: The driver whose error table and retry policy apply.
        key: The storage key, attached to translated errors.
        operation: Returns a fresh awaitable on each call (a driver's bound method,
            given its arguments here: no closure to build on every request).
        *args: Positional arguments of ``operation``.
        retry: ``False`` for requests that must not be repeated (a stream consumed by
            the first attempt).
        **kwargs: Keyword arguments of ``operation``.

    Returns:
        The primitive's result.

    Raises:
        StorageError: The translated error; errors the driver does not own propagate as they are.
    """
    errors = driver.errors
    policy = driver.retry
    if policy is None or not retry:
        # The boundary of ErrorMapper.guard, inline: this runs for every request, and a
        # generator-based context manager costs a few microseconds more.
        try:
            return await operation(*args, **kwargs)
        except StorageError:
            raise
        except Exception as error:
            if not isinstance(error, errors.owns):
                raise  # not the SDK's: a bug, which must stay visible as itself
            raise errors.translate(error, key) from error

    async def attempt() -> T:
        # The boundary inline here too: a generator-based context manager per attempt
        # costs about a microsecond, a measurable part of a small request.
        try:
            return await operation(*args, **kwargs)
        except StorageError:
            raise
        except Exception as error:
            if not isinstance(error, errors.owns):
                raise
            raise errors.translate(error, key) from error

    return await with_retry(attempt, policy)
