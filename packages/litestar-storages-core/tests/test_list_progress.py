"""A listing whose service ignores the resume point ends in an error, never an endless loop."""

from __future__ import annotations

import pytest

from litestar_storages.backends.memory.config import MemoryConfig
from litestar_storages.backends.memory.driver import MemoryDriver
from litestar_storages.engine import DriverStorage, ListPage
from litestar_storages.exceptions import StorageError
from litestar_storages.types import StoredFile


class StuckDriver(MemoryDriver):
    """Answers every page with the first one (as Azurite does for a marker it did not issue)."""

    def __init__(self) -> None:
        super().__init__(MemoryConfig())
        self.calls = 0

    async def list_page(self, prefix: str, token: str | None, page_size: int) -> ListPage:
        self.calls += 1
        return ListPage([StoredFile(key="a", size=0), StoredFile(key="b", size=0)], "b")


async def test_a_listing_that_does_not_advance_is_an_error() -> None:
    driver = StuckDriver()
    storage = DriverStorage(driver)
    seen: list[str] = []
    with pytest.raises(StorageError, match="did not advance"):
        seen.extend([entry.key async for entry in storage.list()])
    assert driver.calls == 2
