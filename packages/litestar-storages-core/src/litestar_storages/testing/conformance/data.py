"""Payloads, keys and helper streams shared by the conformance tests."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from typing import ClassVar

from litestar_storages.protocol import Storage

MIB = 1024 * 1024

BAD_KEYS: tuple[str, ...] = (
    "",
    "/absolute.txt",
    "../escape.txt",
    "a/../../escape.txt",
    "a/./b.txt",
    "trailing/",
    "double//slash.txt",
    "back\\slash.txt",
    "nul\x00byte.txt",
    "new\nline.txt",
    "tab\there.txt",
    "x" * 1025,
    "é" * 513,
)
"""Keys every backend must reject with :class:`InvalidKeyError`."""

ODD_KEYS: tuple[str, ...] = (
    "with space.txt",
    "ünïcödé/文件.bin",
    "percent%20encoded.txt",
    "query?and#hash.txt",
    "plus+sign&amp=.txt",
    "dots...in..names.txt",
    ".hidden",
    "a/b/c/d/e/f/deep.txt",
    "emoji-😀.txt",
)
"""Legal but awkward keys every backend must store and list back unchanged."""

BAD_CONTENT_TYPES: tuple[str, ...] = (
    "",
    "text/é",
    "text",
    "text/plain; ",
    'text/plain; charset="é"',
    "text/plain; charset=\x85",
    "text/plain\r\nX-Injected: 1",
    "a/" + "b" * 1023,
)
"""Content types every backend must refuse with :class:`InvalidMetadataError`, before any request."""

ODD_CONTENT_TYPES: tuple[str, ...] = (
    'text/plain; charset="utf-8"',
    "Text/HTML; Charset=UTF-8",
    "application/vnd.api+json",
    "image/svg+xml",
    'multipart/mixed; boundary="with spaces; and \\"quotes\\""',
    "text/plain ;format=flowed;\tdelsp=yes",
    "application/x-!#$%&'*+-.^_`|~; a=b",
)
"""Legal but awkward content types every backend must store and return unchanged."""


class _Boom(Exception):
    """Raised by the failing input streams of the kit."""


async def _chunks(data: bytes, sizes: tuple[int, ...] = (1, 7, 4093, 65537, 1000003)) -> AsyncIterator[bytes]:
    position, index = 0, 0
    while position < len(data):
        size = sizes[index % len(sizes)]
        yield data[position : position + size]
        position += size
        index += 1
        await asyncio.sleep(0)


async def _failing(prefix: bytes) -> AsyncIterator[bytes]:
    yield prefix
    raise _Boom("input stream failed")


class _AsyncReader:
    def __init__(self, data: bytes) -> None:
        self._buffer = io.BytesIO(data)

    async def read(self, size: int = -1) -> bytes:
        return self._buffer.read(size)


def _pattern(size: int) -> bytes:
    block = bytes(range(256)) * 4096
    repeats, rest = divmod(size, len(block))
    return block * repeats + block[:rest]


async def _call_on_missing(storage: Storage, operation: str) -> object:
    if operation == "get":
        return [chunk async for chunk in storage.get("missing.txt")]
    if operation in {"copy", "move"}:
        return await getattr(storage, operation)("missing.txt", "elsewhere.txt")
    return await getattr(storage, operation)("missing.txt")


class ConformanceBase:
    """Attributes every conformance mixin relies on."""

    large_size: ClassVar[int] = 5 * MIB + 12345
    """Size of the "large" streamed round trip and of the failing large upload.

    Set it above your backend's multipart threshold so that path is covered."""
