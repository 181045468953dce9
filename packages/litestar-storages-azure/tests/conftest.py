"""Fixtures: one Azurite per test session, an empty container (or prefix) per test."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio
from azure.storage.blob.aio import ContainerClient

from litestar_storages.backends.azure import AzureConfig, AzureStorage
from litestar_storages.testing.emulators.azurite import Azurite

MIB = 1024 * 1024


@pytest.fixture(scope="session")
def azurite() -> Iterator[Azurite]:
    """Azurite's blob service, installed with ``npm ci`` on first use, for the whole session."""
    with Azurite() as emulator:
        yield emulator


def unique_name(prefix: str = "t") -> str:
    """A container name (or key prefix) no other test uses."""
    return f"{prefix}{uuid.uuid4().hex[:20]}"


@pytest_asyncio.fixture
async def container(azurite: Azurite) -> AsyncIterator[ContainerClient]:
    """A new, empty container, deleted after the test; the client is the test's own."""
    async with ContainerClient.from_connection_string(azurite.connection_string, unique_name()) as client:
        await client.create_container()
        yield client
        await client.delete_container()


@pytest.fixture
def config(azurite: Azurite, container: ContainerClient) -> AzureConfig:
    """A configuration for the test's container, with small blocks so streams use staged blocks."""
    return AzureConfig(container=container.container_name, connection_string=azurite.connection_string, block_size=MIB)


@pytest_asyncio.fixture
async def storage(config: AzureConfig) -> AsyncIterator[AzureStorage]:
    async with AzureStorage(config) as opened:
        yield opened
