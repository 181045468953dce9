"""SlicedBody: a block sent in slices of itself, through a real aiohttp client and server."""

import asyncio
import io
import tracemalloc

import aiohttp
from aiohttp import web

from litestar_storages.bodies import SLICE, SLICES_PER_STEP, SlicedBody, sliced_body


class Monitor:
    def __init__(self) -> None:
        self.slices = 0
        self.finished = 0

    def progress(self) -> None:
        self.slices += 1

    def finish(self) -> None:
        self.finished += 1


async def test_slices_are_views_of_the_block_not_copies() -> None:
    block = bytearray(b"ab" * (SLICE + 10))
    monitor = Monitor()
    body = SlicedBody(block, monitor)
    slices = [piece async for piece in body]
    assert [piece.nbytes for piece in slices] == [SLICE, SLICE, 20]
    assert all(piece.obj is block for piece in slices)
    assert b"".join(slices) == block
    assert (monitor.slices, monitor.finished) == (3, 1)


async def test_iteration_starts_at_the_read_position() -> None:
    body = SlicedBody(memoryview(b"0123456789"))
    body.seek(4)
    assert b"".join([bytes(piece) async for piece in body]) == b"456789"


def test_file_like_reads_and_seeks() -> None:
    body = SlicedBody(b"hello world")
    assert len(body) == 11
    assert body.seekable()
    assert body.read(5) == b"hello"
    assert body.tell() == 5
    assert body.read() == b" world"
    assert body.read(3) == b""
    assert body.seek(-5, io.SEEK_END) == 6
    assert body.read(None) == b"world"
    assert body.seek(2, io.SEEK_SET) == 2
    assert body.seek(100, io.SEEK_CUR) == 11
    assert body.seek(-100) == 0


def test_small_bytes_are_sent_as_they_are() -> None:
    small = b"x" * SLICE
    assert sliced_body(small) is small
    assert isinstance(sliced_body(small + b"x"), SlicedBody)
    # A small mutable buffer is wrapped too: aiohttp would copy it.
    assert isinstance(sliced_body(bytearray(10)), SlicedBody)


async def test_sent_through_aiohttp_with_no_copy_of_the_block() -> None:
    received = bytearray()

    async def slow_reader(request: web.Request) -> web.Response:
        # Reading slowly keeps the socket full, as a real service over a network does:
        # a body written in one call would then sit, copied, in the transport's buffer.
        async for piece in request.content.iter_chunked(256 * 1024):
            received.extend(piece)
            await asyncio.sleep(0.001)
        return web.Response(text=str(request.headers.get("Transfer-Encoding", "")))

    app = web.Application(client_max_size=64 * 1024 * 1024)
    app.router.add_put("/", slow_reader)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    block = bytearray(b"\x07" * (16 * 1024 * 1024))
    try:
        async with aiohttp.ClientSession() as session:
            tracemalloc.start()
            try:
                async with session.put(
                    f"http://127.0.0.1:{port}/",
                    data=SlicedBody(block),
                    headers={"Content-Length": str(len(block))},
                ) as response:
                    assert await response.text() == ""  # sent with its length, not chunked
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
    finally:
        await runner.cleanup()
    assert received == block
    # The server's own buffer (received) is traced too: it grows to the block's size.
    # A client copy of the body (a bytes body, the transport's buffer) would add up to
    # another 16 MiB on top.
    assert peak < len(block) + 4 * 1024 * 1024, peak


async def test_sending_lets_other_tasks_run_every_step() -> None:
    # A socket that takes every slice at once never makes aiohttp wait: without the
    # body's own pauses a whole block would go out in one step of the event loop.
    block = bytearray(8 * 1024 * 1024)
    ticks = 0
    done = False

    async def ticker() -> None:
        nonlocal ticks
        while not done:
            ticks += 1
            await asyncio.sleep(0)

    task = asyncio.ensure_future(ticker())
    await asyncio.sleep(0)
    start = ticks
    slices = 0
    async for _ in SlicedBody(block):
        slices += 1  # consumed without ever waiting, like a transport with room to spare
    done = True
    await task
    assert slices == len(block) // SLICE
    assert ticks - start >= slices // SLICES_PER_STEP - 1
