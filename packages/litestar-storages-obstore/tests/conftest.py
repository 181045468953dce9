"""Fixtures of the obstore tests: one storage per kind of store, each empty per test."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import urllib.request
import uuid
from collections.abc import AsyncIterator, Iterator
from email.utils import formatdate
from pathlib import Path

import pytest
import pytest_asyncio
from obstore.store import AzureStore, GCSStore, LocalStore, MemoryStore, S3Store

from litestar_storages.backends.obstore import ObstoreConfig, ObstoreStorage
from litestar_storages.testing.emulators.azurite import Azurite
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


@pytest.fixture(scope="session")
def azurite() -> Iterator[Azurite]:
    """Azurite's blob service for the whole session (installed with ``npm ci`` on first use)."""
    with Azurite() as emulator:
        yield emulator


def create_container(azurite: Azurite, name: str) -> None:
    """Create a container with one Shared Key signed request (no Azure SDK in this package)."""
    date = formatdate(usegmt=True)
    version = "2021-08-06"
    account = azurite.account_name
    # Path-style (emulator) URLs put the account in the path, so it appears twice.
    resource = f"/{account}/{account}/{name}\nrestype:container"
    string_to_sign = "PUT\n" + "\n" * 11 + f"x-ms-date:{date}\nx-ms-version:{version}\n" + resource
    key = base64.b64decode(azurite.account_key)
    signature = base64.b64encode(hmac.new(key, string_to_sign.encode(), hashlib.sha256).digest()).decode()
    request = urllib.request.Request(  # noqa: S310 - a loopback http URL
        f"{azurite.account_url}/{name}?restype=container",
        method="PUT",
        headers={"x-ms-date": date, "x-ms-version": version, "Authorization": f"SharedKey {account}:{signature}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        assert response.status == 201


@pytest_asyncio.fixture
async def azure_storage(azurite: Azurite, unique: str) -> AsyncIterator[ObstoreStorage]:
    container = f"t{unique}"
    create_container(azurite, container)
    store = AzureStore(
        container,
        account_name=azurite.account_name,
        account_key=azurite.account_key,
        endpoint=azurite.account_url,
        client_options={"allow_http": True},
    )
    async with ObstoreStorage(config=ObstoreConfig(store=store, part_size=5 * MIB)) as s:
        yield s


# A real GCS bucket only (test_obstore_conformance.py says why no emulator stands in).
@pytest_asyncio.fixture
async def gcs_storage(unique: str) -> AsyncIterator[ObstoreStorage]:
    bucket, key_file = os.environ["STORAGES_TEST_GCS_BUCKET"], os.environ["GOOGLE_APPLICATION_CREDENTIALS"]
    store = GCSStore(bucket, service_account=key_file)
    config = ObstoreConfig(store=store, prefix=f"litestar-storages-obstore-tests/{unique}", part_size=5 * MIB)
    async with ObstoreStorage(config=config) as s:
        try:
            yield s
        finally:
            await s.delete_many([item.key async for item in s.list()])
