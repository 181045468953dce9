"""A long stream with ``overwrite=False``: atomic, and in flat memory (staged, then copied if absent)."""

from __future__ import annotations

import hashlib
import os
import tracemalloc
from collections.abc import AsyncIterator, Awaitable, Callable

import obstore
import pytest

from litestar_storages.backends.obstore import ObstoreConfig, ObstoreStorage
from litestar_storages.backends.obstore.staging import STAGING_FOLDER
from litestar_storages.exceptions import StorageFileExistsError

MIB = 1024 * 1024
PART = 5 * MIB
CONCURRENCY = 2
STREAM = 64 * MIB
BOUND = PART * (CONCURRENCY + 2)
"""Most Python memory a streamed upload may hold: the parts obstore has in flight, one
being filled and one chunk of slack. The whole object (64 MiB) is far above it."""


def narrow(request: pytest.FixtureRequest) -> ObstoreStorage:
    """The parametrized store's storage, with small parts and two in flight (a low, known bound)."""
    given: ObstoreStorage = request.getfixturevalue(request.param)
    config = ObstoreConfig(store=given.store, prefix=given.config.prefix, part_size=PART, max_concurrency=CONCURRENCY)
    return ObstoreStorage(config=config)


@pytest.fixture(params=["memory_storage", "local_storage", "azure_storage"])
def storage(request: pytest.FixtureRequest) -> ObstoreStorage:
    """Every store the staged path serves."""
    return narrow(request)


@pytest.fixture(params=["local_storage", "azure_storage"])
def remote_storage(request: pytest.FixtureRequest) -> ObstoreStorage:
    """Stores that keep the bytes outside this process. ``MemoryStore`` keeps the very
    bytes objects it was given (zero-copy), so its contents are Python memory: the
    object itself, not buffering, and no measure of the upload."""
    return narrow(request)


@pytest.fixture(params=["memory_storage", "azure_storage"])
def attribute_storage(request: pytest.FixtureRequest) -> ObstoreStorage:
    """Stores that keep content types and metadata (``LocalStore`` refuses them)."""
    return narrow(request)


class Source:
    """``size`` bytes in fresh 1 MiB chunks (as a network body: no chunk is kept), hashed as sent."""

    def __init__(self, size: int, *, midway: Callable[[], Awaitable[object]] | None = None) -> None:
        self.size = size
        self.sent = 0
        self.digest = hashlib.sha256()
        self._block = memoryview(os.urandom(MIB))
        self._midway = midway

    async def chunks(self) -> AsyncIterator[bytes]:
        while self.sent < self.size:
            chunk = bytes(self._block[: min(MIB, self.size - self.sent)])
            self.digest.update(chunk)
            self.sent += len(chunk)
            if self._midway is not None and self.sent >= self.size // 2:
                midway, self._midway = self._midway, None
                await midway()
            yield chunk


async def staged_names(storage: ObstoreStorage) -> list[str]:
    return [meta["path"] async for batch in obstore.list(storage.store, STAGING_FOLDER) for meta in batch]


async def test_a_long_conditional_stream_keeps_memory_flat(remote_storage: ObstoreStorage) -> None:
    storage = remote_storage
    source = Source(STREAM)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        stored = await storage.put("big/once.bin", source.chunks(), overwrite=False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < BOUND, f"peak {peak / MIB:.1f} MiB for a {STREAM // MIB} MiB stream"
    assert stored.size == STREAM
    info = await storage.info("big/once.bin")
    assert info.size == STREAM
    assert info.etag == stored.etag
    read = hashlib.sha256()
    async for chunk in storage.get("big/once.bin"):
        read.update(chunk)
    assert read.hexdigest() == source.digest.hexdigest()
    assert await staged_names(storage) == []
    assert [item.key async for item in storage.list("big/")] == ["big/once.bin"]


async def test_a_long_conditional_stream_keeps_type_and_metadata(attribute_storage: ObstoreStorage) -> None:
    storage = attribute_storage
    source = Source(3 * PART)
    await storage.put("typed.csv", source.chunks(), overwrite=False, content_type="text/csv", metadata={"Owner": "Zoë"})
    info = await storage.info("typed.csv")
    assert info.content_type == "text/csv"
    assert info.metadata == {"owner": "Zoë"}


async def test_an_existing_object_stops_the_stream_before_the_upload(storage: ObstoreStorage) -> None:
    await storage.put("taken.bin", b"first")
    source = Source(4 * PART)
    with pytest.raises(StorageFileExistsError) as caught:
        await storage.put("taken.bin", source.chunks(), overwrite=False)
    assert caught.value.key == "taken.bin"
    assert await storage.get_bytes("taken.bin") == b"first"
    assert source.sent <= PART + MIB  # the engine's first part and no more: nothing uploaded
    assert await staged_names(storage) == []


async def test_an_object_created_during_the_upload_wins(storage: ObstoreStorage) -> None:

    async def rival() -> None:
        await storage.put("raced.bin", b"the rival's")

    source = Source(4 * PART, midway=rival)
    with pytest.raises(StorageFileExistsError):
        await storage.put("raced.bin", source.chunks(), overwrite=False)
    assert source.sent == 4 * PART  # the upload was under way when the rival wrote
    assert await storage.get_bytes("raced.bin") == b"the rival's"
    assert await staged_names(storage) == []
