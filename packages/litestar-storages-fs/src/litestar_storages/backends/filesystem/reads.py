"""Ranged reads: open once, then ``pread`` chunk by chunk with one read ahead.

Files are never modified in place (writes replace them by rename), so an open
descriptor reads one consistent version even while the key is overwritten. The engine
drives :func:`read_chunks` (counting, progress, error translation); chunks already in
the page cache are read on the event loop, the others in worker threads, ahead of the
consumer.
"""

from __future__ import annotations

import asyncio
import errno
import functools
import os
import stat as stat_module
import time
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

from litestar_storages.exceptions import StorageError, StorageFileNotFoundError
from litestar_storages.ranges import clip_range

from .cachestat import CacheCounter, cache_counter
from .paths import Root, open_file

__all__ = ("Opened", "close_opened", "open_range_sync", "page_cache_state", "read_chunks", "read_chunks_sync")

Opened = tuple[Any, bytes, int, int, os.stat_result]
"""``(fd or None, first chunk, first byte, stop, stat)`` of an opened range."""

_READ_AHEAD = 1024 * 1024
"""Most bytes read per thread hop once the consumer proves faster than the disk.

Small chunks are batched up to this; 1 MiB chunks are read one per hop, because keeping
several megabyte-sized chunks alive at once defeats the allocator's reuse of freed
blocks (every new chunk then page-faults), which costs more CPU than the hops saved."""

_NOWAIT: int | None = getattr(os, "RWF_NOWAIT", None) if hasattr(os, "preadv") else None
"""``preadv`` flag that fails instead of waiting for the disk (Linux 4.14+), else ``None``."""

_CACHESTAT: CacheCounter | None = cache_counter()
"""``cachestat`` (one system call per range) where Linux may have it; the probes otherwise."""

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


def _regular(fd: int, key: str) -> os.stat_result:
    stat = os.fstat(fd)
    if not stat_module.S_ISREG(stat.st_mode):
        raise StorageFileNotFoundError(key, message=f"File not found: {key!r} (it is a folder)")
    return stat


def open_range_sync(root: Root, key: str, start: int, end: int | None, chunk_size: int) -> Opened:
    """Open a key's file, clip the range and read its first chunk: the first thread hop of ``get``.

    Args:
        root: The storage root.
        key: A validated key.
        start: Inclusive start of the range.
        end: Exclusive end, or ``None`` for the end of the file.
        chunk_size: Size of the first chunk.

    Returns:
        ``(fd, chunk, first, stop, stat)``: ``first`` is where the clipped range starts
        and ``fd`` is ``None`` (already closed) when the first chunk was the whole range.

    Raises:
        StorageFileNotFoundError: If the key does not exist (or is a folder).
        StoragePermissionError: If the key's path meets a symbolic link.
    """
    with root.parent(key) as folder:
        fd = open_file(folder, key)  # never through a link, whatever the folders became
    try:
        stat = _regular(fd, key)
        first, stop = clip_range(start, end, stat.st_size)
        count = min(chunk_size, stop - first)
        chunk = _read_exactly(fd, count, first) if count else b""
    except BaseException:
        os.close(fd)
        raise
    if first + count >= stop:
        os.close(fd)
        return None, chunk, first, stop, stat
    return fd, chunk, first, stop, stat


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


def close_opened(opened: Opened) -> None:
    """Close the descriptor of a range opened for a caller that went away (``hop``'s ``on_abandon``)."""
    if opened[0] is not None:
        os.close(opened[0])


def _close_when_done(fd: int, done: asyncio.Future[Any]) -> None:
    if not done.cancelled():
        done.exception()  # retrieved: the consumer has gone away
    os.close(fd)


def page_cache_state(fd: int, offset: int, size: int) -> bool | None:
    """Tell whether ``size`` bytes from ``offset`` can be read without waiting for the disk.

    Asks ``cachestat`` (Linux 6.5+: the cached pages of the range, one system call)
    where the kernel answers it, else probes one byte every :data:`_PROBE_STRIDE` bytes
    (and the last one) with ``preadv(..., RWF_NOWAIT)``, which fails rather than wait
    for the disk. A page evicted between the answer and the read can still make the read
    wait: with the probes for less than a stride of disk reading, with ``cachestat``
    for the pages evicted in those microseconds.

    Args:
        fd: The open file.
        offset: Where the read starts.
        size: Bytes to read (more than zero).

    Returns:
        ``True`` when every probed page is cached, ``False`` when one is not, ``None``
        when the platform or filesystem cannot tell (reads then stay in threads).
    """
    counter = _CACHESTAT
    if counter is not None:
        counted = counter(fd, offset, size)
        if counted is not None:
            return counted
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


class _Reading:
    """The state of one streamed range: its descriptor, where it stands, the read in flight."""

    __slots__ = ("batch", "chunk_size", "fd", "most", "on_loop", "pending", "position", "stop")

    def __init__(self, fd: int, position: int, stop: int, chunk_size: int) -> None:
        self.fd: int | None = fd
        self.position = position
        self.stop = stop
        self.chunk_size = chunk_size
        self.pending: asyncio.Future[list[bytes]] | None = None
        self.batch = 1
        self.most = max(1, _READ_AHEAD // chunk_size)
        self.on_loop = chunk_size <= _LOOP_CHUNK_MAX

    def cached(self) -> bool:
        """Tell whether the next chunk can be read on the event loop (stop asking where nobody can tell)."""
        fd = self.fd
        if fd is None or not self.on_loop:
            return False
        cached = page_cache_state(fd, self.position, min(self.chunk_size, self.stop - self.position))
        self.on_loop = cached is not None
        return bool(cached)

    async def from_page_cache(self) -> AsyncIterator[bytes]:
        """Read chunks on the event loop while they are cached; close the descriptor after the last."""
        fd = self.fd
        assert fd is not None  # noqa: S101 - only called after cached()
        turn = time.perf_counter()
        while self.position < self.stop:
            size = min(self.chunk_size, self.stop - self.position)
            # Probed again: the consumer may have taken long enough for eviction.
            if not page_cache_state(fd, self.position, size):
                return
            chunk = _read_exactly(fd, size, self.position)
            self.position += size
            yield chunk
            del chunk  # handed over: not kept alive here
            if time.perf_counter() - turn >= _LOOP_SLICE:
                await asyncio.sleep(0)  # let other tasks run: bounded loop lag
                turn = time.perf_counter()
        self.fd = None  # closed here, not again in release(), even if close fails
        os.close(fd)

    def submit(self) -> None:
        """Start reading the next batch in a worker thread (the descriptor's last batch closes it)."""
        fd = self.fd
        if fd is None:
            return
        last = self.position + self.batch * self.chunk_size >= self.stop
        read = functools.partial(read_chunks_sync, fd, self.chunk_size, self.position, self.stop, self.batch, last=last)
        self.pending = asyncio.get_running_loop().run_in_executor(None, read)
        self.position = min(self.stop, self.position + self.batch * self.chunk_size)
        if last:
            self.fd = None  # the last read closes it

    async def collect(self) -> list[bytes]:
        """Wait for the batch in flight."""
        pending = self.pending
        assert pending is not None  # noqa: S101 - only called after submit()
        if not pending.done():
            # The consumer outpaces the disk: read more per thread hop (slow consumers,
            # such as network clients, keep single-chunk read-ahead and little memory).
            self.batch = min(self.batch * 2, self.most)
        chunks = await asyncio.shield(pending)
        self.pending = None
        return chunks

    def release(self) -> None:
        """Close the descriptor unless the last read owns it, once no worker reads from it."""
        fd, self.fd = self.fd, None
        if fd is None:
            return
        pending = self.pending
        if pending is None or pending.done():
            if pending is not None and not pending.cancelled():
                pending.exception()
            os.close(fd)
        else:
            # A worker may still be reading from it: close once it is done.
            pending.add_done_callback(functools.partial(_close_when_done, fd))


async def read_chunks(fd: int, first: bytes, position: int, stop: int, chunk_size: int) -> AsyncGenerator[bytes, None]:
    """Stream the rest of an opened range, reading ahead while chunks are consumed.

    Chunks already in the page cache are read on the event loop (about 40 µs per MiB,
    less than a thread hop costs), giving the loop a turn at least every
    :data:`_LOOP_SLICE` seconds; the others are read in worker threads, ahead of the
    consumer. The descriptor is closed at the end, or when the consumer leaves early.

    Args:
        fd: The open file (from :func:`open_range_sync`).
        first: The first chunk, already read (``b""`` when none was: reading starts at ``position``).
        position: Where the next chunk starts.
        stop: End of the range (exclusive).
        chunk_size: Bytes per chunk.

    Yields:
        Chunks of at most ``chunk_size`` bytes.
    """
    reading = _Reading(fd, position, stop, chunk_size)
    chunks = [first] if first else []
    del first
    try:
        while True:
            if reading.cached():
                chunks.reverse()
                while chunks:
                    yield chunks.pop()
                async for chunk in reading.from_page_cache():
                    yield chunk
                if reading.fd is None:
                    return
            reading.submit()  # the next batch is read while these are consumed
            chunks.reverse()
            while chunks:
                yield chunks.pop()  # handed over without keeping it alive here
            if reading.pending is None:
                return
            chunks = await reading.collect()
    finally:
        reading.release()
