"""Overwrite rules and failing input streams."""

from __future__ import annotations

import asyncio

import pytest

from litestar_storages.exceptions import (
    ConcurrentWriteError,
    StorageFileExistsError,
)
from litestar_storages.protocol import Storage
from litestar_storages.testing.conformance.data import (
    MIB,
    ConformanceBase,
    _Boom,
    _chunks,
    _failing,
    _pattern,
)


class WriteTests(ConformanceBase):
    """Overwrite rules and failing input streams."""

    # -- overwrite ------------------------------------------------------------------------

    @pytest.mark.asyncio
    async def test_overwrite_replaces_by_default(self, storage: Storage) -> None:
        await storage.put("over.txt", b"old", metadata={"v": "1"})
        await storage.put("over.txt", b"new content")
        assert await storage.get_bytes("over.txt") == b"new content"
        info = await storage.info("over.txt")
        assert info.size == 11
        assert info.metadata == {}

    @pytest.mark.asyncio
    async def test_overwrite_false_refuses_existing(self, storage: Storage) -> None:
        await storage.put("keep.txt", b"original")
        with pytest.raises(StorageFileExistsError) as caught:
            await storage.put("keep.txt", b"replacement", overwrite=False)
        assert caught.value.key == "keep.txt"
        assert await storage.get_bytes("keep.txt") == b"original"
        with pytest.raises(StorageFileExistsError):
            await storage.put("keep.txt", _chunks(b"streamed replacement"), overwrite=False)
        assert await storage.get_bytes("keep.txt") == b"original"

    @pytest.mark.asyncio
    async def test_overwrite_false_creates_new(self, storage: Storage) -> None:
        await storage.put("fresh.txt", b"first", overwrite=False)
        assert await storage.get_bytes("fresh.txt") == b"first"

    @pytest.mark.asyncio
    async def test_overwrite_false_concurrent_single_winner(self, storage: Storage) -> None:
        async def attempt(index: int) -> int | None:
            try:
                await storage.put("race.txt", f"writer-{index}".encode(), overwrite=False)
            except StorageFileExistsError:
                return None
            return index

        results = await asyncio.gather(*(attempt(i) for i in range(8)))
        winners = [r for r in results if r is not None]
        assert len(winners) == 1
        assert await storage.get_bytes("race.txt") == f"writer-{winners[0]}".encode()

    @pytest.mark.asyncio
    async def test_concurrent_overwrites_of_a_large_object(self, storage: Storage) -> None:
        # Objects above the multipart threshold (large_size), from bytes and from
        # streams: the last writer wins, whole. A writer may only fail with the
        # documented ConcurrentWriteError; the object is never a mix of two payloads.
        writers = 4
        payloads = [bytes([0x41 + index]) * self.large_size for index in range(writers)]

        async def write(index: int) -> None:
            data = payloads[index] if index % 2 == 0 else _chunks(payloads[index])
            await storage.put(
                "race/large.bin", data, content_type=f"application/x-writer-{index}", metadata={"writer": str(index)}
            )

        results = await asyncio.gather(*(write(index) for index in range(writers)), return_exceptions=True)
        failures = [result for result in results if isinstance(result, BaseException)]
        assert all(isinstance(failure, ConcurrentWriteError) for failure in failures), failures
        assert len(failures) < writers
        info = await storage.info("race/large.bin")
        winner = int(info.metadata["writer"])
        assert not isinstance(results[winner], BaseException)
        assert info.content_type == f"application/x-writer-{winner}"
        assert info.size == self.large_size
        assert await storage.get_bytes("race/large.bin") == payloads[winner]

    # -- failing input ---------------------------------------------------------------------

    @pytest.mark.asyncio
    @pytest.mark.parametrize("size", ["small", "large"])
    async def test_failing_stream_stores_nothing(self, storage: Storage, size: str) -> None:
        prefix = b"partial" if size == "small" else _pattern(self.large_size + MIB)
        with pytest.raises(_Boom):
            await storage.put("failed/new.bin", _failing(prefix))
        assert not await storage.exists("failed/new.bin")
        assert [item.key async for item in storage.list("failed/")] == []

    @pytest.mark.asyncio
    async def test_failing_stream_keeps_previous_version(self, storage: Storage) -> None:
        await storage.put("failed/existing.bin", b"previous", metadata={"v": "1"})
        with pytest.raises(_Boom):
            await storage.put("failed/existing.bin", _failing(b"half of the new"))
        assert await storage.get_bytes("failed/existing.bin") == b"previous"
        assert (await storage.info("failed/existing.bin")).metadata == {"v": "1"}
