"""Testing an application's S3 code against moto, as litestar-storages' own tests do."""

import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio

from litestar_storages import S3Config, S3Storage
from litestar_storages.testing.emulators.moto import MotoServer


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    # One server per test session, on a free loopback port (pip install "moto[server]").
    with MotoServer() as server:
        yield server


@pytest_asyncio.fixture
async def storage(moto_server: MotoServer) -> AsyncIterator[S3Storage]:
    bucket = f"test-{uuid.uuid4().hex[:12]}"  # an empty bucket per test
    moto_server.create_bucket(bucket)
    config = S3Config(
        bucket=bucket,
        endpoint_url=moto_server.endpoint_url,
        region="us-east-1",
        addressing_style="path",
        access_key_id="testing",
        secret_access_key="testing",  # noqa: S106
    )
    async with S3Storage(config) as storage:
        yield storage


async def test_upload(storage: S3Storage) -> None:
    await storage.put("hello.txt", b"hello")
    assert await storage.get_bytes("hello.txt") == b"hello"
