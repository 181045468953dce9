"""Testing your own code against Azurite: one emulator per test session (pytest).

Copy into your ``conftest.py``. ``Azurite`` installs the pinned npm package with
``npm ci`` on first use (Node.js and npm needed) and runs it in memory on a free port.
"""

from collections.abc import AsyncIterator, Iterator
from uuid import uuid4

import pytest
import pytest_asyncio

from litestar_storages import AzureConfig, AzureStorage
from litestar_storages.testing.emulators.azurite import Azurite


@pytest.fixture(scope="session")
def azurite() -> Iterator[Azurite]:
    with Azurite() as emulator:
        yield emulator


@pytest_asyncio.fixture
async def storage(azurite: Azurite) -> AsyncIterator[AzureStorage]:
    # A fresh container per test keeps tests independent.
    config = AzureConfig(container=f"test-{uuid4().hex[:12]}", connection_string=azurite.connection_string)
    async with AzureStorage(config) as storage:
        await storage.create_container()
        yield storage


@pytest.mark.asyncio
async def test_upload(storage: AzureStorage) -> None:
    await storage.put("a.txt", b"hello")
    assert await storage.get_bytes("a.txt") == b"hello"
