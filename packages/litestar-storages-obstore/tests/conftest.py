"""Fixtures of the obstore tests: one storage per kind of store, each empty per test."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from obstore.store import LocalStore, MemoryStore, S3Store

from litestar_storages.backends.obstore import ObstoreConfig, ObstoreStorage
from litestar_storages.testing.emulators.moto import MotoServer

MIB = 1024 * 1024


@pytest_asyncio.fixture
async def memory_storage() -> AsyncIterator[ObstoreStorage]:
    # part_size at obstore's floor (5 MiB) so the kit's large transfers are streamed.
    async with ObstoreStorage(config=ObstoreConfig(store=MemoryStore(), prefix="tenant-1", part_size=5 * MIB)) as s:
        yield s


@pytest_asyncio.fixture
async def local_storage(tmp_path: Path) -> AsyncIterator[ObstoreStorage]:
    store = LocalStore(str(tmp_path), mkdir=True)
    async with ObstoreStorage(config=ObstoreConfig(store=store, part_size=5 * MIB)) as s:
        yield s


@pytest.fixture
def unique() -> str:
    return uuid.uuid4().hex[:12]


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    """moto's S3 server on a free loopback port, shared by the whole session."""
    with MotoServer() as server:
        yield server


@pytest_asyncio.fixture
async def s3_storage(moto_server: MotoServer, unique: str) -> AsyncIterator[ObstoreStorage]:
    bucket = f"test-{unique}"
    moto_server.create_bucket(bucket)
    store = S3Store(
        bucket,
        endpoint=moto_server.endpoint_url,
        region="us-east-1",
        access_key_id="testing",
        secret_access_key="testing",
        virtual_hosted_style_request=False,
        client_options={"allow_http": True},
    )
    async with ObstoreStorage(config=ObstoreConfig(store=store, part_size=5 * MIB)) as s:
        yield s
