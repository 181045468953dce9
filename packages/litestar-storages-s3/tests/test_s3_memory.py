"""The memory bound of streamed uploads, measured with tracemalloc in bytes.

moto runs as a child process here, so tracemalloc sees only the client's allocations
(the in-process server would count the stored object too).
"""

from __future__ import annotations

import tracemalloc
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
from s3_helpers import MIB, make_config

from litestar_storages.backends.s3 import S3Storage
from litestar_storages.testing.emulators.moto import MotoServer

pytestmark = pytest.mark.timeout(300)

FIXED_OVERHEAD = 2 * MIB
"""botocore, aiohttp and the payload hash of plain-HTTP requests, independent of sizes."""


@pytest.fixture(scope="module")
def moto_process() -> Iterator[MotoServer]:
    with MotoServer(subprocess=True) as server:
        yield server


async def zeros(total: int, chunk_size: int = 64 * 1024) -> AsyncIterator[bytes]:
    chunk = bytes(chunk_size)  # one chunk reused: the source itself costs nothing
    for _ in range(total // chunk_size):
        yield chunk


@pytest.mark.parametrize("max_concurrency", [1, 2, 4])
async def test_streamed_upload_holds_at_most_concurrency_plus_one_parts(
    moto_process: MotoServer, max_concurrency: int
) -> None:
    bucket = f"memory-{uuid.uuid4().hex[:12]}"
    moto_process.create_bucket(bucket)
    part_size = 5 * MIB
    total = 60 * MIB
    config = make_config(moto_process, bucket, part_size=part_size, max_concurrency=max_concurrency)
    async with S3Storage(config) as storage:
        await storage.put("warm-up.bin", zeros(11 * MIB))  # client opened, botocore models loaded
        tracemalloc.start()
        try:
            stored = await storage.put("big.bin", zeros(total))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert stored.size == total
        assert (await storage.info("big.bin")).size == total
    bound = part_size * (max_concurrency + 1) + FIXED_OVERHEAD
    assert peak <= bound, f"peak {peak / MIB:.1f} MiB above {bound / MIB:.1f} MiB"
    assert peak < total / 2
