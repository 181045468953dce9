"""``open_object``: a file's metadata and its open descriptor (or, when small, its bytes) in one thread hop.

The download path of a web server: ``stat``, the metadata sidecar and the open happen
together, on the descriptor the bytes are then read from. Files are replaced by rename,
never rewritten in place, so every range read from the descriptor belongs to the
version whose ``fstat`` and sidecar gave the metadata, however often the key is
overwritten meanwhile. A file of at most :data:`HELD_MAX` bytes is read whole in the
same hop and its descriptor closed: serving it costs no further call.
"""

from __future__ import annotations

import contextlib
import os
import stat as stat_module
from collections.abc import AsyncIterator

from litestar_storages.error_mapping import ErrorMapper
from litestar_storages.exceptions import StorageError, StorageFileNotFoundError
from litestar_storages.opened import HeldObject, OpenedObject, check_opened_range
from litestar_storages.types import StoredFile

from .metadata import read_sidecar, stored_file
from .paths import Root, open_file
from .reads import read_chunks

__all__ = ("HELD_MAX", "OpenedFile", "Opening", "close_opening", "open_object_sync", "opened_object")

HELD_MAX = 64 * 1024
"""Largest file read whole by ``open_object`` (from the page cache: a few microseconds,
against a second thread hop saved)."""

Opening = tuple[StoredFile, int | None, bytes | None]
"""``(metadata, descriptor or None, bytes or None)``: what the thread hop hands back."""


def _regular(fd: int, key: str) -> os.stat_result:
    stat = os.fstat(fd)
    if not stat_module.S_ISREG(stat.st_mode):
        raise StorageFileNotFoundError(key, message=f"File not found: {key!r} (it is a folder)")
    return stat


def open_object_sync(root: Root, key: str) -> Opening:
    """Open a key's file, read its metadata sidecar and, when small, its bytes: one thread hop.

    Args:
        root: The storage root.
        key: A validated key.

    Returns:
        ``(file, fd, None)`` for a file larger than :data:`HELD_MAX` (the caller owns
        ``fd``), else ``(file, None, data)``.

    Raises:
        StorageFileNotFoundError: If the key does not exist (or is a folder).
        StoragePermissionError: If the key's path meets a symbolic link.
    """
    with root.parent(key) as folder:
        fd = open_file(folder, key)  # never through a link, whatever the folders became
        try:
            stat = _regular(fd, key)
            # Named after this descriptor's version (size, mtime): never another's metadata.
            file = stored_file(key, stat, read_sidecar(folder.fd, folder.name, stat))
            if stat.st_size > HELD_MAX:
                return file, fd, None
            data = os.pread(fd, stat.st_size, 0) if stat.st_size else b""
        except BaseException:
            os.close(fd)
            raise
    os.close(fd)
    if len(data) != stat.st_size:
        # Only possible when something outside the storage truncates the file in place.
        raise StorageError(f"File shrank while being read: {key!r}", key=key)
    return file, None, data


def close_opening(opening: Opening) -> None:
    """Close the descriptor of an opening nobody took (the caller was cancelled)."""
    if opening[1] is not None:
        os.close(opening[1])


def opened_object(opening: Opening, chunk_size: int, errors: ErrorMapper) -> OpenedObject:
    """Wrap what :func:`open_object_sync` returned.

    Args:
        opening: Its result.
        chunk_size: Bytes per chunk of streamed reads.
        errors: Translates ``OSError`` raised while reading.

    Returns:
        The opened version.
    """
    file, fd, data = opening
    if fd is None:
        return HeldObject(file, data or b"")
    return OpenedFile(file, fd, chunk_size, errors)


class OpenedFile:
    """A large file's opened version: ranges are read from its descriptor until :meth:`close`.

    Each :meth:`read` streams from a duplicate of the descriptor, so several ranges (a
    ``multipart/byteranges`` answer) come from the same version, and one read ending
    early closes only its own.
    """

    __slots__ = ("_chunk_size", "_errors", "_fd", "file")

    def __init__(self, file: StoredFile, fd: int, chunk_size: int, errors: ErrorMapper) -> None:
        """Own an open descriptor.

        Args:
            file: The version's metadata.
            fd: Its open descriptor (closed by :meth:`close`).
            chunk_size: Bytes per chunk.
            errors: Translates ``OSError`` raised while reading.
        """
        self.file = file
        self._fd: int | None = fd
        self._chunk_size = chunk_size
        self._errors = errors

    def read(self, start: int, end: int) -> AsyncIterator[bytes]:
        """Stream bytes ``[start, end)``; chunks in the page cache are read on the event loop.

        Args:
            start: First byte.
            end: Byte after the last.

        Returns:
            The chunks.

        Raises:
            InvalidRangeError: If the range lies outside the version.
            StorageError: If the version was closed.
        """
        check_opened_range(self.file, start, end)
        if self._fd is None:
            raise StorageError(f"{self.file.key!r} was closed before it was read", key=self.file.key)
        return self._read(start, end)

    async def _read(self, start: int, end: int) -> AsyncIterator[bytes]:
        fd = self._fd
        if fd is None or start == end:
            return
        # Duplicated when iteration starts, so a read never started owns nothing.
        with self._errors.guard(self.file.key):
            chunks = read_chunks(os.dup(fd), b"", start, end, self._chunk_size)
        try:
            while True:
                with self._errors.guard(self.file.key):
                    try:
                        chunk = await anext(chunks)
                    except StopAsyncIteration:
                        return
                yield chunk
        finally:
            await chunks.aclose()  # left early: its descriptor is closed now, not at collection

    def close(self) -> None:
        """Close the descriptor (reads already streaming keep their own)."""
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)

    def __del__(self) -> None:
        # A response dropped before it was sent must not leak the descriptor.
        with contextlib.suppress(OSError):
            self.close()
