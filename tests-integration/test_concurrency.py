"""500 concurrent mixed operations per backend: no errors, no cross-talk between keys."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator

from storages_harness.backends import Backend
from storages_harness.harness import Harness

from litestar_storages.base import BaseStorage
from litestar_storages.exceptions import StorageFileNotFoundError

OPERATIONS = 500
SHARED = 20


def _content(label: str, size: int) -> bytes:
    # Distinct bytes per key: a read served from another key's data cannot pass.
    seed = hashlib.sha256(label.encode()).digest()
    return (seed * (size // len(seed) + 1))[:size]


async def _chunks(data: bytes, size: int = 7001) -> AsyncIterator[bytes]:
    for offset in range(0, len(data), size):
        yield data[offset : offset + size]
        await asyncio.sleep(0)


async def _operation(storage: BaseStorage, index: int, shared: dict[str, bytes]) -> set[str]:
    """Run operation ``index``; return the keys under ``own/`` it leaves behind."""
    own = f"own/{index:03d}"
    source_key = f"shared/{index % SHARED:02d}.bin"
    source = shared[source_key]
    kind = index % 10
    if kind == 0:  # put bytes, read back
        data = _content(own, 1000 + index)
        await storage.put(f"{own}/a.bin", data, metadata={"op": str(index)})
        assert await storage.get_bytes(f"{own}/a.bin") == data
        assert (await storage.info(f"{own}/a.bin")).metadata == {"op": str(index)}
        return {f"{own}/a.bin"}
    if kind == 1:  # put a stream, read back as a stream
        data = _content(own, 30_000 + index)
        await storage.put(f"{own}/s.bin", _chunks(data))
        assert b"".join([chunk async for chunk in storage.get(f"{own}/s.bin")]) == data
        return {f"{own}/s.bin"}
    if kind == 2:  # read a shared object
        assert await storage.get_bytes(source_key) == source
        return set()
    if kind == 3:  # ranged read of a shared object
        start = index % 100
        assert await storage.get_bytes(source_key, start=start, end=start + 50) == source[start : start + 50]
        return set()
    if kind == 4:  # info and exists
        info = await storage.info(source_key)
        assert info.size == len(source)
        assert await storage.exists(source_key)
        assert not await storage.exists(f"{own}/never.bin")
        return set()
    if kind == 5:  # list a prefix nobody writes to
        assert [item.key async for item in storage.list("shared/")] == sorted(shared)
        assert [item.key async for item in storage.list("shared/", limit=3)] == sorted(shared)[:3]
        return set()
    if kind == 6:  # server-side copy of a shared object
        await storage.copy(source_key, f"{own}/copy.bin")
        assert await storage.get_bytes(f"{own}/copy.bin") == source
        return {f"{own}/copy.bin"}
    if kind == 7:  # move one's own object
        data = _content(own, 2000)
        await storage.put(f"{own}/from.bin", data)
        await storage.move(f"{own}/from.bin", f"{own}/to.bin")
        assert not await storage.exists(f"{own}/from.bin")
        assert await storage.get_bytes(f"{own}/to.bin") == data
        return {f"{own}/to.bin"}
    if kind == 8:  # delete one's own object
        await storage.put(f"{own}/gone.bin", b"short-lived")
        await storage.delete(f"{own}/gone.bin")
        assert not await storage.exists(f"{own}/gone.bin")
        try:
            await storage.get_bytes(f"{own}/gone.bin")
        except StorageFileNotFoundError:
            return set()
        raise AssertionError(f"{own}/gone.bin readable after delete")
    # overwrite one's own object several times; the last write wins
    for version in range(3):
        await storage.put(f"{own}/v.bin", _content(f"{own}/{version}", 500))
    assert await storage.get_bytes(f"{own}/v.bin") == _content(f"{own}/2", 500)
    return {f"{own}/v.bin"}


async def test_500_concurrent_mixed_operations(storage: BaseStorage, backend: Backend, harness: Harness) -> None:
    shared = {f"shared/{i:02d}.bin": _content(f"shared-{i}", 4000 + i) for i in range(SHARED)}
    await asyncio.gather(*(storage.put(key, data) for key, data in shared.items()))

    results = await asyncio.gather(
        *(_operation(storage, index, shared) for index in range(OPERATIONS)), return_exceptions=True
    )
    errors = [(index, result) for index, result in enumerate(results) if isinstance(result, BaseException)]
    assert not errors, f"{len(errors)} of {OPERATIONS} operations failed; first: {errors[0][1]!r}"

    expected = sorted(key for result in results if isinstance(result, set) for key in result)
    assert [item.key async for item in storage.list("own/")] == expected
    for key in expected[:: max(1, len(expected) // 25)]:  # spot-check contents after the storm
        assert await storage.exists(key)
    for key, data in shared.items():
        assert await storage.get_bytes(key) == data
    harness.note(backend.id, f"{OPERATIONS} concurrent mixed operations")
