"""Optional driver abilities: the protocols they satisfy, what the engine does without them."""

from __future__ import annotations

import pytest
from engine_drivers import PART, BasicDriver, PartsDriver, pattern

from litestar_storages.engine import DriverStorage, SupportsBatchDelete, SupportsParts, SupportsSignedUrls
from litestar_storages.exceptions import StorageValidationError, UnsupportedOperationError


def test_drivers_satisfy_the_protocols() -> None:
    driver = PartsDriver()
    assert isinstance(driver, SupportsParts)
    assert isinstance(driver, SupportsSignedUrls)
    assert isinstance(driver, SupportsBatchDelete)
    assert not isinstance(BasicDriver(), SupportsParts)


async def test_missing_capabilities_raise_unsupported() -> None:
    storage = DriverStorage(BasicDriver())
    with pytest.raises(UnsupportedOperationError, match="BasicDriver does not support multipart"):
        await storage.start_multipart_upload("file.bin")
    with pytest.raises(UnsupportedOperationError, match="BasicDriver cannot make GET URLs"):
        await storage.url("file.bin")
    with pytest.raises(UnsupportedOperationError, match="upload forms"):
        await storage.upload_form("file.bin")
    # Without parts a large object still goes in one request.
    await storage.put("big.bin", pattern(3 * PART))
    assert await storage.get_bytes("big.bin") == pattern(3 * PART)
    await storage.delete_many(["big.bin", "never.bin"])
    assert not await storage.exists("big.bin")


async def test_batch_delete_in_driver_sized_batches() -> None:
    driver = PartsDriver()
    storage = DriverStorage(driver)
    for name in "abcde":
        await storage.put(name, b"x")
    await storage.delete_many(["a", "b", "c", "d", "e"])
    assert driver.batches == [["a", "b"], ["c", "d"], ["e"]]
    with pytest.raises(StorageValidationError):
        await storage.delete_many(["ok", "../bad"])
    assert driver.batches == [["a", "b"], ["c", "d"], ["e"]]
