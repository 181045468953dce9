"""Ranged reads: open once, then ``pread`` chunk by chunk with one read ahead.

Files are never modified in place (writes replace them by rename), so an open
descriptor reads one consistent version even while the key is overwritten.
"""

from __future__ import annotations

import asyncio
import errno
import functools
import os
import stat as stat_module
import time
from collections.abc import AsyncIterator
from typing import Any

from litestar_storages.error_mapping import ErrorMapper
from litestar_storages.exceptions import StorageError, StorageFileNotFoundError
from litestar_storages.progress import ProgressReporter
from litestar_storages.ranges import clip_range
from litestar_storages.types import ProgressCallback

from .atomic import hop
from .paths import Root, open_file

__all__ = ("open_range_sync", "page_cache_state", "read_chunks_sync", "read_range")

Opened = tuple[Any, bytes, int, int]  # (fd or None, first chunk, next offset, stop)

_READ_AHEAD = 1024 * 1024
"""Most bytes read per thread hop once the consumer proves faster than the disk.

Small chunks are batched up to this; 1 MiB chunks are read one per hop, because keeping
several megabyte-sized chunks alive at once defeats the allocator's reuse of freed
blocks (every new chunk then page-faults), which costs more CPU than the hops saved."""

_NOWAIT: int | None = getattr(os, "RWF_NOWAIT", None) if hasattr(os, "preadv") else None
"""``preadv`` flag that fails instead of waiting for the disk (Linux 4.14+), else ``None``."""

_NOWAIT_UNSUPPORTED = frozenset({errno.EOPNOTSUPP, errno.ENOTSUP, errno.EINVAL, errno.ENOSYS})

_PROBE_STRIDE = 128 * 1024
"""Distance between page-cache probes: at most this much may come from the disk while
the event loop waits (a fraction of a millisecond on an SSD)."""

_PROBE = [bytearray(1)]  # scratch byte of the probes (its content is never used)

_LOOP_CHUNK_MAX = 4 * 1024 * 1024
"""Largest chunk read on the event loop; larger chunks always go to a worker thread."""

_LOOP_SLICE = 0.002
"""Longest run of reads on the event loop before other tasks get a turn, in seconds."""


def _read_exactly(fd: int, count: int, offset: int) -> bytes:
    chunk = os.pread(fd, count, offset)
    if len(chunk) != count:
        # Only possible when something outside the storage truncates the file in place.
        raise StorageError(f"File shrank while being read (expected {count} bytes at offset {offset})")
    return chunk


def _regular_size(fd: int, key: str) -> int:
    stat = os.fstat(fd)
    if not stat_module.S_ISREG(stat.st_mode):
        raise StorageFileNotFoundError(key, message=f"File not found: {key!r} (it is a folder)")
    return stat.st_size


def open_range_sync(root: Root, key: str, start: int, end: int | None, chunk_size: int) -> Opened:
    """Open a key's file, clip the range and read its first chunk: the first thread hop of ``get``.

    Args:
        root: The storage root.
        key: A validated key.
        start: Inclusive start of the range.
        end: Exclusive end, or ``None`` for the end of the file.
        chunk_size: Size of the first chunk.

    Returns:
        ``(fd, chunk, offset, stop)``; ``fd`` is ``None`` (already closed) when the
        first chunk was the whole range.

    Raises:
        StorageFileNotFoundError: If the key does not exist (or is a folder).
        StoragePermissionError: If the key's path meets a symbolic link.
    """
    with root.parent(key) as folder:
        fd = open_file(folder, key)  # never through a link, whatever the folders became
    try:
        first, stop = clip_range(start, end, _regular_size(fd, key))
        count = min(chunk_size, stop - first)
        chunk = _read_exactly(fd, count, first) if count else b""
    except BaseException:
        os.close(fd)
        raise
    position = first + count
    if position >= stop:
        os.close(fd)
        return None, chunk, position, stop
    return fd, chunk, position, stop


def read_chunks_sync(fd: int, chunk_size: int, offset: int, stop: int, count: int, *, last: bool) -> list[bytes]:
    """Read up to ``count`` chunks from ``offset``, closing the descriptor after the last batch.

    Args:
        fd: The open file.
        chunk_size: Bytes per chunk.
        offset: Where to start.
        stop: End of the range (exclusive).
        count: Chunks wanted.
        last: Whether this batch reaches ``stop`` (the descriptor is then closed, even on error).

    Returns:
        The chunks, each ``chunk_size`` bytes but the range's last.
    """
    chunks: list[bytes] = []
    try:
        for _ in range(count):
            size = min(chunk_size, stop - offset)
            if size <= 0:
                break
            chunks.append(_read_exactly(fd, size, offset))
            offset += size
    finally:
        if last:
            os.close(fd)
    return chunks


def _close_opened(opened: Opened) -> None:
    if opened[0] is not None:
        os.close(opened[0])


def _close_when_done(fd: int, done: asyncio.Future[Any]) -> None:
    if not done.cancelled():
        done.exception()  # retrieved: the consumer has gone away
    os.close(fd)


def page_cache_state(fd: int, offset: int, size: int) -> bool | None:
    """Tell whether ``size`` bytes from ``offset`` can be read without waiting for the disk.

    Probes one byte every :data:`_PROBE_STRIDE` bytes (and the last one) with
    ``preadv(..., RWF_NOWAIT)``, which fails rather than wait for the disk. A page
    evicted between two probes can still make the read wait, for less than a stride of
    disk reading: that bounds how long a read on the event loop can block it.

    Args:
        fd: The open file.
        offset: Where the read starts.
        size: Bytes to read (more than zero).

    Returns:
        ``True`` when every probed page is cached, ``False`` when one is not, ``None``
        when the platform or filesystem cannot tell (reads then stay in threads).
    """
    if _NOWAIT is None:
        return None
    probe = _PROBE
    end = offset + size - 1
    try:
        for at in range(offset, end, _PROBE_STRIDE):
            if not os.preadv(fd, probe, at, _NOWAIT):
                return False  # past the end: the file shrank; the thread read reports it
        if not os.preadv(fd, probe, end, _NOWAIT):
            return False
    except BlockingIOError:
        return False
    except OSError as error:
        if error.errno in _NOWAIT_UNSUPPORTED:
            return None
        return False  # let the thread read raise it, through the usual error mapping
    return True


async def read_range(
    root: Root,
    key: str,
    start: int,
    end: int | None,
    *,
    chunk_size: int,
    mapper: ErrorMapper,
    progress: ProgressCallback | None,
) -> AsyncIterator[bytes]:
    """Stream a validated range of a key's file, reading ahead while chunks are consumed.

    Chunks already in the page cache are read on the event loop (about 40 µs per MiB,
    less than a thread hop costs), giving the loop a turn at least every
    :data:`_LOOP_SLICE` seconds; the others are read in worker threads, ahead of the
    consumer.

    Args:
        root: The storage root.
        key: A validated key.
        start: Inclusive start (validated).
        end: Exclusive end or ``None`` (validated).
        chunk_size: Bytes per chunk.
        mapper: Translates ``OSError`` into storage errors.
        progress: Download progress callback.

    Yields:
        Chunks of at most ``chunk_size`` bytes.
    """
    with mapper.guard(key):
        fd, chunk, position, stop = await hop(
            open_range_sync, root, key, start, end, chunk_size, on_abandon=_close_opened
        )
    reporter = ProgressReporter(progress, operation="download", key=key, total_bytes=stop - min(start, stop))
    loop = asyncio.get_running_loop()
    pending: asyncio.Future[list[bytes]] | None = None
    batch = 1
    most = max(1, _READ_AHEAD // chunk_size)
    on_loop = chunk_size <= _LOOP_CHUNK_MAX
    chunks = [chunk] if chunk else []
    try:
        while True:
            if fd is not None and on_loop:
                cached = page_cache_state(fd, position, min(chunk_size, stop - position))
                on_loop = cached is not None
                if cached:
                    chunks.reverse()
                    while chunks:
                        chunk = chunks.pop()
                        yield chunk
                        await reporter.advance(len(chunk))
                    turn = time.perf_counter()
                    while position < stop:
                        size = min(chunk_size, stop - position)
                        # Probed again: the consumer may have taken long enough for eviction.
                        if not page_cache_state(fd, position, size):
                            break
                        with mapper.guard(key):
                            chunk = _read_exactly(fd, size, position)
                        position += size
                        yield chunk
                        await reporter.advance(size)
                        if time.perf_counter() - turn >= _LOOP_SLICE:
                            await asyncio.sleep(0)  # let other tasks run: bounded loop lag
                            turn = time.perf_counter()
                    del chunk
                    if position >= stop:
                        closing = fd
                        fd = None  # closed here, not again in ``finally``, even if close fails
                        os.close(closing)
                        return
            if fd is not None:
                last = position + batch * chunk_size >= stop
                read = functools.partial(read_chunks_sync, fd, chunk_size, position, stop, batch, last=last)
                pending = loop.run_in_executor(None, read)
                position = min(stop, position + batch * chunk_size)
                if last:
                    fd = None  # the last read closes it
            chunks.reverse()
            while chunks:
                chunk = chunks.pop()  # hand each chunk over without keeping it alive here
                yield chunk
                await reporter.advance(len(chunk))
            if pending is None:
                return
            if not pending.done():
                # The consumer outpaces the disk: read more per thread hop (slow consumers,
                # such as network clients, keep single-chunk read-ahead and little memory).
                batch = min(batch * 2, most)
            with mapper.guard(key):
                chunks = await asyncio.shield(pending)
            pending = None
    finally:
        if fd is not None:
            if pending is None or pending.done():
                if pending is not None and not pending.cancelled():
                    pending.exception()
                os.close(fd)
            else:
                # A worker may still be reading from it: close once it is done.
                pending.add_done_callback(functools.partial(_close_when_done, fd))
