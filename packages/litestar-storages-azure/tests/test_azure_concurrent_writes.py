"""Concurrent writes of one key on Azurite: staged blocks another write discards.

Azure keeps one set of uncommitted blocks per blob, and every commit discards the ones
it does not use (real Azure's Put Blob does too; Azurite's does not). Each test below
holds an upload after its first blocks are staged, lets another write of the key
complete, then releases it: the commit then finds its blocks gone (400
InvalidBlockList), which used to escape as a generic StorageError.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import pytest_asyncio
from azure.storage.blob.aio import ContainerClient

from litestar_storages.backends.azure import AzureConfig, AzureStorage
from litestar_storages.exceptions import ConcurrentWriteError, StorageFileExistsError
from litestar_storages.types import StoredFile

CountingTransport = Any
"""The ``counted`` fixture's transport (see conftest): requests sent, and in flight."""

KIB = 1024
BLOCK = 64 * KIB


class HeldStream:
    """Yields two blocks, then waits for :meth:`release` before yielding the rest."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self._released = asyncio.Event()

    def release(self) -> None:
        self._released.set()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self.data[: 2 * BLOCK]
        await self._released.wait()
        yield self.data[2 * BLOCK :]


async def _staged(transport: CountingTransport, count: int) -> None:
    # Waits (a bounded number of polls, no time limit asserted) until ``count`` Put
    # Block requests were sent and answered, so the other write surely follows them.
    for _ in range(1000):
        if transport.count("block") >= count and transport.in_flight == 0:
            return
        await asyncio.sleep(0.005)
    raise AssertionError(f"{count} blocks were never staged")


async def _held_put(
    storage: AzureStorage,
    transport: CountingTransport,
    key: str,
    other_write: Callable[[], Awaitable[object]],
    *,
    overwrite: bool = True,
) -> StoredFile:
    # A put of 5 blocks whose first two are staged, then ``other_write`` completes,
    # then the put finishes: its commit finds the two blocks discarded. ``storage``
    # must send its requests through ``transport``.
    held = HeldStream(bytes([0x41]) * (5 * BLOCK))
    transport.reset()
    upload = asyncio.ensure_future(storage.put(key, held, metadata={"writer": "held"}, overwrite=overwrite))
    try:
        await _staged(transport, 2)
        await other_write()
    except BaseException:
        held.release()
        await asyncio.gather(upload, return_exceptions=True)
        raise
    held.release()
    return await upload


@pytest_asyncio.fixture
async def storage(storage_on_counted: Callable[..., AzureStorage]) -> AsyncIterator[AzureStorage]:
    async with storage_on_counted(block_size=BLOCK) as opened:
        yield opened


@pytest.fixture
def transport(counted: tuple[ContainerClient, CountingTransport]) -> CountingTransport:
    return counted[1]


async def test_upload_replaced_by_a_large_put_counts_as_done_then_replaced(
    storage: AzureStorage, transport: CountingTransport
) -> None:
    other = bytes([0x42]) * (3 * BLOCK + 5)

    async def large_put() -> None:
        await storage.put("k.bin", other, metadata={"writer": "other"})

    stored = await _held_put(storage, transport, "k.bin", large_put)
    # Done, then replaced by the write that discarded its blocks: that version never
    # became readable, so it has no ETag.
    assert stored.size == 5 * BLOCK
    assert stored.etag is None
    assert stored.last_modified is None
    assert stored.metadata == {"writer": "held"}
    assert await storage.get_bytes("k.bin") == other
    assert (await storage.info("k.bin")).metadata == {"writer": "other"}


async def test_upload_racing_a_single_put_blob_is_one_or_the_other(
    storage: AzureStorage, transport: CountingTransport
) -> None:
    # Real Azure discards staged blocks on Put Blob; Azurite does not. Either way the
    # answer must agree with what is stored.
    await storage.put("k.bin", b"first version")

    async def small_put() -> None:
        await storage.put("k.bin", b"small", metadata={"writer": "other"})

    stored = await _held_put(storage, transport, "k.bin", small_put)
    if stored.etag is None:
        assert await storage.get_bytes("k.bin") == b"small"
    else:
        assert (await storage.info("k.bin")).etag == stored.etag
        assert await storage.get_bytes("k.bin") == bytes([0x41]) * (5 * BLOCK)


async def test_upload_replaced_by_a_large_put_then_deleted(storage: AzureStorage, transport: CountingTransport) -> None:
    await storage.put("k.bin", b"first version")

    async def put_then_delete() -> None:
        await storage.put("k.bin", bytes(3 * BLOCK))
        await storage.delete("k.bin")

    stored = await _held_put(storage, transport, "k.bin", put_then_delete)
    # The ETag went from "first version" to none: writes happened while it ran, and
    # it is ordered before them.
    assert stored.etag is None
    assert not await storage.exists("k.bin")


async def test_create_only_upload_overtaken_by_another_create(
    storage: AzureStorage, transport: CountingTransport
) -> None:
    theirs = bytes([0x42]) * (3 * BLOCK)

    async def create() -> None:
        await storage.put("k.bin", theirs, overwrite=False)

    with pytest.raises(StorageFileExistsError):
        await _held_put(storage, transport, "k.bin", create, overwrite=False)
    assert await storage.get_bytes("k.bin") == theirs


async def test_discarded_blocks_without_a_visible_write_raise_concurrent_write_error(
    storage: AzureStorage, transport: CountingTransport
) -> None:

    async def put_then_delete() -> None:
        # The key is absent before and after: nothing proves a write replaced ours.
        await storage.put("k.bin", bytes(3 * BLOCK))
        await storage.delete("k.bin")

    with pytest.raises(ConcurrentWriteError) as caught:
        await _held_put(storage, transport, "k.bin", put_then_delete)
    assert caught.value.key == "k.bin"
    assert not await storage.exists("k.bin")


async def test_multipart_parts_discarded_by_a_put(storage: AzureStorage) -> None:
    upload = await storage.start_multipart_upload("k.bin", part_size=BLOCK)
    await storage.upload_part(upload, 1, b"a" * BLOCK)
    await storage.upload_part(upload, 2, b"b" * 10)
    meanwhile = bytes([0x42]) * (3 * BLOCK)
    await storage.put("k.bin", meanwhile)  # staged and committed: the parts are discarded
    with pytest.raises(ConcurrentWriteError) as caught:
        await storage.complete_multipart_upload(upload)
    assert caught.value.key == "k.bin"
    assert await storage.get_bytes("k.bin") == meanwhile


@pytest.mark.parametrize("source", ["bytes", "stream"])
async def test_many_concurrent_overwrites_all_succeed(config: AzureConfig, source: str) -> None:
    # 20 writers of 8 blocks each: every put succeeds and the blob is one whole payload
    # with its own metadata (before: all but one failed with 400 InvalidBlockList).
    writers = 20
    payloads = [bytes([index]) * (8 * BLOCK) for index in range(writers)]

    async def chunks(data: bytes) -> AsyncIterator[bytes]:
        for start in range(0, len(data), 10_000):
            yield data[start : start + 10_000]
            await asyncio.sleep(0)

    async with AzureStorage(dataclasses.replace(config, block_size=BLOCK)) as storage:
        results = await asyncio.gather(
            *(
                storage.put(
                    "k.bin",
                    payloads[index] if source == "bytes" else chunks(payloads[index]),
                    metadata={"writer": str(index)},
                )
                for index in range(writers)
            )
        )
        assert len(results) == writers
        info = await storage.info("k.bin")
        winner = int(info.metadata["writer"])
        assert await storage.get_bytes("k.bin") == payloads[winner]
        # The winner's put returned the version that is stored.
        assert results[winner].etag == info.etag
