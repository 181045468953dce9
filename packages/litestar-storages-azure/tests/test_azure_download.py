"""Downloads cut mid-body: only ``AzureConfig.retry`` retries, resuming from the byte reached.

Azure's own downloader re-reads a cut body three times per attempt; the storage bypasses
it, so the number of GETs is the number of attempts. A small TCP proxy in front of
Azurite cuts the answers of the first connections after a given number of bytes.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import pytest_asyncio
from azure.storage.blob.aio import ContainerClient

from litestar_storages.backends.azure import AzureConfig, AzureStorage
from litestar_storages.exceptions import ConcurrentWriteError, StorageConnectionError
from litestar_storages.retry import RetryConfig
from litestar_storages.testing.emulators.azurite import ACCOUNT_KEY, ACCOUNT_NAME

DATA = os.urandom(1024 * 1024 + 17)
CUT_AFTER = 100_000
"""Bytes of answer (headers included) a cut connection forwards before it is closed."""


class CuttingProxy:
    """Forwards loopback TCP to Azurite; the first ``cuts`` connections die after ``CUT_AFTER`` bytes."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.cuts = 0
        self.connections = 0
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        cut = self.cuts > 0
        self.cuts -= 1
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        tasks = [
            asyncio.create_task(self._pipe(reader, up_writer, None)),
            asyncio.create_task(self._pipe(up_reader, writer, CUT_AFTER if cut else None)),
        ]
        self._tasks.update(tasks)
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            for stream in (writer, up_writer):
                stream.close()
            self._tasks.difference_update(tasks)

    @staticmethod
    async def _pipe(source: asyncio.StreamReader, target: asyncio.StreamWriter, limit: int | None) -> None:
        sent = 0
        with contextlib.suppress(ConnectionError):
            while limit is None or sent < limit:
                block = await source.read(65536 if limit is None else min(65536, limit - sent))
                if not block:
                    return
                target.write(block)
                await target.drain()
                sent += len(block)


@pytest_asyncio.fixture
async def proxy(azurite: Any) -> AsyncIterator[CuttingProxy]:
    upstream = int(azurite.account_url.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])
    cutting = CuttingProxy(upstream)
    await cutting.start()
    yield cutting
    await cutting.stop()


@pytest_asyncio.fixture
async def through_proxy(
    proxy: CuttingProxy, container: ContainerClient, new_transport: Callable[[], Any]
) -> AsyncIterator[Callable[[RetryConfig], Any]]:
    """Make storages on the test's container that read through the proxy, requests counted."""
    clients: list[ContainerClient] = []
    await container.upload_blob("cut.bin", DATA)

    def make(retry: RetryConfig) -> tuple[AzureStorage, Any]:
        transport = new_transport()
        account_url = f"http://127.0.0.1:{proxy.port}/{ACCOUNT_NAME}"
        client = ContainerClient(
            account_url,
            container.container_name,
            credential={"account_name": ACCOUNT_NAME, "account_key": ACCOUNT_KEY},
            transport=transport,
            retry_total=0,
        )
        clients.append(client)
        config = AzureConfig(container=container.container_name, account_url=account_url, retry=retry)
        return AzureStorage(config, client=client), transport

    yield make
    for client in clients:
        await client.close()


async def test_cut_download_sends_one_get_per_attempt(proxy: CuttingProxy, through_proxy: Any) -> None:
    proxy.cuts = 1_000  # every connection is cut
    storage, transport = through_proxy(RetryConfig(max_attempts=4, base_delay=0.01, jitter=False))
    received = bytearray()

    async def consume() -> None:
        async for chunk in storage.get("cut.bin"):
            received.extend(chunk)

    with pytest.raises(StorageConnectionError):
        await consume()
    # The SDK's downloader would have sent 3 GETs per attempt (12 in all).
    assert transport.count(method="GET") == 4
    assert proxy.connections == 4
    # Each attempt resumed where the previous one was cut, and nothing short was passed off as whole.
    assert 3 * CUT_AFTER < len(received) < len(DATA)
    assert DATA.startswith(bytes(received))


async def test_cut_download_resumes_from_the_byte_reached(proxy: CuttingProxy, through_proxy: Any) -> None:
    proxy.cuts = 2
    storage, transport = through_proxy(RetryConfig(max_attempts=3, base_delay=0.01, jitter=False))
    assert await storage.get_bytes("cut.bin") == DATA
    assert transport.count(method="GET") == 3


async def test_cut_ranged_download_resumes_inside_the_range(proxy: CuttingProxy, through_proxy: Any) -> None:
    proxy.cuts = 1
    storage, transport = through_proxy(RetryConfig(max_attempts=2, base_delay=0.01, jitter=False))
    start, end = 12_345, 900_001
    assert await storage.get_bytes("cut.bin", start=start, end=end) == DATA[start:end]
    assert transport.count(method="GET") == 2


async def test_blob_replaced_between_attempts_is_not_stitched(
    proxy: CuttingProxy, through_proxy: Any, container: ContainerClient
) -> None:
    proxy.cuts = 1
    storage, _ = through_proxy(RetryConfig(max_attempts=3, base_delay=0.3, jitter=False))
    chunks = storage.get("cut.bin")
    first = await anext(chunks)
    assert DATA.startswith(first)
    # Replaced while the first answer is being read: the resumed GET must not mix versions.
    await container.upload_blob("cut.bin", b"other" * 300_000, overwrite=True)

    async def consume() -> None:
        async for _ in chunks:
            pass

    with pytest.raises(ConcurrentWriteError, match="changed while it was being read") as caught:
        await consume()
    assert not isinstance(caught.value, StorageConnectionError)  # not retried as a connection error
