"""Retrying transient failures with exponential backoff and jitter.

:class:`RetryConfig` is the 0.2.x dataclass: ``max_retries`` retries after the first
try, waits of ``min(base_delay * exponential_base**n, max_delay)`` seconds (``n``
counted from 0) with +-25 % jitter, and ``StorageConnectionError``, ``TimeoutError``
and ``ConnectionError`` retried. ``max_attempts`` (total tries) is accepted as a
keyword-only alias, and ``jitter="full"`` picks "full jitter" instead.

Users decorate their own coroutines with :func:`retry` or call :func:`with_retry`.
Backends wrap each idempotent request (a whole small upload, one multipart part, the
start of a download) in :func:`with_retry`, with the policy of :func:`request_retry`
unless their configuration names another one.
"""

from __future__ import annotations

import asyncio
import functools
import math
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, ParamSpec, TypeVar, Union

from litestar_storages.exceptions import ConfigurationError, StorageConnectionError

__all__ = ("JitterMode", "RetryConfig", "request_retry", "retry", "with_retry")

T = TypeVar("T")
P = ParamSpec("P")

JitterMode = Union[bool, Literal["full"]]
"""``True``: +-25 % around each wait; ``False``: exact waits; ``"full"``: between 0 and the wait."""

_DEFAULT_RETRYABLE: tuple[type[Exception], ...] = (StorageConnectionError, TimeoutError, ConnectionError)


def _fail(name: str, problem: str) -> ConfigurationError:
    return ConfigurationError(f"RetryConfig.{name} {problem}", field=name)


def _check_count(name: str, value: object, minimum: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise _fail(name, f"must be an int >= {minimum}, got {value!r}")
    return value


def _check_seconds(name: str, value: object, minimum: float = 0.0) -> float:
    # bool is an int: True seconds is a bug, not a delay. NaN makes every comparison
    # false and infinity an endless sleep, so both are refused.
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value) or value < minimum:
        raise _fail(name, f"must be a finite number >= {minimum:g}, got {value!r}")
    return value


def _check_exceptions(value: object) -> tuple[type[Exception], ...]:
    candidates = (value,) if isinstance(value, type) else value
    if not isinstance(candidates, Iterable) or isinstance(candidates, (str, bytes)):
        raise _fail("retryable_exceptions", f"must be a tuple of exception types, got {value!r}")
    checked = tuple(candidates)
    for item in checked:
        # Only Exception subclasses: retrying CancelledError or KeyboardInterrupt would make
        # a task impossible to cancel or a program impossible to stop.
        if not isinstance(item, type) or not issubclass(item, Exception):
            raise _fail("retryable_exceptions", f"must hold Exception subclasses, got {item!r}")
    return checked


def _check_jitter(value: object) -> JitterMode:
    # Identity checks: 1 == True, and a truthy string other than "full" is a typo.
    if value is True or value is False:
        return value
    if value == "full":
        return "full"
    raise _fail("jitter", f"must be True, False or 'full', got {value!r}")


_VALIDATORS: dict[str, Callable[[object], object]] = {
    "max_retries": lambda value: _check_count("max_retries", value, 0),
    "base_delay": lambda value: _check_seconds("base_delay", value),
    "max_delay": lambda value: _check_seconds("max_delay", value),
    "exponential_base": lambda value: _check_seconds("exponential_base", value, 1.0),
    "jitter": _check_jitter,
    "retryable_exceptions": _check_exceptions,
}


@dataclass(init=False)
class RetryConfig:
    """How failed operations are retried.

    Every field is checked when set, at construction or later, and raises
    :class:`~litestar_storages.exceptions.ConfigurationError` (a ``ValueError``) when
    out of range (negative counts, negative, infinite or NaN delays).

    Attributes:
        max_retries: Retries after the first try; ``0`` disables retrying.
        base_delay: Seconds to wait before the first retry.
        max_delay: Upper bound of any single wait, in seconds (jitter included).
        exponential_base: Factor by which the wait grows after each failure (``>= 1``).
        jitter: ``True`` spreads each wait by +-25 %; ``"full"`` picks it between 0 and
            the computed delay (spreads many clients best); ``False`` waits exactly.
        retryable_exceptions: Exception types worth another try. A retried error must
            be one where trying again is safe: see the module documentation.
    """

    max_retries: int = 3
    base_delay: float = 1.0
    max_delay: float = 60.0
    exponential_base: float = 2.0
    jitter: JitterMode = True
    retryable_exceptions: tuple[type[Exception], ...] = field(default=_DEFAULT_RETRYABLE)

    def __init__(  # noqa: PLR0917 - the positional order of the 0.2.x dataclass
        self,
        max_retries: int | None = None,
        base_delay: float = 1.0,
        max_delay: float = 60.0,
        exponential_base: float = 2.0,
        jitter: JitterMode = True,
        retryable_exceptions: Iterable[type[Exception]] | type[Exception] = _DEFAULT_RETRYABLE,
        *,
        max_attempts: int | None = None,
    ) -> None:
        """Create a retry policy.

        Args:
            max_retries: Retries after the first try (default 3).
            base_delay: Seconds before the first retry.
            max_delay: Upper bound of any single wait.
            exponential_base: Growth factor of the waits.
            jitter: ``True`` (+-25 %), ``"full"`` or ``False``.
            retryable_exceptions: Exception types worth another try.
            max_attempts: Alias counting every try, the first included
                (``max_attempts=n`` is ``max_retries=n - 1``).

        Raises:
            ConfigurationError: If a value is out of range, or both ``max_retries`` and
                ``max_attempts`` are given (one spelling per policy, so the two can never
                disagree).
        """
        if max_retries is not None and max_attempts is not None:
            raise _fail("max_attempts", "is an alias of max_retries (max_attempts = max_retries + 1): give only one")
        if max_attempts is not None:
            max_retries = _check_count("max_attempts", max_attempts, 1) - 1
        self.max_retries = 3 if max_retries is None else max_retries
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.exponential_base = exponential_base
        self.jitter = jitter
        self.retryable_exceptions = retryable_exceptions  # type: ignore[assignment] # normalised by __setattr__

    def __setattr__(self, name: str, value: Any) -> None:
        validate = _VALIDATORS.get(name)
        super().__setattr__(name, value if validate is None else validate(value))

    @property
    def max_attempts(self) -> int:
        """The number of tries in all, the first included (``max_retries + 1``); settable."""
        return self.max_retries + 1

    @max_attempts.setter
    def max_attempts(self, value: int) -> None:
        self.max_retries = _check_count("max_attempts", value, 1) - 1

    def delay_for(self, attempt: int) -> float:
        """Return the wait before retry number ``attempt`` (1 for the first retry).

        The wait is ``min(base_delay * exponential_base**(attempt - 1), max_delay)``,
        then jittered per :attr:`jitter` and never more than :attr:`max_delay`.

        Args:
            attempt: The 1-based number of the retry about to be made.

        Returns:
            Seconds to sleep.
        """
        try:
            delay = min(self.max_delay, self.base_delay * self.exponential_base ** (attempt - 1))
        except OverflowError:  # a huge exponent: the cap applies
            delay = self.max_delay
        if self.jitter == "full":
            return random.uniform(0, delay)  # noqa: S311 - not cryptographic
        if self.jitter:
            return min(self.max_delay, delay * random.uniform(0.75, 1.25))  # noqa: S311 - not cryptographic
        return delay

    def should_retry(self, error: BaseException) -> bool:
        """Tell whether ``error`` is worth another attempt.

        Args:
            error: The exception the attempt raised.

        Returns:
            ``True`` if its type is one of :attr:`retryable_exceptions`.
        """
        return isinstance(error, self.retryable_exceptions)


def request_retry() -> RetryConfig:
    """Return the policy backends use when their configuration names none.

    Three tries in all, waits of at most 0.1 s then 0.2 s ("full jitter"), and only
    ``StorageConnectionError``: backends translate every SDK failure, so a raw
    ``TimeoutError`` or ``ConnectionError`` never reaches their retry loop. Short waits
    suit requests made while a user waits for an answer.

    Returns:
        A new policy (a ``RetryConfig`` is mutable, so none is shared).
    """
    return RetryConfig(
        max_retries=2, base_delay=0.1, max_delay=10.0, jitter="full", retryable_exceptions=(StorageConnectionError,)
    )


async def with_retry(operation: Callable[[], Awaitable[T]], config: RetryConfig | None = None) -> T:
    """Run ``operation`` until it succeeds, retrying retryable errors.

    ``operation`` must be safe to repeat: a timeout or a dropped connection does not
    say whether the service acted on the request.

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


def _one_shot(value: object) -> bool:
    # Iterators, generators and open files are consumed by the first attempt: a second
    # attempt would read only what is left and could store a truncated object.
    if isinstance(value, (str, bytes, bytearray, memoryview)):
        return False
    return isinstance(value, (Iterator, AsyncIterator)) or callable(getattr(value, "read", None))


def retry(
    config: RetryConfig | None = None,
) -> Callable[[Callable[P, Awaitable[T]]], Callable[P, Awaitable[T]]]:
    """Decorate a coroutine function so each call is retried per ``config``.

    A call that received a stream (an iterator, an async iterator or an object with
    ``read()``) is not retried: the failed attempt consumed part of it, and a retry
    would store only the rest. Its error is raised at once.

    Args:
        config: The retry policy; ``None`` uses the defaults of :class:`RetryConfig`.

    Returns:
        A decorator.

    Example:
        >>> @retry(RetryConfig(max_retries=5, base_delay=0.5))
        ... async def upload(storage, key, data):
        ...     return await storage.put(key, data)
    """

    def decorate(function: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
        @functools.wraps(function)
        async def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
            if any(_one_shot(value) for value in (*args, *kwargs.values())):
                return await function(*args, **kwargs)
            return await with_retry(lambda: function(*args, **kwargs), config)

        return wrapper

    return decorate
