"""One version of a stored object, opened: its metadata and its bytes from a single call.

A server answering a download needs the object's metadata (size, etag, content type)
before it decides what to send (a 304, a range, the whole file), and then the bytes.
Asked as two calls (``info``, then ``get``) that is two round trips to the backend, and
the object may be replaced in between: the headers would describe one version and the
body another. A storage implementing
:class:`~litestar_storages.capabilities.SupportsOpenObject` answers both at once with an
:class:`OpenedObject`: every range read from it comes from the version its
:attr:`~OpenedObject.file` describes, until it is closed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol, runtime_checkable

from litestar_storages.exceptions import InvalidRangeError
from litestar_storages.types import StoredFile

__all__ = ("HeldObject", "OpenedObject", "check_opened_range")


@runtime_checkable
class OpenedObject(Protocol):
    """An opened version of a stored object (see :mod:`litestar_storages.opened`)."""

    @property
    def file(self) -> StoredFile:
        """The version's metadata, as :meth:`~litestar_storages.protocol.Storage.info` reports it."""
        ...

    def read(self, start: int, end: int) -> AsyncIterator[bytes]:
        """Stream bytes ``[start, end)`` of this version; may be called several times until :meth:`close`.

        Args:
            start: First byte (``0 <= start <= end``).
            end: Byte after the last (``end <= file.size``).

        Returns:
            The chunks; errors are raised while iterating.
        """
        ...

    def close(self) -> None:
        """Release what the opened version holds (a descriptor); safe to call more than once."""
        ...


def check_opened_range(file: StoredFile, start: int, end: int) -> None:
    """Refuse a range outside an opened version.

    Args:
        file: The version's metadata.
        start: First byte asked for.
        end: Byte after the last asked for.

    Raises:
        InvalidRangeError: Unless ``0 <= start <= end <= file.size``.
    """
    if not 0 <= start <= end <= file.size:
        raise InvalidRangeError(f"Range {start}-{end} lies outside the {file.size} bytes of {file.key!r}", key=file.key)


class HeldObject:
    """An opened version whose bytes are all in memory (a small file read with its metadata).

    Reading it costs no call to the backend; there is nothing to release.
    """

    __slots__ = ("_data", "file")

    def __init__(self, file: StoredFile, data: bytes) -> None:
        """Hold a whole version.

        Args:
            file: Its metadata (``file.size == len(data)``).
            data: Its bytes.
        """
        self.file = file
        self._data = data

    def read(self, start: int, end: int) -> AsyncIterator[bytes]:
        """Stream bytes ``[start, end)`` (one chunk, none when empty).

        Args:
            start: First byte.
            end: Byte after the last.

        Returns:
            The chunks.

        Raises:
            InvalidRangeError: If the range lies outside the version.
        """
        check_opened_range(self.file, start, end)
        return _OneChunk(self._data[start:end] if start or end != len(self._data) else self._data)

    def close(self) -> None:
        """Nothing to release: the bytes are dropped with the object."""


class _OneChunk:
    # A one-step iterator: cheaper than an async generator, nothing to close.
    __slots__ = ("_body",)

    def __init__(self, body: bytes) -> None:
        self._body: bytes | None = body or None

    def __aiter__(self) -> _OneChunk:
        return self

    async def __anext__(self) -> bytes:
        body, self._body = self._body, None
        if body is None:
            raise StopAsyncIteration
        return body
