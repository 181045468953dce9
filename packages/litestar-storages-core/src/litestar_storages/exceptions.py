"""Exceptions raised by every storage backend.

Backends translate their SDK's errors into this tree at one boundary, so user code
catches the same types whatever service sits behind the storage. Each error that
concerns one object carries it as ``.key``; the SDK error it replaces is chained as
``__cause__``. Where a built-in exception means the same thing, the storage error
also subclasses it, so ``except FileNotFoundError`` works too::

    StorageError
    ├── StorageFileNotFoundError      (also FileNotFoundError)
    ├── StorageFileExistsError        (also FileExistsError)
    ├── StoragePermissionError        (also PermissionError)
    ├── StorageConnectionError        (also ConnectionError)
    ├── ConcurrentWriteError
    ├── ConfigurationError            (also ValueError)
    ├── StorageValidationError        (also ValueError)
    │   ├── InvalidKeyError
    │   ├── InvalidRangeError
    │   ├── InvalidMetadataError
    │   └── InvalidDataError          (also TypeError)
    └── UnsupportedOperationError
"""

from __future__ import annotations

from typing import TypeVar, cast

__all__ = (
    "build_error",
    "ConcurrentWriteError",
    "ConfigurationError",
    "InvalidDataError",
    "InvalidKeyError",
    "InvalidMetadataError",
    "InvalidRangeError",
    "StorageConnectionError",
    "StorageError",
    "StorageFileExistsError",
    "StorageFileNotFoundError",
    "StoragePermissionError",
    "StorageValidationError",
    "UnsupportedOperationError",
)


class StorageError(Exception):
    """Base class of every error raised by litestar-storages.

    Attributes:
        key: The storage key the failed operation concerned, when there is one.
    """

    def __init__(self, message: str, *, key: str | None = None) -> None:
        """Create the error.

        Args:
            message: Human readable description of what went wrong.
            key: The storage key the error concerns, if any.
        """
        super().__init__(message)
        self.message = message
        self.key = key

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[object, ...]:
        # Keeps errors picklable (multiprocessing, pytest-xdist) despite the
        # keyword-only ``key`` argument.
        return (_rebuild, (type(self), self.message, self.key))


def _rebuild(cls: type[StorageError], message: str, key: str | None) -> StorageError:
    return cls(message, key=key)


class _KeyedError(StorageError):
    """An error about one key, built from the key as in 0.2.x: ``Error(key)``.

    The message is made from :attr:`default_message`; ``message=`` replaces it when
    there is more to say (``"File not found: 'a' (it is a folder)"``).
    """

    default_message = "{key}"

    def __init__(self, key: str | None, *, message: str | None = None) -> None:
        """Create the error.

        Args:
            key: The storage key the error concerns; set as ``.key``.
            message: Replaces the default message.
        """
        super().__init__(self.default_message.format(key=key) if message is None else message, key=key)

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_keyed, (type(self), self.key, self.message))


def _rebuild_keyed(cls: type[_KeyedError], key: str | None, message: str) -> _KeyedError:
    return cls(key, message=message)


ET = TypeVar("ET", bound=StorageError)


def build_error(cls: type[ET], message: str, *, key: str | None = None) -> ET:
    """Create any storage error from a message and a key, whatever its constructor.

    Error mappers pick the class from a table; the not-found and already-exists errors
    take the key first (``StorageFileNotFoundError(key)``, as in 0.2.x), the others the
    message, and this builds either.

    Args:
        cls: The error class.
        message: The error's text.
        key: The storage key concerned, if any.

    Returns:
        The error, not raised.
    """
    if issubclass(cls, _KeyedError):
        return cast("ET", cls(key, message=message))
    return cls(message, key=key)


class StorageFileNotFoundError(_KeyedError, FileNotFoundError):
    """The key does not exist in the storage.

    ``StorageFileNotFoundError(key)`` sets ``.key`` and the message ``File not found: {key}``.
    """

    default_message = "File not found: {key}"


class StorageFileExistsError(_KeyedError, FileExistsError):
    """The key already exists and the operation was told not to overwrite it.

    ``StorageFileExistsError(key)`` sets ``.key`` and the message ``File already exists: {key}``.
    """

    default_message = "File already exists: {key}"


class StoragePermissionError(StorageError, PermissionError):
    """The service, or the filesystem root, refused access."""


class StorageConnectionError(StorageError, ConnectionError):
    """The service could not be reached, failed, throttled or cut a transfer short.

    These are the errors :func:`litestar_storages.retry.with_retry` retries by default.
    """


class ConcurrentWriteError(StorageError):
    """A concurrent write of the same key discarded the data of this one before it completed.

    Raised where a service lets one upload discard another's unfinished parts (Azure:
    committing a blob's block list discards every block staged for it by other uploads)
    and the operation cannot count as done then replaced: the parts of a manual
    multipart upload, or a ``put`` whose blocks vanished with no other write to be seen.
    Nothing was written by the failed operation; upload the data again.
    """


class ConfigurationError(StorageError, ValueError):
    """A storage's configuration is missing a value or holds an invalid one.

    Attributes:
        field: Name of the configuration field at fault, when one is.
    """

    def __init__(self, message: str, *, field: str | None = None, key: str | None = None) -> None:
        """Create the error.

        Args:
            message: Human readable description naming the field and the problem.
            field: The configuration field at fault.
            key: The storage key concerned, if any.
        """
        super().__init__(message, key=key)
        self.field = field


class StorageValidationError(StorageError, ValueError):
    """An argument was rejected before any request was made."""


class InvalidKeyError(StorageValidationError):
    """A key breaks one of the key rules (see :func:`litestar_storages.keys.validate_key`)."""


class InvalidRangeError(StorageValidationError):
    """A byte range is inverted or negative."""


class InvalidMetadataError(StorageValidationError):
    """Custom metadata holds a name or value that cannot be stored safely."""


class InvalidDataError(StorageValidationError, TypeError):
    """The data passed to ``put`` is not bytes, a byte stream or a readable file."""


class UnsupportedOperationError(StorageError):
    """The backend cannot perform this operation (for example, sign an upload URL)."""
