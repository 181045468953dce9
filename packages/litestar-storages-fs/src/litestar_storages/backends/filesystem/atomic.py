"""Atomic writes: a locked temporary file beside the target, renamed into place when complete.

A write never shows a partial file: data goes to a hidden temporary file in the target's
folder (same filesystem, so the final ``rename`` is atomic) and only the complete file is
renamed over the key. ``overwrite=False`` uses ``link``, which fails atomically when the
key exists, instead of checking first. The writer holds an ``flock`` on its temporary
file for the whole write; the lock dies with the process, which is how
``FileSystemStorage.remove_stale_files()`` tells a crashed writer's leftovers from a live
write.

Every file is created, renamed, linked and removed relative to the descriptor of its
folder (see :mod:`.paths`), so a folder swapped for a link meanwhile changes nothing.

The pieces: :mod:`.temp_files` (locked temporary files), :mod:`.fdio` (writes) and
:mod:`.commit` (sidecar, then rename or link). :func:`write_file_sync` blocks and runs
in a worker thread; :func:`write_stream` drives a :class:`StreamingWrite` from the event
loop through a write-behind queue (:mod:`.write_queue`).
"""

from __future__ import annotations

import asyncio
import functools
import os
from collections.abc import AsyncIterator
from typing import Any

from litestar_storages.exceptions import StorageError, StorageFileExistsError

from .commit import commit_sync
from .fdio import write_all
from .metadata import Sidecar
from .paths import Folder, Root, entry_stat
from .temp_files import discard_sync, open_temp_sync
from .threads import hop
from .write_queue import WriteQueue

__all__ = ("StreamingWrite", "write_file_sync", "write_stream")


def write_file_sync(
    root: Root,
    key: str,
    data: bytes | bytearray | memoryview,
    sidecar: Sidecar | None,
    *,
    overwrite: bool,
    permissions: int,
    durable: bool,
) -> os.stat_result:
    """Store a whole in-memory payload atomically: the one thread hop of a small put.

    Args:
        root: The storage root.
        key: A validated key.
        data: The content.
        sidecar: ``(content_type, metadata)``, or ``None``.
        overwrite: Replace an existing file.
        permissions: File mode.
        durable: ``fsync`` before returning.

    Returns:
        The ``stat`` of the stored file.
    """
    folder, fd, temp, existing = _open_and_write_sync(root, key, data, overwrite, permissions)
    # The write took microseconds: the version seen before it is the one being replaced.
    return commit_sync(
        fd,
        folder,
        temp,
        key,
        sidecar,
        overwrite=overwrite,
        permissions=permissions,
        durable=durable,
        previous=existing,
    )


def _open_and_write_sync(
    root: Root, key: str, first: bytes | bytearray | memoryview, overwrite: bool, permissions: int
) -> tuple[Folder, int, str, os.stat_result | None]:
    folder, fd, temp = open_temp_sync(root, key, permissions)
    try:
        existing = _replaceable(folder, key, overwrite=overwrite)
        write_all(fd, first)
    except BaseException:
        try:
            discard_sync(fd, folder.fd, temp)
        finally:
            folder.close()
        raise
    return folder, fd, temp, existing


def _open_and_write_first_sync(
    root: Root, key: str, held: list[bytes | bytearray], overwrite: bool, permissions: int
) -> tuple[Folder, int, str, os.stat_result | None]:
    # The executor's work item keeps its arguments until after the loop has been told the
    # call is done: emptied here, the first block does not outlive its write.
    try:
        return _open_and_write_sync(root, key, held[0], overwrite, permissions)
    finally:
        held.clear()


def _replaceable(folder: Folder, key: str, *, overwrite: bool) -> os.stat_result | None:
    existing = entry_stat(folder, key)  # refuses a link at the key
    if not overwrite and existing is not None:
        raise StorageFileExistsError(key)
    return existing


def _discard_opened(opened: tuple[Folder, int, str, object]) -> None:
    folder, fd, temp, _ = opened
    try:
        discard_sync(fd, folder.fd, temp)
    finally:
        folder.close()


class StreamingWrite:
    """An atomic write fed chunk by chunk from the event loop.

    Chunks go to a :class:`~.write_queue.WriteQueue`: a worker thread writes them while
    the caller fetches the next ones, so disk and producer overlap, and keeps writing
    without a hand-over back to the loop as long as chunks keep coming. Chunks arriving
    while a batch is written are gathered (up to 1 MiB) into the next ``writev``, so
    memory stays bounded.
    """

    __slots__ = ("_fd", "_folder", "_key", "_queue", "_temp")

    def __init__(self, folder: Folder, fd: int, temp: str, key: str) -> None:
        """Wrap an open temporary file in the key's open folder; use :meth:`open`."""
        self._fd: int | None = fd
        self._folder = folder
        self._temp = temp
        self._key = key
        self._queue = WriteQueue(fd)

    @classmethod
    async def open(
        cls, root: Root, key: str, first: bytes | bytearray, *, overwrite: bool, permissions: int
    ) -> StreamingWrite:
        """Create the temporary file and write the first block, in one thread hop.

        Args:
            root: The storage root.
            key: A validated key.
            first: The first block of data.
            overwrite: When ``False``, fail now if the key exists.
            permissions: File mode.

        Returns:
            The write in progress.
        """
        held = [first]
        del first  # only the list holds it: released in the thread once written
        folder, fd, temp, _ = await hop(
            _open_and_write_first_sync, root, key, held, overwrite, permissions, on_abandon=_discard_opened
        )
        return cls(folder, fd, temp, key)

    async def write(self, chunk: bytes) -> None:
        """Queue ``chunk`` for writing (waits only while 1 MiB is already queued).

        Args:
            chunk: The next bytes of the stream.

        Raises:
            StorageError: If the write is already finished.
        """
        if self._fd is None:
            raise StorageError("Write already finished", key=self._key)
        await self._queue.put(chunk)

    async def finish(
        self, sidecar: Sidecar | None, *, overwrite: bool, permissions: int, durable: bool
    ) -> os.stat_result:
        """Wait for the last chunk, then put the file in place.

        Args:
            sidecar: ``(content_type, metadata)``, or ``None``.
            overwrite: Replace an existing file.
            permissions: File mode.
            durable: ``fsync`` before returning.

        Returns:
            The ``stat`` of the stored file.

        Raises:
            StorageError: If the write is already finished.
        """
        await self._queue.drained()
        fd, self._fd = self._fd, None
        if fd is None:
            raise StorageError("Write already finished", key=self._key)
        # From here the commit owns the descriptor and cleans up after itself.
        return await hop(
            commit_sync,
            fd,
            self._folder,
            self._temp,
            self._key,
            sidecar,
            overwrite=overwrite,
            permissions=permissions,
            durable=durable,
        )

    async def abort(self) -> None:
        """Abandon the write after the batch being written (if any), removing the temporary file."""
        job = self._queue.job
        if self._queue.stop() and job is not None:
            try:
                await asyncio.wait([job])
            except asyncio.CancelledError:
                self.discard()
                raise
        self.discard()

    def discard(self) -> None:
        """Abandon the write: remove the temporary file once no chunk is being written.

        Synchronous on purpose: it runs while an error or a cancellation propagates,
        where awaiting could be interrupted again; it costs a ``close`` and an ``unlink``.
        """
        fd, self._fd = self._fd, None
        if fd is None:
            return
        opened = (self._folder, fd, self._temp, None)
        job = self._queue.job
        if not self._queue.stop() or job is None:
            _discard_opened(opened)
        elif job.done():
            _discard_when_done(opened, job)
        else:
            # Closing while a worker still writes to the descriptor could hit a reused fd.
            job.add_done_callback(functools.partial(_discard_when_done, opened))


def _discard_when_done(opened: tuple[Folder, int, str, object], done: asyncio.Future[Any]) -> None:
    if not done.cancelled():
        done.exception()  # retrieved: the error that matters is already propagating
    _discard_opened(opened)


async def write_stream(
    root: Root,
    key: str,
    chunks: AsyncIterator[bytes],
    sidecar: Sidecar | None,
    *,
    overwrite: bool,
    permissions: int,
    durable: bool,
) -> os.stat_result:
    """Store a stream atomically: a temporary file fed chunk by chunk, renamed into place at the end.

    A failing or cancelled stream leaves the previous version (or nothing) and no
    temporary file; the stream's own exception propagates unchanged.

    Args:
        root: The storage root.
        key: A validated key.
        chunks: The data (at least one chunk).
        sidecar: ``(content_type, metadata)``, or ``None``.
        overwrite: Replace an existing file; when ``False`` fail (atomically) if it exists.
        permissions: File mode.
        durable: ``fsync`` before returning.

    Returns:
        The ``stat`` of the stored file.
    """
    first = await anext(chunks, b"")
    writer = await StreamingWrite.open(root, key, first, overwrite=overwrite, permissions=permissions)
    del first  # the first block is on disk: not kept alive for the whole upload
    try:
        async for chunk in chunks:
            await writer.write(chunk)
        return await writer.finish(sidecar, overwrite=overwrite, permissions=permissions, durable=durable)
    except asyncio.CancelledError:
        writer.discard()  # no waiting while being cancelled: cleans up when the thread is done
        raise
    except BaseException:
        await writer.abort()
        raise
