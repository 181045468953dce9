"""Concurrency, the protocol check and closing."""

from __future__ import annotations

import asyncio

import pytest

from litestar_storages.capabilities import SupportsAsyncContext
from litestar_storages.protocol import Storage
from litestar_storages.testing.conformance.data import (
    ConformanceBase,
)


class LifecycleTests(ConformanceBase):
    """Concurrency, the protocol check and closing."""

    # -- concurrency and lifecycle -----------------------------------------------------------

    @pytest.mark.asyncio
    async def test_concurrent_operations_do_not_cross(self, storage: Storage) -> None:
        async def worker(index: int) -> None:
            key = f"concurrent/{index:03d}.bin"
            payload = f"payload-{index}-".encode() * (index + 1)
            await storage.put(key, payload, metadata={"index": str(index)})
            assert await storage.get_bytes(key) == payload
            assert (await storage.info(key)).metadata == {"index": str(index)}

        await asyncio.gather(*(worker(i) for i in range(32)))
        listed = [item.key async for item in storage.list("concurrent/")]
        assert listed == [f"concurrent/{i:03d}.bin" for i in range(32)]

    @pytest.mark.asyncio
    async def test_satisfies_protocol(self, storage: Storage) -> None:
        assert isinstance(storage, Storage)

    @pytest.mark.asyncio
    async def test_close_is_idempotent(self, storage: Storage) -> None:
        await storage.put("before-close.txt", b"x")
        await storage.close()
        await storage.close()

    @pytest.mark.asyncio
    async def test_usable_after_close(self, storage: Storage) -> None:
        await storage.put("reopen.txt", b"before")
        await storage.close()
        await storage.put("reopen.txt", b"after")
        assert await storage.get_bytes("reopen.txt") == b"after"

    @pytest.mark.asyncio
    async def test_async_context_manager(self, storage: Storage) -> None:
        assert isinstance(storage, SupportsAsyncContext)
        async with storage as entered:
            assert entered is storage
            await entered.put("ctx.txt", b"x")
            assert await entered.exists("ctx.txt")
