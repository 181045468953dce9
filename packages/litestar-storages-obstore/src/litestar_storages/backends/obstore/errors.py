"""The one place where obstore's exceptions become :mod:`litestar_storages.exceptions`.

obstore raises its own classes (``obstore.exceptions``, all subclasses of
``BaseError``) and, for a missing object, the built-in ``FileNotFoundError``; a store
asked for something it does not implement raises the built-in ``NotImplementedError``.
Those are the types this table owns; anything else raised inside a driver call is a bug
and propagates as it is.
"""

from __future__ import annotations

from litestar_storages.error_mapping import ErrorMapper
from litestar_storages.exceptions import (
    ConcurrentWriteError,
    InvalidKeyError,
    StorageConnectionError,
    StorageError,
    StorageFileExistsError,
    StorageFileNotFoundError,
    StoragePermissionError,
    UnsupportedOperationError,
)
from obstore.exceptions import (
    AlreadyExistsError,
    BaseError,
    InvalidPathError,
    NotFoundError,
    NotSupportedError,
    PermissionDeniedError,
    PreconditionError,
    UnauthenticatedError,
)

__all__ = ("OWNED", "error_table", "translate_error")

OWNED: tuple[type[BaseException], ...] = (BaseError, FileNotFoundError, NotImplementedError)
"""The exception types obstore raises."""


def translate_error(error: Exception, key: str | None) -> StorageError | None:
    """Return the storage error for an obstore exception.

    Args:
        error: The exception obstore raised.
        key: The key of the operation that failed, if any.

    Returns:
        The storage error to raise; ``None`` for an obstore error without a closer
        match (the mapper raises a plain ``StorageError`` naming the backend).
    """
    message = str(error).split("\n", 1)[0]  # obstore appends a multi-line debug dump
    if isinstance(error, (FileNotFoundError, NotFoundError)):
        return StorageFileNotFoundError(key)
    if isinstance(error, AlreadyExistsError):
        return StorageFileExistsError(key)
    if isinstance(error, PreconditionError):
        return ConcurrentWriteError(f"obstore: precondition failed: {message}", key=key)
    if isinstance(error, (PermissionDeniedError, UnauthenticatedError)):
        return StoragePermissionError(f"obstore: {message}", key=key)
    if isinstance(error, InvalidPathError):
        return InvalidKeyError(f"obstore refused the object name: {message}", key=key)
    if isinstance(error, (NotSupportedError, NotImplementedError)):
        return UnsupportedOperationError(f"obstore: {message}", key=key)
    if isinstance(error, BaseError) and "<Code>InvalidBlockList</Code>" in str(error):
        # object_store numbers Azure blocks the same way in every upload, so two
        # concurrent streamed uploads to one blob invalidate each other's block list:
        # the documented outcome of a lost race.
        return ConcurrentWriteError(f"obstore: a concurrent upload replaced this blob's blocks: {message}", key=key)
    if isinstance(error, BaseError) and _looks_like_transport(message):
        return StorageConnectionError(f"obstore: {message}", key=key)
    return None


def _looks_like_transport(message: str) -> bool:
    # object_store reports network failures as GenericError with the reqwest error's
    # text; these words are its "error sending request", "connection ..." and timeouts.
    lowered = message.lower()
    return any(word in lowered for word in ("error sending request", "connection", "timed out", "timeout"))


def error_table(backend: str) -> ErrorMapper:
    """Return the error table of the obstore driver.

    Args:
        backend: The backend's name, for messages.

    Returns:
        The mapper the engine applies around every driver call.
    """
    return ErrorMapper(translate_error, backend=backend, owns=OWNED)
