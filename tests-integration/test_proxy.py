"""The fault proxy itself, against a tiny aiohttp server: the fault tests rely on it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web
from storages_harness.proxy import FaultProxy, close, reset, respond, slow, stall

BODY = bytes(range(256)) * 4096  # 1 MiB


@pytest_asyncio.fixture
async def upstream() -> AsyncIterator[tuple[str, int]]:
    received: list[bytes] = []

    async def download(request: web.Request) -> web.Response:
        return web.Response(body=BODY, headers={"Location": f"http://127.0.0.1:{request.url.port}/next"})

    async def upload(request: web.Request) -> web.Response:
        data = await request.read()
        received.append(data)
        return web.Response(text=str(len(data)))

    app = web.Application(client_max_size=64 * 1024 * 1024)
    app.router.add_get("/blob", download)
    app.router.add_put("/blob", upload)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield "127.0.0.1", port
    await runner.cleanup()


@pytest_asyncio.fixture
async def proxy(upstream: tuple[str, int]) -> AsyncIterator[FaultProxy]:
    async with FaultProxy(*upstream) as proxy:
        yield proxy


async def _chunked(data: bytes, size: int = 10_000) -> AsyncIterator[bytes]:
    for offset in range(0, len(data), size):
        yield data[offset : offset + size]


async def test_passes_through_and_records(proxy: FaultProxy) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(3):
            async with session.get(f"{proxy.endpoint}/blob") as response:
                assert await response.read() == BODY
                # Location headers naming the upstream are rewritten to the proxy.
                assert response.headers["Location"] == f"{proxy.endpoint}/next"
        async with session.put(f"{proxy.endpoint}/blob", data=_chunked(BODY)) as response:
            assert await response.text() == str(len(BODY))
        async with session.put(f"{proxy.endpoint}/blob", data=BODY) as response:
            assert await response.text() == str(len(BODY))
    assert [r.method for r in proxy.requests] == ["GET", "GET", "GET", "PUT", "PUT"]
    assert proxy.requests[3].header("transfer-encoding") == "chunked"
    assert proxy.connections_opened == 1  # keep-alive: every exchange on one connection
    assert await proxy.wait_idle()


async def test_respond_strikes_matching_requests_only(proxy: FaultProxy) -> None:
    proxy.add(respond(503, body=b"busy", method="PUT", times=2))
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{proxy.endpoint}/blob") as response:
            assert response.status == 200
        for _ in range(2):
            async with session.put(f"{proxy.endpoint}/blob", data=_chunked(BODY)) as response:
                assert response.status == 503
                assert await response.read() == b"busy"
        async with session.put(f"{proxy.endpoint}/blob", data=BODY) as response:
            assert response.status == 200
    assert [r.fault for r in proxy.requests] == [None, "respond", "respond", None]


async def test_reset_mid_response(proxy: FaultProxy) -> None:
    proxy.add(reset(100_000, method="GET"))
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.ClientError):
            async with session.get(f"{proxy.endpoint}/blob") as response:
                await response.read()
        async with session.get(f"{proxy.endpoint}/blob") as response:
            assert await response.read() == BODY


async def test_clean_close_mid_response_is_a_short_body(proxy: FaultProxy) -> None:
    proxy.add(close(200_000, method="GET"))
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.ClientPayloadError):
            async with session.get(f"{proxy.endpoint}/blob") as response:
                await response.read()


async def test_reset_mid_request_body(proxy: FaultProxy) -> None:
    # Every attempt: aiohttp itself retries an idempotent request once after a reset.
    proxy.add(reset(50_000, phase="request", method="PUT", times=None))
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.ClientError):
            async with session.put(f"{proxy.endpoint}/blob", data=BODY) as response:
                await response.read()
    assert len(proxy.requests_for("PUT")) >= 1


async def test_stall_hits_client_timeout(proxy: FaultProxy) -> None:
    proxy.add(stall(0, method="GET"))
    timeout = aiohttp.ClientTimeout(sock_read=0.3)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        with pytest.raises(asyncio.TimeoutError):
            async with session.get(f"{proxy.endpoint}/blob") as response:
                await response.read()
    assert await proxy.wait_idle()


async def test_slow_response_still_complete(proxy: FaultProxy) -> None:
    proxy.add(slow(8 * 1024 * 1024, method="GET"))
    loop = asyncio.get_running_loop()
    started = loop.time()
    async with aiohttp.ClientSession() as session, session.get(f"{proxy.endpoint}/blob") as response:
        assert await response.read() == BODY
    assert loop.time() - started >= 0.1  # 1 MiB at 8 MiB/s


@pytest.mark.timeout(60)  # the bug this guards against spun the event loop forever
async def test_respond_waits_for_a_chunk_size_line_split_across_reads(proxy: FaultProxy) -> None:
    proxy.add(respond(503, body=b"busy", method="PUT"))
    host, port = proxy.endpoint.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    pieces = [
        b"PUT /blob HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
        b"4",  # the first chunk's size line, cut before its CRLF
        b"\r\nabcd\r\n0\r\n\r\n",
    ]
    for piece in pieces:
        writer.write(piece)
        await writer.drain()
        await asyncio.sleep(0.05)  # let the proxy read each piece on its own
    answer = await reader.read()
    writer.close()
    assert answer.startswith(b"HTTP/1.1 503 ")
    assert answer.endswith(b"\r\n\r\nbusy")
    assert [r.fault for r in proxy.requests] == ["respond"]
