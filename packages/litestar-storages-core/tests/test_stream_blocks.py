"""ByteStream.read_block and ByteStream.at_eof (used by the S3 backend's multipart uploads)."""

import asyncio
from collections.abc import AsyncIterator

from hypothesis import given, settings
from hypothesis import strategies as st

from litestar_storages.streams import ByteStream


async def pieces(chunks: list[bytes]) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield chunk


@settings(max_examples=200, deadline=None)
@given(
    chunks=st.lists(st.binary(max_size=40), max_size=12),
    size=st.integers(min_value=1, max_value=50),
    mix=st.lists(st.tuples(st.sampled_from(["block", "read"]), st.booleans()), min_size=1, max_size=6),
)
def test_blocks_reassemble_the_stream(chunks: list[bytes], size: int, mix: list[tuple[str, bool]]) -> None:
    async def run() -> None:
        data = b"".join(chunks)
        stream = ByteStream(pieces(chunks))
        received = bytearray()
        step = 0
        while True:
            style, peek_first = mix[step % len(mix)]
            step += 1
            if peek_first:
                assert await stream.at_eof() == (len(received) == len(data))
            block = await (stream.read_block(size) if style == "block" else stream.read(size))
            if style == "block":
                assert isinstance(block, bytearray)
            if not block:
                break
            # Exact size except the last block.
            assert len(block) == size or len(received) + len(block) == len(data)
            received += block
        assert bytes(received) == data
        assert stream.consumed == len(data)
        assert await stream.at_eof()

    asyncio.run(run())


async def test_at_eof_does_not_lose_the_peeked_chunk() -> None:
    stream = ByteStream(pieces([b"abc", b"", b"def"]))
    assert not await stream.at_eof()
    assert bytes(await stream.read_block(2)) == b"ab"
    assert not await stream.at_eof()
    assert [chunk async for chunk in stream] == [b"c", b"def"]
    assert await stream.at_eof()


@settings(max_examples=200, deadline=None)
@given(
    chunks=st.lists(st.binary(max_size=40), max_size=12),
    size=st.integers(min_value=1, max_value=50),
    blocks=st.integers(min_value=0, max_value=3),
    peeks=st.integers(min_value=0, max_value=2),
)
def test_iterating_after_blocks_and_peeks_gives_the_rest(
    chunks: list[bytes], size: int, blocks: int, peeks: int
) -> None:
    # What the engine does before handing a stream on: a first block, a peek, then chunks.
    async def run() -> None:
        data = b"".join(chunks)
        stream = ByteStream(pieces(chunks))
        received = bytearray()
        for _ in range(blocks):
            received += await stream.read_block(size)
        for _ in range(peeks):
            assert await stream.at_eof() == (len(received) == len(data))
        async for chunk in stream:
            received += chunk
        assert bytes(received) == data
        assert stream.consumed == len(data)

    asyncio.run(run())
