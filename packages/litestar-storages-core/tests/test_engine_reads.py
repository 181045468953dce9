"""Ranged reads through the engine: short bodies resumed, replaced objects refused, argument checks."""

from __future__ import annotations

import pytest
from engine_drivers import PartsDriver, pattern

from litestar_storages.engine import DriverStorage
from litestar_storages.exceptions import ConcurrentWriteError, StorageConnectionError, StorageValidationError


async def test_short_body_is_resumed() -> None:
    driver = PartsDriver()
    storage = DriverStorage(driver)
    data = pattern(10_000)
    await storage.put("file.bin", data)
    driver.short_bodies = 1
    assert await storage.get_bytes("file.bin", start=10, end=9000) == data[10:9000]
    assert driver.calls.count("open_range") == 2


async def test_body_that_stays_short_raises() -> None:
    driver = PartsDriver()
    storage = DriverStorage(driver)
    await storage.put("file.bin", pattern(10_000))
    driver.short_bodies = 100
    with pytest.raises(StorageConnectionError, match="ended at byte"):
        await storage.get_bytes("file.bin")


async def test_object_replaced_while_resuming_raises() -> None:
    driver = PartsDriver()
    storage = DriverStorage(driver)
    await storage.put("file.bin", pattern(10_000))
    driver.short_bodies = 1
    driver.replace_on_resume = True
    with pytest.raises(ConcurrentWriteError):
        await storage.get_bytes("file.bin")


@pytest.mark.parametrize(("start", "end"), [(None, None), (10, 9000), (9990, None)])
async def test_a_body_read_whole_is_returned_as_it_is(start: int | None, end: int | None) -> None:
    driver = PartsDriver()
    storage = DriverStorage(driver)
    data = pattern(10_000)
    await storage.put("file.bin", data)
    driver.whole_bodies = True
    driver.calls.clear()
    assert await storage.get_bytes("file.bin", start=start, end=end) == data[start:end]
    assert driver.calls == ["open_range"]


async def test_a_short_body_read_whole_is_resumed_not_returned() -> None:
    driver = PartsDriver()
    storage = DriverStorage(driver)
    data = pattern(10_000)
    await storage.put("file.bin", data)
    driver.whole_bodies = True
    driver.short_bodies = 1
    assert await storage.get_bytes("file.bin", start=10, end=9000) == data[10:9000]
    assert driver.calls.count("open_range") == 2
    driver.short_bodies = 1
    driver.replace_on_resume = True
    with pytest.raises(ConcurrentWriteError):
        await storage.get_bytes("file.bin")


async def test_range_arguments_checked_when_iteration_starts() -> None:
    driver = PartsDriver()
    stream = DriverStorage(driver).get("missing.bin", start=5, end=2)
    assert driver.calls == []
    with pytest.raises(StorageValidationError):
        await anext(stream)
