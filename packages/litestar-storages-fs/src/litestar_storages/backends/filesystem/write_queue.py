"""Write-behind: chunks queued on the event loop, written in order by one worker thread at a time.

A thread hop per chunk costs two hand-overs between threads (the loop wakes a worker,
the worker wakes the loop) and leaves the disk idle while the loop gets round to the
next chunk; on a busy machine every hand-over waits for the scheduler. Here a worker
thread keeps writing as long as chunks are queued, taking everything queued at once
(one ``writev``); the loop only wakes a worker when none is running, and only waits
(woken by the worker) when the queue holds :data:`WRITE_BEHIND` bytes. So a producer
faster than the disk costs one hand-over per batch, and a slow producer (a network
upload) one hop per chunk, as before; at most ``WRITE_BEHIND`` bytes wait in the queue
beside the batch being written, so memory stays flat.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import Callable

from .fdio import write_chunks

__all__ = ("WRITE_BEHIND", "WriteQueue")

WRITE_BEHIND = 1024 * 1024
"""Bytes queued beside the batch being written before the producer waits.

More would save hand-overs, but keeping several megabyte-sized chunks alive at once
defeats the allocator's reuse of freed blocks (every new chunk then page-faults, see
``reads._READ_AHEAD``), which costs more CPU than the hand-overs saved."""

_MAX_BATCH = 512
"""Most chunks taken per ``writev`` (below IOV_MAX)."""


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():  # a cancelled wait needs no wake-up
        waiter.set_result(None)


class WriteQueue:
    """The chunks of one descriptor waiting to be written, and the worker writing them.

    Used from the event loop (:meth:`put`, :meth:`drained`, :meth:`stop`); the worker
    thread only runs :meth:`_drain`. The lock guards the queue and the flags both sides
    read; it is held for a few list operations, never during a write.
    """

    __slots__ = ("_chunks", "_error", "_lock", "_loop", "_queued", "_running", "_stopped", "_waiter", "fd", "job")

    def __init__(self, fd: int) -> None:
        """Queue writes to ``fd`` (the caller keeps owning it: see :meth:`stop`)."""
        self.fd = fd
        self.job: asyncio.Future[None] | None = None
        """The latest worker job: the one running, if any (only one runs at a time)."""
        self._loop = asyncio.get_running_loop()
        self._lock = threading.Lock()
        self._chunks: deque[bytes] = deque()
        self._queued = 0
        self._running = False
        self._stopped = False
        self._waiter: asyncio.Future[None] | None = None
        self._error: BaseException | None = None

    async def put(self, chunk: bytes) -> None:
        """Queue ``chunk``; wait only when the queue is full.

        Raises:
            BaseException: The error of an earlier write (the write is then over).
        """
        with self._lock:
            self._raise_locked()
            self._chunks.append(chunk)
            self._queued += len(chunk)
            start = not self._running
            self._running = True
        del chunk  # the queue owns it: freed by the worker once written
        if start:
            self.job = self._loop.run_in_executor(None, self._drain)
        await self._wait(lambda: self._queued < WRITE_BEHIND)

    async def drained(self) -> None:
        """Wait until every queued chunk is written.

        Raises:
            BaseException: The error of a failed write.
        """
        await self._wait(lambda: not self._running)
        with self._lock:
            self._raise_locked()

    def stop(self) -> bool:
        """Drop what is queued and take no more; tell whether a worker still uses the descriptor.

        Returns:
            ``True`` while a worker is writing (close the descriptor once :attr:`job` is
            done), ``False`` when the descriptor is free to close now.
        """
        with self._lock:
            self._stopped = True
            self._chunks.clear()
            self._queued = 0
            return self._running

    async def _wait(self, ready: Callable[[], bool]) -> None:
        while True:
            with self._lock:
                if self._error is not None or ready():
                    self._raise_locked()
                    return
                waiter = self._waiter = self._loop.create_future()
            await waiter

    def _raise_locked(self) -> None:
        if self._error is not None:
            raise self._error

    def _notify_locked(self) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None:
            self._loop.call_soon_threadsafe(_wake, waiter)

    def _drain(self) -> None:
        """Worker thread: write batches until the queue is empty, then end the job."""
        fd = self.fd
        while True:
            with self._lock:
                if not self._chunks or self._stopped or self._error is not None:
                    self._running = False
                    self._notify_locked()
                    return
                count = min(len(self._chunks), _MAX_BATCH)
                batch = [self._chunks.popleft() for _ in range(count)]
                self._queued -= sum(len(chunk) for chunk in batch)
                self._notify_locked()  # room in the queue: the producer fetches the next while this is written
            try:
                write_chunks(fd, batch)
            except BaseException as error:
                with self._lock:
                    self._error = error
                    self._chunks.clear()
                    self._queued = 0
            finally:
                # Freed here, in the thread, right after the write: the producer's next
                # chunks then reuse this memory instead of faulting in fresh pages.
                batch.clear()
