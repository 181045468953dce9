"""One declarative table, per backend, from what a service answered to a storage error.

Every cloud service answers an error with an HTTP status, often a machine code
(``NoSuchKey``, ``rateLimitExceeded``, ``ContainerNotFound``) and a message. The
meaning of the statuses is the same everywhere, so it is written once here
(:data:`STATUS_ERRORS`); a backend states only what is its own: how to read an
:class:`Answer` from its SDK's exception, the codes that mean more than their status,
the exception types that carry a meaning without an answer (a socket error, a missing
credential), and, rarely, a fallback for a case no table can say. Which class an error
gets also decides whether it is retried: :class:`~litestar_storages.retry.RetryConfig`
retries :class:`~litestar_storages.exceptions.StorageConnectionError`.

The order of the decision is: a known code; a type with a meaning of its own; the
status; then a plain :class:`~litestar_storages.exceptions.StorageError` for any answer
with a status or a code, or for a type listed as generic; and last the fallback.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeAlias, TypeVar, Union

from litestar_storages.driver_errors import DriverError
from litestar_storages.error_mapping import ErrorMapper
from litestar_storages.exceptions import (
    ConcurrentWriteError,
    ConfigurationError,
    InvalidKeyError,
    InvalidRangeError,
    StorageConnectionError,
    StorageError,
    StorageFileExistsError,
    StorageFileNotFoundError,
    StoragePermissionError,
    StorageValidationError,
    UnsupportedOperationError,
    build_error,
)

__all__ = ("STATUS_ERRORS", "Answer", "ErrorTable", "Misconfigured", "Outcome", "status_error")


@dataclass(frozen=True, slots=True)
class Answer:
    """What a service's error answer says.

    Attributes:
        status: The HTTP status, or ``None`` when no answer arrived (or the SDK hides it).
        code: The service's machine error code, or ``""``.
        message: The service's human message, or ``""``.
    """

    status: int | None = None
    code: str = ""
    message: str = ""

    def describe(self) -> str:
        """Return ``"<status> <code>: <message>"``, leaving out what is missing."""
        head = " ".join(part for part in (str(self.status or ""), self.code) if part)
        return ": ".join(part for part in (head, self.message) if part)


@dataclass(frozen=True, slots=True)
class Misconfigured:
    """The outcome of an answer that says a configuration value is wrong.

    Attributes:
        field: The configuration field at fault, set as ``ConfigurationError.field``.
        hint: What to do about it, appended to the message.
    """

    field: str
    hint: str = ""


Outcome: TypeAlias = Union[type[StorageError], Misconfigured]
"""What a table entry means: a storage error class, or a configuration value at fault."""

STATUS_ERRORS: Mapping[int, type[StorageError]] = {
    401: StoragePermissionError,
    403: StoragePermissionError,
    404: StorageFileNotFoundError,
    408: StorageConnectionError,
    412: StorageFileExistsError,  # the only condition storages send is "does not exist yet"
    416: InvalidRangeError,
    429: StorageConnectionError,
}
"""The statuses that mean the same on every service; every 5xx is a connection error too."""

_WHAT: Mapping[type[StorageError], str] = {
    StoragePermissionError: "access denied",
    StorageConnectionError: "the service could not be reached, failed or throttled",
    InvalidRangeError: "the byte range cannot be satisfied",
    InvalidKeyError: "the key was refused",
    StorageValidationError: "the request was refused",
    UnsupportedOperationError: "not supported",
    ConcurrentWriteError: "a concurrent write discarded this one",
}

T = TypeVar("T")

Reader: TypeAlias = Callable[[Exception], Union[Answer, None]]
Fallback: TypeAlias = Callable[[Exception, Union[Answer, None]], Union[Outcome, None]]


def status_error(status: int | None) -> type[StorageError] | None:
    """Return the storage error class a status means on every service.

    Args:
        status: An HTTP status.

    Returns:
        The class, or ``None`` for a status without a common meaning.
    """
    if status is None:
        return None
    if status >= 500:
        return StorageConnectionError
    return STATUS_ERRORS.get(status)


def _text(error: BaseException) -> str:
    try:
        text = str(error)
    except Exception:  # a half-built exception must not hide the real one
        text = ""
    if isinstance(error, DriverError) and text:
        return text  # the driver's own words: its class adds nothing
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


class ErrorTable:
    """A backend's error table, and the one translation that applies it.

    Attributes:
        backend: The backend's name, which starts every message.
    """

    __slots__ = ("_codes", "_fallback", "_read", "_types", "backend")

    def __init__(
        self,
        backend: str,
        *,
        read: Reader | None = None,
        codes: Mapping[str, Outcome] | None = None,
        types: Mapping[type[BaseException], Outcome] | None = None,
        fallback: Fallback | None = None,
    ) -> None:
        """Create a table.

        Args:
            backend: The backend's name (``"S3Storage"``), for messages.
            read: Reads the :class:`Answer` from an SDK exception; ``None`` for an
                exception that carries none.
            codes: Service codes whose meaning wins over the status.
            types: Exception types and their meaning, looked up along the exception's
                MRO. An entry of plain :class:`StorageError` is generic: the status, if
                any, refines it.
            fallback: Called last, for what the table does not know (an answer the
                service gives in words only); returns ``None`` when it does not know either.
        """
        self.backend = backend
        self._read = read
        self._codes: Mapping[str, Outcome] = codes or {}
        self._types: Mapping[type[BaseException], Outcome] = types or {}
        self._fallback = fallback

    def read(self, error: Exception) -> Answer | None:
        """Return the answer an SDK exception carries, if any.

        Args:
            error: The exception.

        Returns:
            The answer, or ``None``.
        """
        return self._read(error) if self._read is not None else None

    async def absent(self, request: Awaitable[T], status: int = 404) -> T | None:
        """Await an SDK request, answering ``None`` when the service answers ``status``.

        For the one answer a primitive turns into its result (``head`` of a missing
        object returns ``None``), read from the error as the table reads it: no SDK
        type to catch, no message to match. Any other error propagates.

        Args:
            request: The SDK request, not yet awaited.
            status: The HTTP status that means "nothing" here (404: no such object).

        Returns:
            The request's result, or ``None``.
        """
        try:
            return await request
        except Exception as error:
            answer = self.read(error)
            if answer is None or answer.status != status:
                raise
            return None

    @contextmanager
    def meaning(self, status: int, outcome: Outcome) -> Iterator[None]:
        """Give one answered status inside the block a meaning of this call site's own.

        For an answer whose meaning depends on the request: a 404 to a listing, which
        names no object, says the bucket is missing (``Misconfigured("bucket")``).
        Other errors propagate, for the engine's boundary to translate.

        Args:
            status: The HTTP status.
            outcome: What it means here.

        Yields:
            Nothing; the block runs inside.

        Raises:
            StorageError: The outcome's error (a ``ConfigurationError`` for a
                :class:`Misconfigured`), chained to the SDK's.
        """
        try:
            yield
        except Exception as error:
            answer = self.read(error)
            if answer is None or answer.status != status:
                raise
            raise self.build(outcome, None, answer.describe()) from error

    def _by_type(self, error: Exception) -> Outcome | None:
        for klass in type(error).__mro__:
            outcome = self._types.get(klass)
            if outcome is not None:
                return outcome
        return error.outcome if isinstance(error, DriverError) else None

    def outcome(self, error: Exception, answer: Answer | None = None) -> Outcome | None:
        """Return what an error means by this table.

        Args:
            error: The SDK exception.
            answer: Its answer, when already read.

        Returns:
            The outcome, or ``None`` for an error the table does not know.
        """
        answer = answer if answer is not None else self.read(error)
        if answer is not None and answer.code in self._codes:
            return self._codes[answer.code]
        typed = self._by_type(error)
        if typed is not None and typed is not StorageError:
            return typed
        by_status = status_error(answer.status) if answer is not None else None
        if by_status is not None:
            return by_status
        if answer is not None and (answer.status or answer.code):
            return StorageError
        if typed is not None:
            return typed
        return self._fallback(error, answer) if self._fallback is not None else None

    def build(self, outcome: Outcome, key: str | None, detail: str) -> StorageError:
        """Create the storage error for an outcome.

        Not-found and already-exists errors keep their 0.2.x message (``File not found:
        {key}``); the others say the backend, what happened, the key and ``detail``.

        Args:
            outcome: The table's outcome.
            key: The key of the failed operation, if any.
            detail: The service's words (status, code, message) or the exception's.

        Returns:
            The error, not raised.
        """
        about = f" for {key!r}" if key is not None else ""
        if isinstance(outcome, Misconfigured):
            message = f"{self.backend}: the configured {outcome.field} was refused ({detail})"
            hint = f": {outcome.hint}" if outcome.hint else ""
            return ConfigurationError(message + hint, field=outcome.field, key=key)
        if issubclass(outcome, (StorageFileNotFoundError, StorageFileExistsError)):
            return outcome(key)
        what = next((text for klass, text in _WHAT.items() if issubclass(outcome, klass)), "request failed")
        return build_error(outcome, f"{self.backend}: {what}{about} ({detail})", key=key)

    def translate(self, error: Exception, key: str | None) -> StorageError | None:
        """Translate one SDK (or transport) exception; an :data:`~litestar_storages.error_mapping.ErrorTranslator`.

        Args:
            error: The exception.
            key: The key of the failed operation, if any.

        Returns:
            The storage error, or ``None`` for an exception the table does not know
            (the :class:`~litestar_storages.error_mapping.ErrorMapper` then raises a
            plain :class:`StorageError` naming the backend).
        """
        answer = self.read(error)
        outcome = self.outcome(error, answer)
        if outcome is None:
            return None
        detail = answer.describe() if answer is not None else ""
        return self.build(outcome, key, detail or _text(error))

    def mapper(self, owns: tuple[type[BaseException], ...]) -> ErrorMapper:
        """Return the mapper that applies this table around driver calls.

        Args:
            owns: The exception types of the SDK and its transport; only these (and the
                driver's own :class:`~litestar_storages.driver_errors.DriverError`) are
                translated, anything else (a bug) propagates as itself.

        Returns:
            The mapper.
        """
        return ErrorMapper(self.translate, backend=self.backend, owns=(*owns, DriverError))
