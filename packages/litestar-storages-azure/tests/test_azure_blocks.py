"""Uploads against Azurite: one request for small data, staged blocks for streams."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from azure.storage.blob.aio import ContainerClient

from litestar_storages.backends.azure import AzureConfig, AzureStorage
from litestar_storages.exceptions import StorageError, StorageFileExistsError, StorageValidationError

Counted = tuple[ContainerClient, Any]
"""The ``counted`` fixture: a client and its CountingTransport (see conftest)."""


KIB = 1024
BLOCK = 64 * KIB


class Boom(Exception):
    """The caller's own failure, raised by an input stream."""


async def stream(data: bytes, chunk: int = 10_000, fail_after: int | None = None) -> AsyncIterator[bytes]:
    for start in range(0, len(data), chunk):
        if fail_after is not None and start >= fail_after:
            raise Boom("input failed")
        yield data[start : start + chunk]
        await asyncio.sleep(0)


def payload(size: int) -> bytes:
    return bytes(range(251)) * (size // 251) + bytes(size % 251)


async def test_small_put_is_one_request(counted: Counted, storage_on_counted: Callable[..., AzureStorage]) -> None:
    storage = storage_on_counted(block_size=BLOCK)
    _, transport = counted
    stored = await storage.put("small.txt", b"hello", metadata={"a": "1"})
    assert transport.count() == 1
    assert transport.count(comp="", method="PUT") == 1  # Put Blob, not Put Block
    assert stored.size == 5
    assert stored.etag
    # A stream that fits in one block is also a single request.
    transport.reset()
    await storage.put("small-stream.txt", stream(b"x" * (BLOCK - 1), chunk=1000))
    assert transport.count() == 1


async def test_stream_is_staged_in_blocks_with_bounded_concurrency(
    counted: Counted,
    storage_on_counted: Callable[..., AzureStorage],
) -> None:
    client, transport = counted
    storage = storage_on_counted(block_size=BLOCK, max_concurrency=3)
    data = payload(10 * BLOCK + 123)
    reports: list[int] = []
    stored = await storage.put(
        "big.bin",
        data,  # in memory, so reading the next block never waits: the pipeline fills up
        content_type="video/mp4",
        metadata={"x-trace-id": "t1"},
        progress=lambda p: reports.append(p.bytes_transferred),
    )
    assert stored.size == len(data)
    assert transport.count("block") == 11
    assert transport.count("blocklist") == 1
    # Plus one HEAD before staging: the blob's version, which tells a commit that
    # finds its blocks discarded by a concurrent write whether one happened.
    assert transport.count(method="HEAD") == 1
    assert transport.count() == 13
    # Uploads overlap, but never more than max_concurrency at once.
    assert transport.peak == 3
    assert reports[-1] == len(data)
    assert reports == sorted(reports)
    committed, uncommitted = await client.get_blob_client("big.bin").get_block_list("all")
    assert [block.size for block in committed] == [BLOCK] * 10 + [123]
    assert uncommitted == []
    assert await storage.get_bytes("big.bin") == data
    info = await storage.info("big.bin")
    assert info.content_type == "video/mp4"
    assert info.metadata == {"x-trace-id": "t1"}


async def test_interrupted_stream_commits_nothing(
    counted: Counted, storage_on_counted: Callable[..., AzureStorage]
) -> None:
    client, transport = counted
    storage = storage_on_counted(block_size=BLOCK, max_concurrency=2)
    data = payload(8 * BLOCK)
    with pytest.raises(Boom):
        await storage.put("broken.bin", stream(data, fail_after=5 * BLOCK))
    assert transport.count("block") >= 4  # blocks were staged ...
    assert transport.count("blocklist") == 0  # ... but never committed
    assert not await storage.exists("broken.bin")
    assert [item.key async for item in storage.list()] == []
    # An existing object keeps its content when a replacement stream fails halfway.
    await storage.put("kept.bin", b"previous")
    with pytest.raises(Boom):
        await storage.put("kept.bin", stream(data, fail_after=3 * BLOCK))
    assert await storage.get_bytes("kept.bin") == b"previous"
    committed, _ = await client.get_blob_client("kept.bin").get_block_list("committed")
    assert len(committed) <= 1


async def test_overwrite_false_fails_before_staging(
    counted: Counted, storage_on_counted: Callable[..., AzureStorage]
) -> None:
    _, transport = counted
    storage = storage_on_counted(block_size=BLOCK)
    await storage.put("exists.bin", b"original")
    transport.reset()
    with pytest.raises(StorageFileExistsError):
        await storage.put("exists.bin", stream(payload(3 * BLOCK)), overwrite=False)
    assert transport.count("block") == 0
    assert await storage.get_bytes("exists.bin") == b"original"


async def test_overwrite_false_commit_is_atomic(storage: AzureStorage) -> None:
    # Both streams pass the existence pre-check before either commits; the conditional
    # commit (If-None-Match: *) lets exactly one of them win.
    block = storage.config.block_size
    contents = [payload(2 * block + 1), payload(3 * block + 7)[::-1]]

    async def attempt(data: bytes) -> bytes | None:
        try:
            await storage.put("race.bin", stream(data, chunk=256 * KIB), overwrite=False)
        except StorageFileExistsError:
            return None
        return data

    results = await asyncio.gather(*(attempt(data) for data in contents))
    winners = [result for result in results if result is not None]
    assert len(winners) == 1
    assert await storage.get_bytes("race.bin") == winners[0]


async def test_put_large_uses_part_size(counted: Counted, storage_on_counted: Callable[..., AzureStorage]) -> None:
    client, _ = counted
    storage = storage_on_counted(block_size=BLOCK)
    data = payload(5 * 32 * KIB + 1)
    stored = await storage.put_large("large.bin", stream(data), part_size=32 * KIB)
    assert stored.size == len(data)
    committed, _ = await client.get_blob_client("large.bin").get_block_list("committed")
    assert [block.size for block in committed] == [32 * KIB] * 5 + [1]
    with pytest.raises(StorageValidationError):
        await storage.put_large("large.bin", b"x", part_size=0)


async def test_manual_multipart_commits_in_part_order(storage: AzureStorage, container: ContainerClient) -> None:
    upload = await storage.start_multipart_upload("parts.txt", metadata={"Kind": "parts"})
    for number, text in ((3, b"three"), (1, b"one-"), (2, b"two-")):
        await storage.upload_part(upload, number, text)
    # Re-uploading a part replaces it.
    await storage.upload_part(upload, 2, b"TWO-")
    stored = await storage.complete_multipart_upload(upload)
    assert stored.size == len(b"one-TWO-three")
    assert await storage.get_bytes("parts.txt") == b"one-TWO-three"
    info = await storage.info("parts.txt")
    assert info.content_type == "text/plain"
    assert info.metadata == {"kind": "parts"}
    committed, _ = await container.get_blob_client("parts.txt").get_block_list("committed")
    assert [block.size for block in committed] == [4, 4, 5]


async def test_multipart_validation_and_abort(storage: AzureStorage) -> None:
    upload = await storage.start_multipart_upload("aborted.bin")
    with pytest.raises(StorageValidationError):
        await storage.upload_part(upload, 0, b"x")
    with pytest.raises(StorageValidationError):
        await storage.upload_part(upload, 10_001, b"x")
    with pytest.raises(StorageError):
        await storage.complete_multipart_upload(upload)  # no parts yet
    await storage.upload_part(upload, 1, b"data")
    await storage.abort_multipart_upload(upload)
    with pytest.raises(StorageError):
        await storage.upload_part(upload, 2, b"more")
    with pytest.raises(StorageError):
        await storage.complete_multipart_upload(upload)
    assert not await storage.exists("aborted.bin")
    with pytest.raises(StorageValidationError):
        await storage.start_multipart_upload("x.bin", part_size=0)


async def test_staged_upload_holds_only_the_blocks_in_flight(config: AzureConfig) -> None:
    # With blocks far larger than everything else an upload allocates, the peak counts
    # the blocks held: max_concurrency, the next one being read only once a slot is
    # free (reading it meanwhile would add one). Blocks are
    # read in place (a bytes copy would hold one twice), the small-or-large decision
    # reads no second block, and each block is sent in slices of itself, so no
    # transport buffer copies it.
    import tracemalloc

    block_size = 4 * 1024 * 1024
    piece = payload(64 * KIB)
    total = 12 * block_size + 3 * len(piece)

    async def source() -> AsyncIterator[bytes]:
        for _ in range(total // len(piece)):
            yield piece  # the same object each time: the source allocates nothing

    tuned = dataclasses.replace(config, block_size=block_size, max_concurrency=2)
    async with AzureStorage(tuned) as storage:
        await storage.put("warm-up.bin", b"x")
        tracemalloc.start()
        try:
            stored = await storage.put("bounded.bin", source())
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert stored.size == total
        assert peak < block_size * 2 + block_size // 4, peak
        assert (await storage.info("bounded.bin")).size == total
