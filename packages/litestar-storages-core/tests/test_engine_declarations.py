"""What a driver declares (a minimum part size, a public base URL, how it refuses ranges), the engine enforces."""

from __future__ import annotations

import pytest
from engine_drivers import BasicDriver, PartsDriver, Unsatisfiable, pattern

from litestar_storages.capabilities import SupportsPartRules
from litestar_storages.engine import (
    DriverStorage,
    RangeBody,
    SupportsDurableParts,
    SupportsMinPartSize,
    SupportsPublicUrls,
)
from litestar_storages.exceptions import StorageFileNotFoundError, StorageValidationError


class MinPartDriver(PartsDriver):
    """A service refusing parts under 1000 bytes (as S3 refuses those under 5 MiB)."""

    min_part_size = 1000


async def test_put_large_refuses_a_part_size_below_the_drivers_minimum() -> None:
    driver = MinPartDriver()
    assert isinstance(driver, SupportsMinPartSize)
    storage = DriverStorage(driver)
    for bad in (1, 999):
        with pytest.raises(StorageValidationError, match=r"part_size must be an int from 1000 to \d+, got"):
            await storage.put_large("big.bin", b"x", part_size=bad)
    assert driver.calls == []  # refused before any request
    data = pattern(3000)
    await storage.put_large("big.bin", data, part_size=1000)
    assert await storage.get_bytes("big.bin") == data


class DurableDriver(PartsDriver):
    """Parts kept by the service: any process can continue an upload."""

    durable_parts = True


def test_the_storage_tells_its_part_rules() -> None:
    # What code driving parts itself (the tus endpoint) reads, instead of class names.
    plain, durable = DriverStorage(PartsDriver()), DriverStorage(DurableDriver())
    floored = DriverStorage(MinPartDriver())
    assert all(isinstance(storage, SupportsPartRules) for storage in (plain, durable, floored))
    assert isinstance(durable.driver, SupportsDurableParts)
    assert (plain.min_part_size, plain.durable_multipart) == (1, False)
    assert (durable.min_part_size, durable.durable_multipart) == (1, True)
    assert (floored.min_part_size, floored.durable_multipart) == (1000, False)

    class NoParts(BasicDriver):
        durable_parts = True  # but no parts to keep

    assert not DriverStorage(NoParts()).durable_multipart


class PublicDriver(PartsDriver):
    """Objects also served unsigned under a CDN."""

    public_base_url: str | None = "https://cdn.example/base/"


async def test_public_base_url_answers_plain_gets_and_signs_the_rest() -> None:
    driver = PublicDriver()
    assert isinstance(driver, SupportsPublicUrls)
    storage = DriverStorage(driver, prefix="p")
    assert await storage.url("a b?.txt") == "https://cdn.example/base/p/a%20b%3F.txt"
    assert driver.signed == []  # no signature, no request
    assert await storage.url("a.txt", filename="report.txt") == "https://signed.example/p/a.txt?m=GET"
    assert await storage.url("a.txt", method="PUT") == "https://signed.example/p/a.txt?m=PUT"
    assert [call["method"] for call in driver.signed] == ["GET", "PUT"]
    driver.public_base_url = None
    assert await DriverStorage(driver).url("a.txt") == "https://signed.example/a.txt?m=GET"


class RefusingRangeDriver(PartsDriver):
    """A service answering 416 for a range at or past the end, as S3 and Azure do."""

    async def open_range(self, name: str, start: int, end: int | None) -> RangeBody:
        assert end is None or end > start, "the engine asked the driver for an empty range"
        if name in self.objects and start >= len(self.objects[name][0]):
            self.calls.append("open_range")
            raise Unsatisfiable(name)
        return await super().open_range(name, start, end)


@pytest.mark.parametrize(("start", "end"), [(10, 10), (10, None), (50, 60), (0, 0), (3, 3)])
async def test_empty_and_unsatisfiable_ranges_are_empty_bodies(start: int, end: int | None) -> None:
    driver = RefusingRangeDriver()
    storage = DriverStorage(driver)
    await storage.put("ten.bin", pattern(10))
    assert await storage.get_bytes("ten.bin", start=start, end=end) == b""
    assert [chunk async for chunk in storage.get("ten.bin", start=start, end=end)] == []


@pytest.mark.parametrize(("start", "end"), [(10, 10), (50, None)])
async def test_an_empty_range_of_a_missing_object_is_not_found(start: int, end: int | None) -> None:
    storage = DriverStorage(RefusingRangeDriver())
    with pytest.raises(StorageFileNotFoundError):
        await storage.get_bytes("missing.bin", start=start, end=end)
