"""Byte ranges of get and get_bytes."""

from __future__ import annotations

import pytest

from litestar_storages.exceptions import (
    InvalidRangeError,
)
from litestar_storages.protocol import Storage
from litestar_storages.testing.conformance.data import (
    MIB,
    ConformanceBase,
    _pattern,
)


class RangeTests(ConformanceBase):
    """Byte ranges of get and get_bytes."""

    # -- ranges ----------------------------------------------------------------------------

    @pytest.mark.asyncio
    @pytest.mark.parametrize(
        ("start", "end"),
        [
            (None, None),
            (0, 10),
            (10, None),
            (None, 10),
            (100, 200),
            (250, 1000),
            (256, 300),
            (5000, None),
            (7, 7),
            (0, 0),
        ],
    )
    async def test_ranges(self, storage: Storage, start: int | None, end: int | None) -> None:
        data = bytes(range(256))
        await storage.put("range.bin", data)
        expected = data[(start or 0) : end]
        assert await storage.get_bytes("range.bin", start=start, end=end) == expected
        assert b"".join([c async for c in storage.get("range.bin", start=start, end=end)]) == expected

    @pytest.mark.asyncio
    async def test_range_of_large_object(self, storage: Storage) -> None:
        data = _pattern(3 * MIB + 17)
        await storage.put("range-large.bin", data)
        assert await storage.get_bytes("range-large.bin", start=MIB + 5, end=2 * MIB + 9) == data[MIB + 5 : 2 * MIB + 9]

    @pytest.mark.asyncio
    @pytest.mark.parametrize(("start", "end"), [(-1, None), (None, -5), (10, 5), (3, 2)])
    async def test_invalid_ranges_rejected(self, storage: Storage, start: int | None, end: int | None) -> None:
        await storage.put("range-bad.bin", b"0123456789abcdef")
        with pytest.raises(InvalidRangeError):
            await storage.get_bytes("range-bad.bin", start=start, end=end)
