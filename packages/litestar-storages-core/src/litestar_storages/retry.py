"""Retrying transient failures with exponential backoff and jitter.

Backends wrap each idempotent request (a whole small upload, one multipart part, the
start of a download) in :func:`with_retry`; users can use :func:`retry` on their own
coroutines. Only errors listed in :attr:`RetryConfig.retryable_exceptions` are retried,
:class:`~litestar_storages.exceptions.StorageConnectionError` by default.
"""

from __future__ import annotations

import asyncio
import functools
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

from litestar_storages.exceptions import ConfigurationError, StorageConnectionError

__all__ = ("RetryConfig", "retry", "with_retry")

T = TypeVar("T")
P = ParamSpec("P")


@dataclass(frozen=True)
class RetryConfig:
    """How failed operations are retried.

    Attributes:
        max_attempts: Total tries including the first; ``1`` disables retrying.
        base_delay: Seconds to wait before the first retry.
        max_delay: Upper bound of any single wait, in seconds.
        exponential_base: Factor by which the wait grows after each failure.
        jitter: Randomise each wait between 0 and its computed value ("full jitter"),
            so many clients retrying at once do not stampede the service.
        retryable_exceptions: Exception types that are worth another try.
    """

    max_attempts: int = 3
    base_delay: float = 0.1
    max_delay: float = 10.0
    exponential_base: float = 2.0
    jitter: bool = True
    retryable_exceptions: tuple[type[BaseException], ...] = (StorageConnectionError,)

    def __post_init__(self) -> None:
        if not isinstance(self.max_attempts, int) or self.max_attempts < 1:
            raise ConfigurationError(
                f"RetryConfig.max_attempts must be an int >= 1, got {self.max_attempts!r}", field="max_attempts"
            )
        for name in ("base_delay", "max_delay"):
            if getattr(self, name) < 0:
                raise ConfigurationError(f"RetryConfig.{name} must not be negative", field=name)
        if self.exponential_base < 1:
            raise ConfigurationError("RetryConfig.exponential_base must be >= 1", field="exponential_base")

    def delay_for(self, attempt: int) -> float:
        """Return the wait before retry number ``attempt`` (1 for the first retry).

        Args:
            attempt: The 1-based number of the retry about to be made.

        Returns:
            Seconds to sleep.
        """
        delay: float = min(self.max_delay, self.base_delay * self.exponential_base ** (attempt - 1))
        return random.uniform(0, delay) if self.jitter else delay  # noqa: S311 - not cryptographic

    def should_retry(self, error: BaseException) -> bool:
        """Tell whether ``error`` is worth another attempt.

        Args:
            error: The exception the attempt raised.

        Returns:
            ``True`` if its type is one of :attr:`retryable_exceptions`.
        """
        return isinstance(error, self.retryable_exceptions)


NO_RETRY = RetryConfig(max_attempts=1)


async def with_retry(operation: Callable[[], Awaitable[T]], config: RetryConfig | None = None) -> T:
    """Run ``operation`` until it succeeds, retrying retryable errors.

    Args:
        operation: A zero-argument callable returning a fresh awaitable on each call.
        config: The retry policy; ``None`` uses the defaults of :class:`RetryConfig`.

    Returns:
        The operation's result.

    Raises:
        BaseException: The last error when attempts run out, or the first
            non-retryable one, unchanged.
    """
    policy = config or RetryConfig()
    attempt = 1
    while True:
        try:
            return await operation()
        except Exception as error:
            if attempt >= policy.max_attempts or not policy.should_retry(error):
                raise
            await asyncio.sleep(policy.delay_for(attempt))
            attempt += 1


def retry(
    config: RetryConfig | None = None,
) -> Callable[[Callable[P, Awaitable[T]]], Callable[P, Awaitable[T]]]:
    """Decorate a coroutine function so each call is retried per ``config``.

    Args:
        config: The retry policy; ``None`` uses the defaults of :class:`RetryConfig`.

    Returns:
        A decorator.

    Example:
        >>> @retry(RetryConfig(max_attempts=5))
        ... async def upload(storage, key, data):
        ...     return await storage.put(key, data)
    """

    def decorate(function: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
        @functools.wraps(function)
        async def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
            return await with_retry(lambda: function(*args, **kwargs), config)

        return wrapper

    return decorate
