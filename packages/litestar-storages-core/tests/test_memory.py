"""MemoryStorage behaviour beyond the conformance kit: the seed's size limit and URLs."""

import pytest

from litestar_storages import MemoryConfig, MemoryStorage
from litestar_storages.exceptions import StorageError, UnsupportedOperationError


async def test_max_size_rejects_and_stores_nothing() -> None:
    storage = MemoryStorage(config=MemoryConfig(max_size=10))
    await storage.put("a.bin", b"12345")
    with pytest.raises(StorageError, match="max_size"):
        await storage.put("b.bin", b"123456")
    assert not await storage.exists("b.bin")
    with pytest.raises(StorageError):
        await storage.put("c.bin", iter([b"1" * 4, b"1" * 20]))
    assert not await storage.exists("c.bin")


async def test_max_size_counts_replacement_and_deletion() -> None:
    storage = MemoryStorage(MemoryConfig(max_size=10))
    await storage.put("a.bin", b"1234567890")
    await storage.put("a.bin", b"0987654321")
    await storage.delete("a.bin")
    await storage.put("b.bin", b"1234567890")
    await storage.move("b.bin", "c.bin")
    await storage.copy("c.bin", "c.bin")
    with pytest.raises(StorageError):
        await storage.copy("c.bin", "d.bin")


async def test_memory_urls() -> None:
    storage = MemoryStorage()
    assert await storage.url("test.txt") == "memory://test.txt"
    assert await storage.url("a b/c.txt") == "memory://a%20b/c.txt"
    with pytest.raises(UnsupportedOperationError, match="MemoryStorage"):
        await storage.url("test.txt", method="PUT")


async def test_get_yields_single_chunk() -> None:
    storage = MemoryStorage()
    await storage.put("x.bin", b"x" * 100_000)
    chunks = [chunk async for chunk in storage.get("x.bin")]
    assert len(chunks) == 1
