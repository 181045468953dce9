"""Every request honours connect_timeout and read_timeout, including while its body goes out.

A small HTTP server stands in for S3 and misbehaves on purpose: it stops reading an upload
(its TCP window fills and stays full), reads it slowly, or never answers. aiohttp bounds
none of the upload phase by itself; the storage must.
"""

from __future__ import annotations

import asyncio
import io
import socket
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import pytest
from aiobotocore.config import AioConfig
from aiobotocore.session import AioSession
from s3_helpers import ACCESS_KEY, MIB, REGION, SECRET_KEY, make_config

from litestar_storages.backends.s3 import S3Storage
from litestar_storages.exceptions import StorageConnectionError
from litestar_storages.retry import RetryConfig

pytestmark = pytest.mark.timeout(120)

TIMEOUT = 0.5
BIG = 12 * MIB
"""Far more than the loopback socket buffers hold, so a server that stops reading blocks the writer."""
THRESHOLD = 16 * MIB
"""Above ``BIG``: one PutObject whose body is sent in slices."""


@dataclass
class FakeS3:
    """Answers PUTs like S3 (with ``100 Continue`` when asked), or misbehaves on the first ``misbehave`` requests.

    Behaviours: ``"stall"`` reads the head and nothing more, and never answers;
    ``"silent"`` reads the whole body and never answers; ``"slow"`` reads the first
    ``slow_bytes`` of the body at ``rate`` bytes per second, the rest at full speed,
    then answers.
    """

    behaviour: str = "ok"
    misbehave: int = 1_000_000
    rate: int = 4 * MIB
    slow_bytes: int = 8 * MIB
    heads: list[str] = field(default_factory=list)
    received: list[int] = field(default_factory=list)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
                self.heads.append(head)
                length = next(
                    (
                        int(line.split(":", 1)[1])
                        for line in head.split("\r\n")
                        if line.lower().startswith("content-length:")
                    ),
                    0,
                )
                behaviour = self.behaviour if len(self.heads) <= self.misbehave else "ok"
                if behaviour == "stall":
                    await self._stop.wait()
                    return
                if "expect: 100-continue" in head.lower():
                    writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
                self.received.append(await self._read_body(reader, length, slow=behaviour == "slow"))
                if behaviour == "silent":
                    await self._stop.wait()
                    return
                writer.write(b'HTTP/1.1 200 OK\r\nETag: "fake"\r\nContent-Length: 0\r\n\r\n')
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            return
        finally:
            writer.close()

    async def _read_body(self, reader: asyncio.StreamReader, length: int, *, slow: bool) -> int:
        received = 0
        step = self.rate // 20
        while received < length:
            chunk = await reader.read(min(step, length - received))
            if not chunk:
                break
            received += len(chunk)
            if slow and received <= self.slow_bytes:
                await asyncio.sleep(len(chunk) / self.rate)
        return received

    @asynccontextmanager
    async def running(self) -> AsyncIterator[str]:
        """Serve on a free loopback port; yield the endpoint URL."""
        listener = socket.create_server(("127.0.0.1", 0))
        # A small receive buffer, inherited by accepted sockets: a stalled reader
        # blocks the writer after a few MiB, like a real peer's full window.
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
        server = await asyncio.start_server(self.handle, sock=listener)
        try:
            yield f"http://127.0.0.1:{listener.getsockname()[1]}"
        finally:
            self._stop.set()
            server.close()
            await server.wait_closed()


def storage_for(endpoint: str, *, attempts: int = 2, timeout: float = TIMEOUT) -> S3Storage:
    return S3Storage(
        make_config(
            endpoint,
            "bucket",
            connect_timeout=timeout,
            read_timeout=timeout,
            multipart_threshold=THRESHOLD,
            retry=RetryConfig(max_attempts=attempts, base_delay=0.01, jitter=False),
        )
    )


async def test_a_service_that_stops_reading_the_body_hits_read_timeout_and_is_retried() -> None:
    fake = FakeS3("stall")
    async with fake.running() as endpoint, storage_for(endpoint, attempts=3) as storage:
        started = time.monotonic()
        with pytest.raises(StorageConnectionError, match="took no more of the request body") as caught:
            await asyncio.wait_for(storage.put("big.bin", bytes(BIG)), 30)
        elapsed = time.monotonic() - started
    assert len(fake.heads) == 3, "each attempt of the retry policy sent the request again"
    assert elapsed < 3 * (TIMEOUT + 2)
    assert caught.value.key == "big.bin"
    if sys.version_info >= (3, 11):
        # The watch took its cancellation back: the task is not left being cancelled.
        task = asyncio.current_task()
        assert task is not None
        assert task.cancelling() == 0


async def test_a_stall_then_a_healthy_attempt_stores_the_object() -> None:
    fake = FakeS3("stall", misbehave=1)
    async with fake.running() as endpoint, storage_for(endpoint) as storage:
        stored = await asyncio.wait_for(storage.put("big.bin", bytes(BIG)), 30)
    assert stored.size == BIG
    assert fake.received == [BIG]


async def test_a_slow_service_that_keeps_reading_is_not_cut_off() -> None:
    # 2 s reading at 4 MiB/s, twice read_timeout: a transfer that keeps moving is never
    # cut off, only one that stops. The kernel wakes the writer each time about 1.4 MB
    # of its send buffer has gone, here every ~0.35 s, well within read_timeout. (The
    # tail is read at full speed: aiohttp starts the read timeout once the last byte is
    # in the socket buffers, which the service must then empty within read_timeout.)
    fake = FakeS3("slow")
    async with fake.running() as endpoint, storage_for(endpoint, attempts=1, timeout=1.0) as storage:
        started = time.monotonic()
        await storage.put("big.bin", bytes(BIG))
    assert time.monotonic() - started > 2 * 1.0
    assert fake.received == [BIG]


async def test_an_answer_that_never_comes_hits_read_timeout() -> None:
    fake = FakeS3("silent")
    async with fake.running() as endpoint, storage_for(endpoint) as storage:
        with pytest.raises(StorageConnectionError, match=r"[Rr]ead timeout"):
            await asyncio.wait_for(storage.put("big.bin", bytes(BIG)), 30)
    assert fake.received == [BIG, BIG]


async def test_cancelling_a_stalled_upload_raises_cancelled_error() -> None:
    fake = FakeS3("stall")
    async with fake.running() as endpoint, storage_for(endpoint) as storage:
        task = asyncio.ensure_future(storage.put("big.bin", bytes(BIG)))
        while not fake.heads:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


@pytest.mark.parametrize("own_client", [False, True])
async def test_part_bodies_are_sent_without_waiting_for_100_continue(own_client: bool) -> None:
    # botocore asks for "100 Continue" before file-like bodies and aiohttp waits for it
    # without any timeout: a service hanging before that answer would hang the upload.
    fake = FakeS3()
    async with fake.running() as endpoint:
        if own_client:
            async with AioSession().create_client(
                "s3",
                region_name=REGION,
                endpoint_url=endpoint,
                aws_access_key_id=ACCESS_KEY,
                aws_secret_access_key=SECRET_KEY,
                config=AioConfig(s3={"addressing_style": "path"}, read_timeout=TIMEOUT),
            ) as client:
                storage = S3Storage(make_config(endpoint, "bucket"), client=client)
                await asyncio.wait_for(storage.put("big.bin", bytes(2 * MIB)), 30)
                await storage.close()
                # The client's other requests keep botocore's behaviour.
                await client.put_object(Bucket="bucket", Key="theirs.bin", Body=io.BytesIO(b"x" * 10))
        else:
            async with storage_for(endpoint) as storage:
                await asyncio.wait_for(storage.put("big.bin", bytes(2 * MIB)), 30)
    expects = ["expect: 100-continue" in head.lower() for head in fake.heads]
    assert expects == ([False, True] if own_client else [False])
