"""Fixtures: one Azurite per test session, an empty container (or prefix) per test.

Azurite runs as a local process (npm package pinned in tests-integration/). Set
``LITESTAR_STORAGES_AZURITE=docker`` to run the same tests against the Azurite image
through testcontainers instead; without a Docker engine they are then skipped.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

import pytest
import pytest_asyncio
from azure.core.pipeline.transport import AioHttpTransport
from azure.storage.blob.aio import ContainerClient

from litestar_storages.backends.azure import AzureConfig, AzureStorage
from litestar_storages.testing.emulators.azurite import Azurite


class AzuriteEndpoint(Protocol):
    """What the tests need from an Azurite, local process or container."""

    account_name: str
    account_key: str

    @property
    def connection_string(self) -> str: ...

    @property
    def account_url(self) -> str: ...


class DockerAzurite:
    """The Azurite image through testcontainers, with the attributes of :class:`Azurite`."""

    def __init__(self, container: Any) -> None:
        self._container = container
        self.account_name: str = container.account_name
        self.account_key: str = container.account_key

    @property
    def account_url(self) -> str:
        host = self._container.get_container_host_ip()
        port = self._container.get_exposed_port(self._container.blob_service_port)
        return f"http://{host}:{port}/{self.account_name}"

    @property
    def connection_string(self) -> str:
        return (
            f"DefaultEndpointsProtocol=http;AccountName={self.account_name};"
            f"AccountKey={self.account_key};BlobEndpoint={self.account_url};"
        )


@pytest.fixture(scope="session")
def azurite() -> Iterator[AzuriteEndpoint]:
    """Azurite's blob service for the whole session (installed with ``npm ci`` on first use)."""
    if os.environ.get("LITESTAR_STORAGES_AZURITE") == "docker":
        from testcontainers.azurite import AzuriteContainer

        try:
            container = AzuriteContainer().start()
        except Exception as error:  # docker.errors.DockerException and friends
            message = f"LITESTAR_STORAGES_AZURITE=docker but no Docker engine is reachable: {error}"
            print(message)
            pytest.skip(message)
        try:
            yield DockerAzurite(container)
        finally:
            container.stop()
        return
    with Azurite() as emulator:
        yield emulator


@pytest.fixture
def new_name() -> Callable[[str], str]:
    """Make container names and key prefixes no other test uses."""

    def make(prefix: str = "t") -> str:
        return f"{prefix}{uuid.uuid4().hex[:20]}"

    return make


@pytest_asyncio.fixture
async def container(azurite: AzuriteEndpoint, new_name: Callable[[str], str]) -> AsyncIterator[ContainerClient]:
    """A new, empty container, deleted after the test; the client is the test's own."""
    async with ContainerClient.from_connection_string(azurite.connection_string, new_name("t")) as client:
        await client.create_container()
        yield client
        await client.delete_container()


@pytest.fixture
def config(azurite: AzuriteEndpoint, container: ContainerClient) -> AzureConfig:
    """A configuration for the test's container, with 1 MiB blocks so streams get staged."""
    return AzureConfig(
        container=container.container_name, connection_string=azurite.connection_string, block_size=1024 * 1024
    )


@pytest_asyncio.fixture
async def storage(config: AzureConfig) -> AsyncIterator[AzureStorage]:
    async with AzureStorage(config) as opened:
        yield opened


class CountingTransport(AioHttpTransport):  # type: ignore[misc]  # azure-core exports it untyped
    """The SDK's own aiohttp transport, recording each request (and its headers) and the peak in flight.

    ``head_answer_headers`` are added to every HEAD answer: what Azure reports and Azurite does not.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.requests: list[tuple[str, str]] = []
        self.sent_headers: list[dict[str, str]] = []
        self.head_answer_headers: dict[str, str] = {}
        self.in_flight = 0
        self.peak = 0

    async def send(self, request: Any, **kwargs: Any) -> Any:
        self.requests.append((request.method, request.url))
        self.sent_headers.append(dict(request.headers))
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            response = await super().send(request, **kwargs)
        finally:
            self.in_flight -= 1
        if request.method == "HEAD":
            response.headers.update(self.head_answer_headers)
        return response

    def reset(self) -> None:
        self.requests.clear()
        self.sent_headers.clear()
        self.peak = 0

    def count(self, comp: str | None = None, method: str | None = None) -> int:
        """Requests with this ``comp`` query parameter and method (all when ``None``)."""
        total = 0
        for sent_method, url in self.requests:
            query = parse_qs(urlsplit(url).query)
            if comp is not None and query.get("comp", [""])[0] != comp:
                continue
            if method is not None and sent_method != method:
                continue
            total += 1
        return total


@pytest_asyncio.fixture
async def counted(
    azurite: AzuriteEndpoint, container: ContainerClient
) -> AsyncIterator[tuple[ContainerClient, CountingTransport]]:
    """A client of the test's container whose requests are counted (SDK retries off)."""
    transport = CountingTransport()
    async with ContainerClient.from_connection_string(
        azurite.connection_string, container.container_name, transport=transport, retry_total=0
    ) as client:
        yield client, transport


@pytest.fixture
def new_transport() -> Callable[[], CountingTransport]:
    """Make counting transports for clients a test builds itself."""
    return CountingTransport


@pytest.fixture
def storage_on_counted(counted: tuple[ContainerClient, CountingTransport]) -> Callable[..., AzureStorage]:
    """Make storages on the counted client, with the given AzureConfig options."""

    def make(**options: Any) -> AzureStorage:
        client, _ = counted
        account_url = client.url.rsplit("/", 1)[0]
        return AzureStorage(
            AzureConfig(container=client.container_name, account_url=account_url, **options), client=client
        )

    return make
