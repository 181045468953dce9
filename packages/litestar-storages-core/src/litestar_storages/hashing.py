"""Hashing large buffers in a worker thread, without keeping them alive after their hashing.

Hashing a part of several MiB takes milliseconds: done on the event loop, it would stall
every other request. The executor, though, keeps a job's arguments until after the loop
has been told the job is done, so a buffer passed to it directly outlives its hashing
while the next part is read (two parts held, not one): the buffer goes in a list that
the worker empties.
"""

from __future__ import annotations

import asyncio
from typing import Protocol, TypeVar

__all__ = ("Hasher", "updated_copy")

Buffer = bytes | bytearray | memoryview


class Hasher(Protocol):
    """A ``hashlib`` hash object: what :func:`updated_copy` needs of it."""

    def update(self, data: Buffer, /) -> None:
        """Add ``data`` to the hash."""
        ...

    def copy(self) -> Hasher:
        """Return an independent copy of the hash state."""
        ...


T = TypeVar("T", bound=Hasher)


async def updated_copy(hasher: T, data: Buffer) -> T:
    """Return a copy of ``hasher`` updated with ``data``, computed in a worker thread.

    ``hasher`` itself is unchanged, so a caller can adopt the copy only once the bytes
    are known to count (a chunk sent again must not be hashed twice).

    Args:
        hasher: The running hash (``hashlib.md5()``...).
        data: The bytes to add; not referenced by this call once hashed.

    Returns:
        The updated copy.
    """
    held = [data]
    del data
    return await asyncio.to_thread(_update_and_release, hasher, held)


def _update_and_release(hasher: T, held: list[Buffer]) -> T:
    try:
        successor = hasher.copy()
        successor.update(held[0])
        return successor  # type: ignore[return-value]  # copy() of a T is a T
    finally:
        held.clear()
