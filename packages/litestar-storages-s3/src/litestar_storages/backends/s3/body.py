"""A buffered part as a request body that is sent in slices, never copied whole.

Handing botocore a ``bytes`` body costs two extra copies of it (botocore wraps it in a
``BytesIO``, which aiohttp then un-shares), and even a ``bytearray`` is copied once more
on Python 3.11, whose asyncio transport copies whatever the socket did not take at
once. :class:`PartBody` avoids all three: botocore sees a seekable file-like object
(for the Content-Length and, on plain HTTP, the payload hash) and aiohttp an async
iterable, which it writes 64 KiB at a time with flow control. Each part in flight then
costs its size once, which is what the memory bound of multipart uploads counts on.

Each slice aiohttp asks for is reported to a :class:`~.stall.SendWatch`, which fails the
request when the service stops taking the body (aiohttp bounds nothing while it writes).
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from litestar_storages.backends.s3.stall import SendWatch

__all__ = ("SLICE", "PartBody", "request_body")

SLICE = 64 * 1024
"""Bytes handed to the transport per write."""


class PartBody:
    """Read-only view of one buffered part, readable by botocore and streamable by aiohttp.

    A body is consumed by one request: create a new one for each attempt.
    """

    __slots__ = ("_position", "_view", "_watch")

    def __init__(self, data: bytes | bytearray | memoryview, watch: SendWatch | None = None) -> None:
        """Wrap ``data`` without copying it.

        Args:
            data: The part's bytes.
            watch: Told about every slice handed to the transport, and when the last
                one has gone.
        """
        self._view = memoryview(data).cast("B")
        self._position = 0
        self._watch = watch

    def __len__(self) -> int:
        return self._view.nbytes

    def read(self, size: int = -1) -> bytes:
        """Return up to ``size`` bytes from the current position (all with ``-1``).

        Args:
            size: Bytes wanted, or ``-1`` for the rest.

        Returns:
            The bytes; ``b""`` at the end.
        """
        end = self._view.nbytes if size is None or size < 0 else min(self._view.nbytes, self._position + size)
        chunk = self._view[self._position : end].tobytes()
        self._position = end
        return chunk

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        """Move the read position, like ``io.IOBase.seek``.

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

    def __aiter__(self) -> AsyncIterator[memoryview]:
        return self._slices()

    async def _slices(self) -> AsyncIterator[memoryview]:
        # aiohttp asks for the next slice only once the transport has room for it, so
        # the time between two requests measures the service's reading of the body.
        watch = self._watch
        try:
            for start in range(self._position, self._view.nbytes, SLICE):
                if watch is not None:
                    watch.progress()
                yield self._view[start : start + SLICE]
        finally:
            if watch is not None:
                watch.finish()


def request_body(data: bytes | bytearray | memoryview, watch: SendWatch | None = None) -> Any:
    """Return what to pass as ``Body=``: small ``bytes`` as they are, anything else as a :class:`PartBody`.

    Call it inside the request factory, so that each attempt gets a fresh body. Small
    bodies need no watch: they fit in the transport's buffer at once.

    Args:
        data: The bytes to send.
        watch: The watch of the attempt, for a :class:`PartBody`.

    Returns:
        The body object (typed ``Any``: botocore's stubs do not know file-likes that
        are not ``IO`` subclasses).
    """
    if isinstance(data, bytes) and len(data) <= SLICE:
        return data
    return PartBody(data, watch)
