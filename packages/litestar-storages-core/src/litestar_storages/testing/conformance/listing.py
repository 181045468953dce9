"""Listing: order, prefixes, limits and argument checks."""

from __future__ import annotations

import pytest

from litestar_storages.exceptions import (
    InvalidKeyError,
    StorageValidationError,
)
from litestar_storages.protocol import Storage
from litestar_storages.testing.conformance.data import (
    ConformanceBase,
)


class ListingTests(ConformanceBase):
    """Listing: order, prefixes, limits and argument checks."""

    # -- listing -------------------------------------------------------------------------

    async def _populate(self, storage: Storage) -> list[str]:
        keys = ["a.txt", "b/1.txt", "b/2.txt", "b/sub/3.txt", "ba.txt", "c/4.txt", "photos/cat.jpg", "photos/car.png"]
        for key in reversed(keys):
            await storage.put(key, key.encode())
        return sorted(keys)

    @pytest.mark.asyncio
    async def test_list_everything_sorted(self, storage: Storage) -> None:
        keys = await self._populate(storage)
        listed = [item async for item in storage.list()]
        assert [item.key for item in listed] == keys
        for item in listed:
            assert item.size == len(item.key.encode())

    @pytest.mark.asyncio
    @pytest.mark.parametrize(
        ("prefix", "expected"),
        [
            ("b/", ["b/1.txt", "b/2.txt", "b/sub/3.txt"]),
            ("b", ["b/1.txt", "b/2.txt", "b/sub/3.txt", "ba.txt"]),
            ("photos/ca", ["photos/car.png", "photos/cat.jpg"]),
            ("b/sub/", ["b/sub/3.txt"]),
            ("zzz", []),
            ("a.txt", ["a.txt"]),
        ],
    )
    async def test_list_prefix(self, storage: Storage, prefix: str, expected: list[str]) -> None:
        await self._populate(storage)
        assert [item.key async for item in storage.list(prefix)] == expected

    @pytest.mark.asyncio
    async def test_list_limit(self, storage: Storage) -> None:
        keys = await self._populate(storage)
        assert [item.key async for item in storage.list(limit=3)] == keys[:3]
        assert [item.key async for item in storage.list("b/", limit=2)] == ["b/1.txt", "b/2.txt"]
        assert [item.key async for item in storage.list(limit=0)] == []
        assert [item.key async for item in storage.list(limit=100)] == keys

    @pytest.mark.asyncio
    async def test_list_empty(self, storage: Storage) -> None:
        assert [item async for item in storage.list()] == []

    @pytest.mark.asyncio
    @pytest.mark.parametrize("limit", [True, False, -1, 1.0, "3"])
    async def test_list_refuses_a_limit_that_is_not_an_int_from_zero(self, storage: Storage, limit: object) -> None:
        # bool subclasses int: limit=True must not quietly mean 1 on one backend only.
        await storage.put("a.txt", b"a")
        with pytest.raises(StorageValidationError, match="limit must be None or an int >= 0"):
            [item async for item in storage.list(limit=limit)]  # type: ignore[arg-type]

    @pytest.mark.asyncio
    async def test_list_rejects_bad_arguments(self, storage: Storage) -> None:
        with pytest.raises(StorageValidationError):
            [item async for item in storage.list(limit=-1)]
        for prefix in ("/abs", "../up", "a/../b", "nul\x00"):
            with pytest.raises(InvalidKeyError):
                [item async for item in storage.list(prefix)]
