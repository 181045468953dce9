"""Request bodies that hand a buffered block to the HTTP client in slices, never copied whole.

A backend that sends a multi-megabyte ``bytes`` block as one request body pays for it
twice on Python 3.11: aiohttp writes the body in one call, and asyncio's transport
copies whatever the socket did not take at once into its own buffer, on the event
loop (an extra block of memory per request in flight, and milliseconds of loop lag).
:class:`SlicedBody` avoids that: it is an async iterable of :data:`SLICE`-sized
``memoryview`` slices of the block, which aiohttp writes one at a time with flow
control, so only the block itself is held, and it lets other tasks run between
slices so that sending a block never holds the event loop for long. It is also a
seekable, readable file-like object, for SDKs that measure or rewind a body before
sending it (botocore, the retry policy of azure-core).

The length is not sent by aiohttp for an iterable body: the caller (or its SDK) sets
``Content-Length`` to ``len(body)``.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from typing import Protocol

__all__ = ("SLICE", "SLICES_PER_STEP", "SendMonitor", "SlicedBody", "sliced_body")

SLICE = 64 * 1024
"""Bytes handed to the transport per write."""

SLICES_PER_STEP = 16
"""Slices written before the body lets the event loop run other tasks (1 MiB)."""


class SendMonitor(Protocol):
    """Told about each slice the transport asks for, and when the last one has gone."""

    def progress(self) -> None:
        """Note that the transport asked for the next slice."""
        ...

    def finish(self) -> None:
        """Note that the body has been sent (or its sending stopped)."""
        ...


class SlicedBody:
    """Read-only view of one buffered block, streamable by aiohttp and readable by SDKs.

    Iterating it yields ``memoryview`` slices of the block from the current position; a
    body is consumed by one request, so create a new one for each attempt.

    Example:
        >>> body = SlicedBody(b"x" * 100_000)
        >>> len(body)
        100000
    """

    __slots__ = ("_monitor", "_position", "_view")

    def __init__(self, data: bytes | bytearray | memoryview, monitor: SendMonitor | None = None) -> None:
        """Wrap ``data`` without copying it.

        Args:
            data: The block's bytes (kept referenced, not copied, until the body is dropped).
            monitor: Told about every slice handed to the transport, and when the last
                one has gone.
        """
        self._view = memoryview(data).cast("B")
        self._position = 0
        self._monitor = monitor

    def __len__(self) -> int:
        return self._view.nbytes

    def read(self, size: int | None = -1) -> bytes:
        """Return up to ``size`` bytes from the current position (all with ``-1``).

        Args:
            size: Bytes wanted, or ``-1`` (or ``None``) for the rest.

        Returns:
            The bytes (a copy); ``b""`` at the end.
        """
        end = self._view.nbytes if size is None or size < 0 else min(self._view.nbytes, self._position + size)
        chunk = self._view[self._position : end].tobytes()
        self._position = end
        return chunk

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        """Move the read position, like ``io.IOBase.seek`` (clamped to the block).

        Args:
            offset: The offset.
            whence: ``SEEK_SET``, ``SEEK_CUR`` or ``SEEK_END``.

        Returns:
            The new position.
        """
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._view.nbytes}[whence]
        self._position = max(0, min(self._view.nbytes, base + offset))
        return self._position

    def tell(self) -> int:
        """Return the read position."""
        return self._position

    def seekable(self) -> bool:
        """Return ``True``: the body can be rewound for another attempt."""
        return True

    def __aiter__(self) -> AsyncIterator[memoryview]:
        return self._slices()

    async def _slices(self) -> AsyncIterator[memoryview]:
        # aiohttp asks for the next slice only once the transport has room for it, so
        # the time between two requests measures the service's reading of the body.
        # While the socket takes every slice at once (a fast or local service), aiohttp
        # never waits for the transport, so the whole body would go out in one step of
        # the event loop (milliseconds per MiB on a busy machine): every
        # SLICES_PER_STEP slices the body lets the loop run other tasks.
        monitor = self._monitor
        try:
            for index, start in enumerate(range(self._position, self._view.nbytes, SLICE)):
                if index and not index % SLICES_PER_STEP:
                    await asyncio.sleep(0)
                if monitor is not None:
                    monitor.progress()
                yield self._view[start : start + SLICE]
        finally:
            if monitor is not None:
                monitor.finish()


def sliced_body(data: bytes | bytearray | memoryview, monitor: SendMonitor | None = None) -> bytes | SlicedBody:
    """Return ``data`` itself when it is small ``bytes``, else a :class:`SlicedBody` over it.

    A body of at most one slice fits in the transport's buffer at once, so it needs
    neither slicing nor a monitor. Call it inside the request factory, so that each
    attempt gets a fresh body.

    Args:
        data: The bytes to send.
        monitor: The monitor of the attempt, for a :class:`SlicedBody`.

    Returns:
        The body to hand to the HTTP client or SDK.
    """
    if isinstance(data, bytes) and len(data) <= SLICE:
        return data
    return SlicedBody(data, monitor)
