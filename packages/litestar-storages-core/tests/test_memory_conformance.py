from collections.abc import AsyncIterator

import pytest_asyncio

from litestar_storages import MemoryStorage
from litestar_storages.testing import StorageConformance


class TestMemoryStorage(StorageConformance):
    @pytest_asyncio.fixture
    async def storage(self) -> AsyncIterator[MemoryStorage]:
        async with MemoryStorage() as storage:
            yield storage
