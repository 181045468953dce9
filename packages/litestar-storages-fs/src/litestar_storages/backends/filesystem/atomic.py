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
loop, one batch of chunks in flight at a time.
"""

from __future__ import annotations

import asyncio
import functools
import os
from collections.abc import AsyncIterator
from typing import Any

from litestar_storages.exceptions import StorageError, StorageFileExistsError

from .commit import commit_sync
from .fdio import write_all, write_and_release
from .metadata import Sidecar
from .paths import Folder, Root, entry_stat
from .temp_files import discard_sync, open_temp_sync
from .threads import hop

__all__ = ("StreamingWrite", "write_file_sync", "write_stream")

_WRITE_BEHIND = 1024 * 1024
"""Most bytes gathered for one thread hop while the previous write is still running
(small chunks are batched; see ``reads._READ_AHEAD`` for why not more)."""


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

    One batch of chunks is written in a worker thread while the caller fetches the next
    ones, so disk and producer overlap. A slow producer (a network upload) gets one chunk
    per hop; when the producer outpaces the disk, chunks arriving meanwhile are gathered
    (up to 1 MiB) into the next hop's ``writev`` instead of waiting, so memory stays
    bounded and thread hops stay few.
    """

    __slots__ = ("_batch", "_batch_size", "_fd", "_folder", "_key", "_pending", "_temp")

    def __init__(self, folder: Folder, fd: int, temp: str, key: str) -> None:
        """Wrap an open temporary file in the key's open folder; use :meth:`open`."""
        self._fd: int | None = fd
        self._folder = folder
        self._temp = temp
        self._key = key
        self._pending: asyncio.Future[int] | None = None
        self._batch: list[bytes] = []
        self._batch_size = 0

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
        folder, fd, temp, _ = await hop(
            _open_and_write_sync, root, key, first, overwrite, permissions, on_abandon=_discard_opened
        )
        return cls(folder, fd, temp, key)

    async def _settle(self) -> None:
        pending = self._pending
        if pending is not None:
            await asyncio.shield(pending)
            self._pending = None

    async def write(self, chunk: bytes) -> None:
        """Queue ``chunk`` for writing.

        Args:
            chunk: The next bytes of the stream.
        """
        self._batch.append(chunk)
        self._batch_size += len(chunk)
        pending = self._pending
        if pending is not None and not pending.done() and self._batch_size < _WRITE_BEHIND:
            return  # the disk is busy: gather more rather than wait
        await self._settle()
        self._submit()

    def _submit(self) -> None:
        fd = self._fd
        if fd is None:
            raise StorageError("Write already finished", key=self._key)
        batch, self._batch = self._batch, []
        self._batch_size = 0
        self._pending = asyncio.get_running_loop().run_in_executor(None, write_and_release, fd, batch)

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
        """
        await self._settle()
        if self._batch:
            self._submit()
            await self._settle()
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
        """Abandon the write after its chunk in flight (if any) is done, removing the temporary file."""
        pending = self._pending
        if pending is not None and not pending.done():
            try:
                await asyncio.wait([pending])
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
        pending = self._pending
        if pending is None:
            _discard_opened(opened)
        elif pending.done():
            _discard_when_done(opened, pending)
        else:
            # Closing while a worker still writes to the descriptor could hit a reused fd.
            pending.add_done_callback(functools.partial(_discard_when_done, opened))


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
