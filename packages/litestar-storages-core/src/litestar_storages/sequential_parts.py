"""Parts of an upload that the service takes as one byte stream, in order (GCS resumable sessions).

Such a service has no parts of its own: part ``n`` must follow part ``n - 1``, and every
request but the last must hold a multiple of the service's granularity.
:class:`SequentialParts` keeps that bookkeeping for a driver, which only sends bytes: it
checks the order, cuts each part at its last multiple of the granularity (the bytes after
it wait for the next part or the commit), tags each part with its byte span in the
object, and checks the parts a commit lists against those taken.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from litestar_storages.driver_errors import DriverError, RefusedArgument

__all__ = ("SequentialParts",)

Buffer = bytes | bytearray | memoryview


class SequentialParts:
    """The parts taken so far by one upload, and the bytes of them not sent yet.

    Attributes:
        granularity: What every request but the last must be a multiple of, in bytes.
    """

    __slots__ = ("_tags", "_tail", "granularity")

    def __init__(self, granularity: int) -> None:
        """Start with no part.

        Args:
            granularity: What every request but the last must be a multiple of (1: any size).
        """
        self.granularity = granularity
        self._tags: list[str] = []
        self._tail = b""

    async def put(self, number: int, data: Buffer, send: Callable[[memoryview], Awaitable[object]]) -> str:
        """Take part ``number``: send what is aligned of the waiting bytes and ``data``, keep the rest.

        A part whose ``send`` fails is not taken: the same part may be put again.

        Args:
            number: The part's number (1, 2, 3... in order).
            data: Its bytes.
            send: Sends the aligned bytes (none are sent when fewer than the granularity wait).

        Returns:
            Its tag, the part's byte span in the object (``"0-1048576"``).

        Raises:
            RefusedArgument: If the part is not the next one.
        """
        expected = len(self._tags) + 1
        if number != expected:
            raise RefusedArgument(f"this upload takes its parts in order: expected part {expected}, got {number}")
        size = memoryview(data).nbytes
        start = int(self._tags[-1].partition("-")[2]) if self._tags else 0
        view = memoryview(data).cast("B")
        if self._tail:  # copied only when bytes of the previous part wait
            view = memoryview(self._tail + bytes(view))
        aligned = view.nbytes - view.nbytes % self.granularity
        if aligned:
            await send(view[:aligned])
        self._tail = bytes(view[aligned:])
        self._tags.append(f"{start}-{start + size}")
        return self._tags[-1]

    def rest(self, parts: Sequence[tuple[int, str]]) -> bytes:
        """Check the parts a commit lists and return the bytes still to send, the object's last.

        Args:
            parts: The ``(number, tag)`` pairs the caller lists.

        Returns:
            The bytes taken but not sent.

        Raises:
            DriverError: If ``parts`` differ from the parts taken.
        """
        if [(number, tag) for number, tag in sorted(parts)] != list(enumerate(self._tags, start=1)):
            raise DriverError(
                f"the parts listed differ from the parts uploaded ({len(parts)} listed, {len(self._tags)} uploaded)"
            )
        return self._tail
