"""The engine's error boundary: SDK errors translated and retried, bugs propagated as they are."""

from __future__ import annotations

import pytest
from engine_drivers import Dropped, PartsDriver

from litestar_storages.engine import DriverStorage, RangeBody
from litestar_storages.exceptions import StorageConnectionError, StorageFileNotFoundError
from litestar_storages.types import StoredFile


async def test_a_bug_in_a_driver_is_not_hidden() -> None:
    driver = PartsDriver()

    async def broken(name: str) -> StoredFile | None:
        raise AttributeError("typo")

    driver.head = broken  # type: ignore[method-assign]
    with pytest.raises(AttributeError, match="typo"):
        await DriverStorage(driver).info("file.bin")


async def test_transient_errors_are_retried() -> None:
    driver = PartsDriver()
    storage = DriverStorage(driver)
    failures = [Dropped("reset"), Dropped("reset")]
    original = driver.head

    async def flaky(name: str) -> StoredFile | None:
        if failures:
            raise failures.pop()
        return await original(name)

    driver.head = flaky  # type: ignore[method-assign]
    assert await storage.exists("file.bin") is False
    failures.extend([Dropped("reset")] * 3)
    with pytest.raises(StorageConnectionError):
        await storage.exists("file.bin")


@pytest.mark.parametrize("retry", [True, False])
async def test_boundary_with_and_without_engine_retries(retry: bool) -> None:
    driver = PartsDriver()
    if not retry:
        driver.retry = None  # the SDK retries by itself: the engine's boundary is inline
    storage = DriverStorage(driver)
    with pytest.raises(StorageFileNotFoundError):
        await anext(storage.get("missing.bin"))
    await storage.put("file.bin", b"abc")

    async def broken(name: str, start: int, end: int | None) -> RangeBody:
        raise KeyError("a bug")

    driver.open_range = broken  # type: ignore[method-assign]
    with pytest.raises(KeyError, match="a bug"):
        await storage.get_bytes("file.bin")
