"""How memory keeps an object: immutable pieces, with the MD5 etag S3 gives the same bytes.

A ``bytes`` put is kept as it is (one piece, no copy); a streamed put keeps its chunks
as they arrive instead of joining them (a copy, and twice the memory meanwhile), small
chunks gathered into pieces of at least :data:`MIN_PIECE`, and hashes them as they
arrive, large pieces in a worker thread.
"""

from __future__ import annotations

import asyncio
import hashlib

__all__ = ("HASH_IN_THREAD", "MIN_PIECE", "Receiver", "md5_hex", "md5_off_loop")

MIN_PIECE = 64 * 1024
"""Streamed chunks smaller than this are gathered into pieces of at least this size, so a
stream of tiny chunks is not stored as millions of tiny objects."""

HASH_IN_THREAD = 256 * 1024
"""MD5 runs at about 600 MB/s; from this size on it runs in a worker thread (hashlib
releases the GIL), overlapping the receipt of the next chunk and keeping the loop free."""


def md5_hex(data: bytes) -> str:
    """Return the MD5 of ``data`` in hex (the etag S3 gives a single-part upload).

    Args:
        data: The bytes.

    Returns:
        The hex digest.
    """
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


async def md5_off_loop(data: bytes) -> str:
    """Return :func:`md5_hex` of ``data``, computed in a worker thread when it is large.

    Args:
        data: The bytes.

    Returns:
        The hex digest.
    """
    if len(data) >= HASH_IN_THREAD:
        return await asyncio.to_thread(md5_hex, data)
    return md5_hex(data)


class Receiver:
    """Gathers a put's chunks into immutable pieces and hashes them as they arrive."""

    __slots__ = ("_hasher", "_hashing", "_small", "pieces", "size")

    def __init__(self) -> None:
        """Start receiving an object."""
        self._hasher = hashlib.md5(usedforsecurity=False)
        self._hashing: asyncio.Future[None] | None = None
        self._small = bytearray()
        self.pieces: list[bytes] = []
        """The pieces kept so far, in order."""
        self.size = 0
        """Bytes received so far."""

    async def add(self, chunk: bytes) -> None:
        """Take the next chunk (kept as it is unless it is small).

        Args:
            chunk: Immutable bytes from the input.
        """
        self.size += len(chunk)
        if len(chunk) < MIN_PIECE:
            self._small += chunk
            if len(self._small) < MIN_PIECE:
                return
            chunk = bytes(self._small)
            self._small.clear()
        elif self._small:
            await self._keep(bytes(self._small))
            self._small.clear()
        await self._keep(chunk)

    async def _keep(self, piece: bytes) -> None:
        # One update in flight at a time keeps the pieces hashed in order.
        if self._hashing is not None:
            await self._hashing
            self._hashing = None
        self.pieces.append(piece)
        if len(piece) >= HASH_IN_THREAD:
            self._hashing = asyncio.get_running_loop().run_in_executor(None, self._hasher.update, piece)
        else:
            self._hasher.update(piece)

    async def finish(self) -> str:
        """Keep what is left and return the MD5 of everything received.

        Returns:
            The hex digest.
        """
        if self._small:
            await self._keep(bytes(self._small))
            self._small.clear()
        if self._hashing is not None:
            await self._hashing
            self._hashing = None
        return self._hasher.hexdigest()
