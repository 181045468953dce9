"""The core conformance kit, unchanged, against Azurite: bare container and under a prefix."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import ClassVar

import pytest_asyncio
from azure.storage.blob.aio import ContainerClient

from litestar_storages.backends.azure import AzureConfig, AzureStorage
from litestar_storages.testing import StorageConformance
from litestar_storages.testing.emulators.azurite import Azurite

from .conftest import MIB, unique_name


class TestAzureConformance(StorageConformance):
    """Each test gets an empty container; 1 MiB blocks make the kit's large uploads staged."""

    large_size: ClassVar[int] = 5 * MIB + 12345

    @pytest_asyncio.fixture
    async def storage(self, config: AzureConfig) -> AsyncIterator[AzureStorage]:
        async with AzureStorage(config) as storage:
            yield storage


class TestAzurePrefixedConformance(StorageConformance):
    """Each test gets a fresh prefix in a container that also holds other blobs.

    The kit asserts exact listings and absences, so anything leaking across the
    prefix (listing, deleting, copying) fails it.
    """

    @pytest_asyncio.fixture
    async def storage(self, azurite: Azurite, container: ContainerClient) -> AsyncIterator[AzureStorage]:
        for neighbour in ("outside.txt", "a.txt", "b/1.txt", "zz/other.bin"):
            await container.upload_blob(neighbour, b"not yours")
        config = AzureConfig(
            container=container.container_name,
            connection_string=azurite.connection_string,
            prefix=unique_name("p") + "/",
            block_size=MIB,
            max_concurrency=3,
        )
        async with AzureStorage(config) as storage:
            yield storage
