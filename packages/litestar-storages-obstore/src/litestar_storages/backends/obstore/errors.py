"""The obstore driver's error table: obstore's exceptions as :mod:`litestar_storages.exceptions`.

obstore raises its own classes (``obstore.exceptions``, all subclasses of
``BaseError``) and, for a missing object, the built-in ``FileNotFoundError``; a store
asked for something it does not implement raises the built-in ``NotImplementedError``.
Those are the types this table owns; anything else raised inside a driver call is a bug
and propagates as it is. obstore hides the HTTP status, so the table goes by type, and
a ``GenericError`` by the words object_store writes (:func:`_by_words`).
"""

from __future__ import annotations

from collections.abc import Mapping

from litestar_storages.error_mapping import ErrorMapper
from litestar_storages.error_table import Answer, ErrorTable, Outcome
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

__all__ = ("OWNED", "TYPES", "error_table", "translate_error")

OWNED: tuple[type[BaseException], ...] = (BaseError, FileNotFoundError, NotImplementedError)
"""The exception types obstore raises."""

TYPES: Mapping[type[BaseException], Outcome] = {
    **dict.fromkeys((FileNotFoundError, NotFoundError), StorageFileNotFoundError),
    AlreadyExistsError: StorageFileExistsError,
    PreconditionError: ConcurrentWriteError,
    **dict.fromkeys((PermissionDeniedError, UnauthenticatedError), StoragePermissionError),
    InvalidPathError: InvalidKeyError,
    **dict.fromkeys((NotSupportedError, NotImplementedError), UnsupportedOperationError),
}
"""obstore's exception types and the storage errors they become."""


def _first_line(error: Exception) -> Answer:
    # obstore appends a multi-line debug dump; its first line is the message.
    return Answer(message=str(error).split("\n", 1)[0])


def _by_words(error: Exception, answer: Answer | None) -> type[StorageError] | None:
    if not isinstance(error, BaseError):
        return None
    if "<Code>InvalidBlockList</Code>" in str(error):
        # object_store numbers Azure blocks the same way in every upload, so two
        # concurrent streamed uploads to one blob invalidate each other's block list:
        # the documented outcome of a lost race.
        return ConcurrentWriteError
    # object_store reports network failures as GenericError with the reqwest error's
    # text; these words are its "error sending request", "connection ..." and timeouts.
    lowered = (answer.message if answer is not None else str(error)).lower()
    if any(word in lowered for word in ("error sending request", "connection", "timed out", "timeout")):
        return StorageConnectionError
    return None


def _table(backend: str) -> ErrorTable:
    return ErrorTable(backend, read=_first_line, types=TYPES, fallback=_by_words)


translate_error = _table("ObstoreStorage").translate


def error_table(backend: str) -> ErrorMapper:
    """Return the error table of the obstore driver.

    Args:
        backend: The backend's name, for messages.

    Returns:
        The mapper the engine applies around every driver call.
    """
    return _table(backend).mapper(OWNED)
