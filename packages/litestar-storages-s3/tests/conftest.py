"""Fixtures: one moto S3 server per test session, an empty bucket per test."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio

from litestar_storages.backends.s3 import S3Config, S3Storage
from litestar_storages.retry import RetryConfig
from litestar_storages.testing.emulators.moto import MotoServer

MIB = 1024 * 1024
REGION = "us-east-1"
ACCESS_KEY = "testing"
SECRET_KEY = "testing"

# Small parts so the conformance kit's "large" transfers go through multipart uploads.
SMALL_PARTS = 5 * MIB
FAST_RETRY = RetryConfig(max_attempts=3, base_delay=0.01, max_delay=0.05)


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


def make_config(server: MotoServer, bucket: str, **overrides: object) -> S3Config:
    """An S3Config pointing at the moto server, with small parts and quick retries."""
    settings: dict[str, object] = {
        "bucket": bucket,
        "endpoint_url": server.endpoint_url,
        "region": REGION,
        "access_key_id": ACCESS_KEY,
        "secret_access_key": SECRET_KEY,
        "addressing_style": "path",
        "multipart_threshold": SMALL_PARTS,
        "part_size": SMALL_PARTS,
        "retry": FAST_RETRY,
    }
    settings.update(overrides)
    return S3Config(**settings)  # type: ignore[arg-type]


@pytest.fixture
def s3_config(moto_server: MotoServer, bucket: str) -> S3Config:
    """Configuration of a storage over the test's bucket."""
    return make_config(moto_server, bucket)


@pytest_asyncio.fixture
async def storage(s3_config: S3Config) -> AsyncIterator[S3Storage]:
    """An S3Storage over the test's empty bucket."""
    async with S3Storage(s3_config) as storage:
        yield storage
