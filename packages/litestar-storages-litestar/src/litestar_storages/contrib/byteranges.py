"""The body of a ``206`` answer to several ranges: ``multipart/byteranges`` (RFC 9110, 14.6).

Each part is a header block (the file's type and the part's ``Content-Range``) and
that range's bytes, streamed from the storage one range after the other, so the whole
answer never sits in memory and its length is known before the first byte is sent.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable, Sequence
from typing import TYPE_CHECKING

from litestar_storages.calls import open_read

if TYPE_CHECKING:
    from litestar_storages.contrib.http_headers import ByteRange
    from litestar_storages.protocol import Storage

__all__ = ("MultipartByteranges",)


class MultipartByteranges:
    """Several ranges of one stored file as one ``multipart/byteranges`` body.

    Attributes:
        boundary: The random boundary between parts (never found in part headers).
        content_type: The response's ``Content-Type`` value, with the boundary.
        content_length: The exact length of :meth:`stream`'s output.
    """

    __slots__ = ("_heads", "_ranges", "_tail", "boundary", "content_length", "content_type")

    def __init__(self, ranges: Sequence[ByteRange], part_type: str) -> None:
        """Lay out the parts.

        Args:
            ranges: The ranges to send, in the order to send them.
            part_type: The stored file's media type, repeated in each part.
        """
        self.boundary = secrets.token_hex(16)
        self.content_type = f"multipart/byteranges; boundary={self.boundary}"
        self._ranges = list(ranges)
        self._heads = [
            (
                f"\r\n--{self.boundary}\r\n"
                f"Content-Type: {part_type}\r\n"
                f"Content-Range: {byte_range.content_range}\r\n\r\n"
            ).encode("latin-1")
            for byte_range in self._ranges
        ]
        self._tail = f"\r\n--{self.boundary}--\r\n".encode("latin-1")
        self.content_length = (
            sum(len(head) for head in self._heads)
            + sum(byte_range.length for byte_range in self._ranges)
            + len(self._tail)
        )

    def stream(self, storage: Storage, key: str, first: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        """Yield the body, downloading each range when its turn comes.

        Args:
            storage: The storage holding the file.
            key: The file's key.
            first: The first range's download, already started (so a missing file was
                found before the status line was sent).

        Returns:
            The body's bytes.
        """
        return self.stream_ranges(lambda start, end: open_read(storage, key, start=start, end=end), first)

    async def stream_ranges(
        self, read: Callable[[int, int], AsyncIterator[bytes]], first: AsyncIterator[bytes]
    ) -> AsyncIterator[bytes]:
        """Yield the body, reading each range when its turn comes.

        Args:
            read: Opens bytes ``[start, end)`` of the file (of one opened version, when
                the storage offers it: every part then comes from that version).
            first: The first range's bytes, already opened.

        Yields:
            The body's bytes.
        """
        for index, (head, byte_range) in enumerate(zip(self._heads, self._ranges, strict=True)):
            yield head
            chunks = first if index == 0 else read(byte_range.first, byte_range.last + 1)
            try:
                async for chunk in chunks:
                    yield chunk
            finally:
                # A client gone mid-answer must not leave a download open.
                close = getattr(chunks, "aclose", None)
                if close is not None:
                    await close()
        yield self._tail
