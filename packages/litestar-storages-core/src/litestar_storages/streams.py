"""Turning whatever ``put`` accepts into one async byte stream, and re-chunking it.

``put`` takes bytes, a sync or async iterable of bytes, or a file-like object with a
sync or async ``read()`` (Litestar's ``UploadFile``, an open file, ``io.BytesIO``).
:class:`ByteStream` gives backends one interface over all of them, consumed chunk by
chunk so a stream of any length is held only a chunk (or one part) at a time.
"""

from __future__ import annotations

import asyncio
import inspect
import io
from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable
from typing import Protocol, TypeAlias, Union, cast, runtime_checkable

from litestar_storages.exceptions import InvalidDataError

__all__ = (
    "DEFAULT_CHUNK_SIZE",
    "AsyncReadable",
    "ByteStream",
    "PutData",
    "SyncReadable",
    "byte_length",
)

DEFAULT_CHUNK_SIZE = 1024 * 1024
"""Size of the reads made from file-like objects, and of download chunks by default."""


@runtime_checkable
class SyncReadable(Protocol):
    """A file-like object with a blocking ``read(size)``."""

    def read(self, size: int = -1, /) -> bytes:
        """Read up to ``size`` bytes; ``b""`` at the end."""
        ...


@runtime_checkable
class AsyncReadable(Protocol):
    """A file-like object with an awaitable ``read(size)`` (``UploadFile``, aiofiles)."""

    async def read(self, size: int = -1, /) -> bytes:
        """Read up to ``size`` bytes; ``b""`` at the end."""
        ...


PutData: TypeAlias = Union[
    bytes, bytearray, memoryview, AsyncIterable[bytes], Iterable[bytes], SyncReadable, AsyncReadable
]
"""Everything ``Storage.put`` accepts as data."""


def byte_length(data: object) -> int | None:
    """Return the size of ``data`` when it is known without consuming it.

    Args:
        data: Anything accepted by ``put``.

    Returns:
        The length for bytes-like data and seekable in-memory buffers, else ``None``.
    """
    if isinstance(data, (bytes, bytearray)):
        return len(data)
    if isinstance(data, memoryview):
        return data.nbytes
    if isinstance(data, io.BytesIO):
        return len(data.getbuffer()) - data.tell()
    return None


def _as_bytes(chunk: object, key: str | None) -> bytes:
    if isinstance(chunk, bytes):
        return chunk
    if isinstance(chunk, (bytearray, memoryview)):
        return bytes(chunk)
    raise InvalidDataError(
        f"Data streams must yield bytes, got {type(chunk).__name__}"
        + (" (encode text first)" if isinstance(chunk, str) else ""),
        key=key,
    )


async def _iterate(data: object, chunk_size: int, key: str | None) -> AsyncGenerator[bytes, None]:
    if isinstance(data, (bytes, bytearray, memoryview)):
        view = memoryview(data).cast("B")
        for start in range(0, view.nbytes, chunk_size):
            yield bytes(view[start : start + chunk_size])
        return
    read = getattr(data, "read", None)
    if callable(read):
        # A real file's read() blocks, so it runs in a worker thread; in-memory
        # buffers are read directly (a thread hop would cost more than the copy).
        in_thread = not isinstance(data, io.BytesIO)
        async for chunk in _read_chunks(read, chunk_size, in_thread=in_thread):
            yield _as_bytes(chunk, key)
        return
    if isinstance(data, AsyncIterable):
        async for chunk in data:
            if chunk:
                yield _as_bytes(chunk, key)
        return
    if isinstance(data, Iterable) and not isinstance(data, str):
        for chunk in data:
            if chunk:
                yield _as_bytes(chunk, key)
        return
    raise InvalidDataError(
        f"Cannot store {type(data).__name__}: pass bytes, an (async) iterable of bytes, or a file-like object",
        key=key,
    )


async def _read_chunks(read: Callable[[int], object], chunk_size: int, *, in_thread: bool) -> AsyncIterator[object]:
    is_async = inspect.iscoroutinefunction(read)
    while True:
        if is_async:
            chunk = await cast("Callable[[int], Awaitable[object]]", read)(chunk_size)
        elif in_thread:
            chunk = await asyncio.to_thread(read, chunk_size)
        else:
            chunk = read(chunk_size)
        if inspect.isawaitable(chunk):
            chunk = await chunk
        if not chunk:
            return
        yield chunk


class ByteStream:
    """One async byte stream over anything ``put`` accepts.

    Iterate it for chunks as they come, or call :meth:`read` for blocks of an exact
    size (what multipart uploads need). Only one of the two styles should be used on
    one instance.

    Example:
        >>> stream = ByteStream(b"hello world", chunk_size=4)
        >>> [chunk async for chunk in stream]  # doctest: +SKIP
        [b'hell', b'o wo', b'rld']
    """

    __slots__ = ("_ahead", "_buffer", "_chunks", "_exhausted", "consumed", "size")

    def __init__(self, data: PutData, *, chunk_size: int = DEFAULT_CHUNK_SIZE, key: str | None = None) -> None:
        """Wrap ``data``.

        Args:
            data: Anything accepted by ``put``.
            chunk_size: Size of reads from file-like objects and of slices of large bytes.
            key: The key being written, for error messages.

        Raises:
            InvalidDataError: If ``data`` is of a type ``put`` does not accept.
        """
        if isinstance(data, str):
            raise InvalidDataError("Cannot store str: encode text to bytes first", key=key)
        if not (
            isinstance(data, (bytes, bytearray, memoryview, AsyncIterable, Iterable))
            or callable(getattr(data, "read", None))
        ):
            raise InvalidDataError(
                f"Cannot store {type(data).__name__}: pass bytes, an (async) iterable of bytes, or a file-like object",
                key=key,
            )
        self.size: int | None = byte_length(data)
        """Total size when known in advance, else ``None``."""
        self.consumed = 0
        """Bytes handed out so far."""
        self._chunks = _iterate(data, chunk_size, key)
        self._buffer = bytearray()
        # The chunk at_eof fetched, kept as it came: iteration hands it on uncopied.
        self._ahead: bytes | None = None
        self._exhausted = False

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._iter()

    async def _iter(self) -> AsyncIterator[bytes]:
        ahead, self._ahead = self._ahead, None
        if ahead is not None:
            self.consumed += len(ahead)
            yield ahead
        del ahead  # handed on: not kept alive for the rest of the stream
        if self._buffer:
            chunk = bytes(self._buffer)
            self._buffer.clear()
            self.consumed += len(chunk)
            yield chunk
        async for chunk in self._chunks:
            self.consumed += len(chunk)
            yield chunk
        self._exhausted = True

    async def read(self, size: int) -> bytes:
        """Return the next ``size`` bytes; fewer only at the end of the stream.

        Args:
            size: Number of bytes wanted (> 0).

        Returns:
            Up to ``size`` bytes; ``b""`` once the stream is exhausted.
        """
        self._take_ahead()
        while len(self._buffer) < size and not self._exhausted:
            try:
                chunk = await self._chunks.__anext__()
            except StopAsyncIteration:
                self._exhausted = True
                break
            if not self._buffer and len(chunk) >= size:
                # Fast path: hand out slices of a big chunk without copying it twice.
                head, rest = chunk[:size], chunk[size:]
                self._buffer.extend(rest)
                self.consumed += len(head)
                return head
            self._buffer.extend(chunk)
        # Through a memoryview: slicing the bytearray itself would copy the block twice.
        with memoryview(self._buffer) as view:
            block = bytes(view[:size])
        del self._buffer[:size]
        self.consumed += len(block)
        return block

    async def read_block(self, size: int) -> bytearray:
        """Return the next ``size`` bytes as a new ``bytearray``; fewer only at the end.

        Unlike :meth:`read`, the block is assembled with a single copy of each byte and
        handed over as a mutable buffer, which botocore and aiohttp send as it is (they
        copy ``bytes`` bodies once more). Multipart uploads use it so that memory stays
        at about one copy per part in flight.

        Args:
            size: Number of bytes wanted (> 0).

        Returns:
            Up to ``size`` bytes; empty once the stream is exhausted.
        """
        self._take_ahead()
        # Allocated once at full size and filled in place: growing a bytearray chunk by
        # chunk reallocates it, briefly holding two copies.
        block = bytearray(size)
        filled = 0
        with memoryview(block) as target:
            if self._buffer:
                filled = min(size, len(self._buffer))
                target[:filled] = self._buffer[:filled]
                del self._buffer[:filled]
            while filled < size and not self._exhausted:
                try:
                    chunk = await self._chunks.__anext__()
                except StopAsyncIteration:
                    self._exhausted = True
                    break
                taken = min(size - filled, len(chunk))
                with memoryview(chunk) as source:
                    target[filled : filled + taken] = source[:taken]
                    if taken < len(chunk):
                        self._buffer += source[taken:]
                filled += taken
                del chunk
        if filled < size:
            del block[filled:]
        self.consumed += filled
        return block

    async def at_eof(self) -> bool:
        """Tell whether the stream has no more bytes, fetching at most one chunk ahead.

        Lets a backend that has read exactly its single-request limit learn whether more
        follows without reading (and holding) a whole further block.

        Returns:
            ``True`` once the stream is exhausted.
        """
        if self._buffer or self._ahead is not None:
            return False
        while not self._exhausted:
            try:
                chunk = await self._chunks.__anext__()
            except StopAsyncIteration:
                self._exhausted = True
                break
            if chunk:
                self._ahead = chunk
                return False
        return True

    def _take_ahead(self) -> None:
        # Block reads gather into the buffer; the chunk fetched ahead goes first.
        if self._ahead is not None:
            self._buffer[:0] = self._ahead
            self._ahead = None

    async def aclose(self) -> None:
        """Release the underlying iterator (closes async generators early)."""
        await self._chunks.aclose()
