"""Listings through the engine: ``limit`` across pages, and the key prefix joined and stripped."""

from __future__ import annotations

import pytest
from engine_drivers import PartsDriver

from litestar_storages.engine import DriverStorage
from litestar_storages.exceptions import StorageValidationError


async def test_limit_spans_pages_and_stops_asking() -> None:
    driver = PartsDriver()
    storage = DriverStorage(driver)
    for index in range(20):
        await storage.put(f"k/{index:02d}", b"x")
    keys = [stored.key async for stored in storage.list("k/", limit=7)]
    assert keys == [f"k/{index:02d}" for index in range(7)]
    assert driver.pages_asked == 3  # pages of 3, 3 and the last 1
    driver.pages_asked = 0
    assert [stored.key async for stored in storage.list("k/", limit=0)] == []
    assert driver.pages_asked == 0
    assert len([stored async for stored in storage.list()]) == 20


@pytest.mark.parametrize("limit", [True, False, -1, 1.5, "3"])
async def test_limit_refused_the_same_way(limit: object) -> None:
    with pytest.raises(StorageValidationError, match="limit"):
        [stored async for stored in DriverStorage(PartsDriver()).list(limit=limit)]  # type: ignore[arg-type]


async def test_prefix_is_joined_and_stripped() -> None:
    driver = PartsDriver()
    storage = DriverStorage(driver, prefix="/tenant/")
    stored = await storage.put("a/b.txt", b"x")
    assert stored.key == "a/b.txt"
    assert list(driver.objects) == ["tenant/a/b.txt"]
    assert [file.key async for file in storage.list()] == ["a/b.txt"]
