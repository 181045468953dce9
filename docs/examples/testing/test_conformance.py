"""Running the conformance kit against a storage: here MemoryStorage.

For your own backend, yield it from the fixture instead (a fresh, empty folder,
bucket or prefix per test). Run with ``pytest test_conformance.py``.
"""

from collections.abc import AsyncIterator

import pytest_asyncio

from litestar_storages import MemoryStorage
from litestar_storages.testing import StorageConformance


class TestMyStorage(StorageConformance):
    # Above the backend's multipart threshold, so large transfers take that path.
    large_size = 6 * 1024 * 1024

    @pytest_asyncio.fixture
    async def storage(self) -> AsyncIterator[MemoryStorage]:
        async with MemoryStorage() as storage:
            yield storage
