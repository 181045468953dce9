import asyncio
import io
import threading
from collections.abc import AsyncIterator

import pytest

from litestar_storages.exceptions import InvalidDataError
from litestar_storages.streams import ByteStream, byte_length


async def collect(stream: ByteStream) -> list[bytes]:
    return [chunk async for chunk in stream]


async def test_bytes_sliced_by_chunk_size() -> None:
    assert await collect(ByteStream(b"abcdefghij", chunk_size=4)) == [b"abcd", b"efgh", b"ij"]


async def test_bytearray_and_memoryview_become_bytes() -> None:
    chunks = await collect(ByteStream(bytearray(b"abc")))
    assert chunks == [b"abc"]
    assert all(type(c) is bytes for c in chunks)
    assert await collect(ByteStream(memoryview(b"xyz"))) == [b"xyz"]


async def test_empty_bytes_yield_nothing() -> None:
    assert await collect(ByteStream(b"")) == []


async def test_async_iterable_empty_chunks_skipped() -> None:
    async def source() -> AsyncIterator[bytes]:
        yield b"a"
        yield b""
        yield bytearray(b"b")  # type: ignore[misc]

    assert await collect(ByteStream(source())) == [b"a", b"b"]


async def test_async_iterable_of_str_rejected() -> None:
    async def source() -> AsyncIterator[str]:
        yield "text"

    with pytest.raises(InvalidDataError, match="encode"):
        await collect(ByteStream(source()))  # type: ignore[arg-type]


async def test_sync_file_read_off_the_event_loop(tmp_path: object) -> None:
    threads: list[int] = []

    class Recording(io.RawIOBase):
        def __init__(self) -> None:
            self.remaining = 3

        def read(self, size: int = -1) -> bytes:
            threads.append(threading.get_ident())
            if not self.remaining:
                return b""
            self.remaining -= 1
            return b"x" * 5

    chunks = await collect(ByteStream(Recording(), chunk_size=5))
    assert chunks == [b"xxxxx"] * 3
    assert threading.get_ident() not in threads


async def test_async_read_object() -> None:
    class Upload:
        def __init__(self) -> None:
            self.buffer = io.BytesIO(b"0123456789")

        async def read(self, size: int = -1) -> bytes:
            await asyncio.sleep(0)
            return self.buffer.read(size)

    assert await collect(ByteStream(Upload(), chunk_size=4)) == [b"0123", b"4567", b"89"]


@pytest.mark.parametrize("bad", ["text", 1, None, 3.5, object()])
def test_unsupported_data_rejected_at_once(bad: object) -> None:
    with pytest.raises(InvalidDataError):
        ByteStream(bad)  # type: ignore[arg-type]


async def test_read_returns_exact_blocks() -> None:
    async def source() -> AsyncIterator[bytes]:
        for piece in (b"ab", b"cdefg", b"h", b"ijklmnopq"):
            yield piece

    stream = ByteStream(source())
    assert await stream.read(4) == b"abcd"
    assert await stream.read(4) == b"efgh"
    assert await stream.read(4) == b"ijkl"
    assert await stream.read(10) == b"mnopq"
    assert await stream.read(4) == b""
    assert stream.consumed == 17


async def test_read_fast_path_splits_big_chunk() -> None:
    stream = ByteStream(b"x" * 10, chunk_size=10)
    assert await stream.read(3) == b"xxx"
    assert await stream.read(3) == b"xxx"
    assert await stream.read(10) == b"xxxx"


def test_byte_length() -> None:
    assert byte_length(b"abc") == 3
    assert byte_length(bytearray(4)) == 4
    assert byte_length(memoryview(b"12345")) == 5
    buffer = io.BytesIO(b"123456")
    buffer.read(2)
    assert byte_length(buffer) == 4
    assert byte_length(iter([b"a"])) is None
