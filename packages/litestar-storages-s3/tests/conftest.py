"""Fixtures: one moto S3 server per test session, an empty bucket per test."""

from __future__ import annotations

import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import pytest_asyncio
from aiobotocore.session import AioSession

from litestar_storages.backends.s3 import S3Config, S3Storage

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client
from litestar_storages.testing.emulators.moto import MotoServer

# --import-mode=importlib puts no test folder on sys.path; the helpers module has a
# name no other package's tests use.
sys.path.insert(0, str(Path(__file__).parent))

from s3_helpers import ACCESS_KEY, REGION, SECRET_KEY, FaultProxy, make_config


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    """moto's S3 server on a free loopback port, shared by the whole session."""
    with MotoServer() as server:
        yield server


@pytest.fixture
def bucket(moto_server: MotoServer) -> str:
    """A new, empty bucket for one test."""
    name = f"test-{uuid.uuid4().hex[:24]}"
    moto_server.create_bucket(name)
    return name


@pytest.fixture
def s3_config(moto_server: MotoServer, bucket: str) -> S3Config:
    """Configuration of a storage over the test's bucket."""
    return make_config(moto_server, bucket)


@pytest_asyncio.fixture
async def storage(s3_config: S3Config) -> AsyncIterator[S3Storage]:
    """An S3Storage over the test's empty bucket."""
    async with S3Storage(s3_config) as storage:
        yield storage


@pytest_asyncio.fixture
async def proxy(moto_server: MotoServer) -> AsyncIterator[FaultProxy]:
    """A fault-injecting HTTP proxy in front of the moto server."""
    async with FaultProxy(moto_server.endpoint_url) as running:
        yield running


@pytest_asyncio.fixture
async def raw_client(moto_server: MotoServer) -> AsyncIterator[S3Client]:
    """A plain aiobotocore client to moto, to check what the storage did."""
    async with AioSession().create_client(
        "s3",
        region_name=REGION,
        endpoint_url=moto_server.endpoint_url,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    ) as client:
        yield client
