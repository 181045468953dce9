"""Fixtures of the obstore tests: one storage per kind of store, each empty per test."""

from __future__ import annotations

import base64
import hashlib
import hmac
import urllib.request
import uuid
from collections.abc import AsyncIterator, Iterator
from email.utils import formatdate
from pathlib import Path

import obstore
import pytest
import pytest_asyncio
from obstore.exceptions import GenericError
from obstore.store import AzureStore, GCSStore, LocalStore, MemoryStore, S3Store

from litestar_storages.backends.obstore import ObstoreConfig, ObstoreStorage
from litestar_storages.testing.emulators.azurite import Azurite
from litestar_storages.testing.emulators.fake_gcs import FakeGCSServer
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


@pytest.fixture(scope="session")
def fake_gcs() -> Iterator[FakeGCSServer]:
    """fake-gcs-server for the whole session."""
    with FakeGCSServer() as server:
        yield server


def _gcs_store(fake_gcs: FakeGCSServer, bucket: str) -> GCSStore:
    return GCSStore(
        bucket,
        base_url=fake_gcs.url,
        bearer_token="emulator",
        client_options={"allow_http": True},
    )


@pytest.fixture(scope="session")
def fake_gcs_gap(fake_gcs: FakeGCSServer) -> str | None:
    """Why fake-gcs-server cannot serve obstore, found by one probe write; ``None`` if it can."""
    fake_gcs.create_bucket("probe")
    try:
        obstore.put(_gcs_store(fake_gcs, "probe"), "probe.txt", b"probe")
    except GenericError as error:
        if "invalid uploadType" not in str(error):
            raise
        # object_store writes through GCS's XML API (PUT /bucket/object, POST ?uploads);
        # fake-gcs-server implements the JSON API only and answers 400 to both.
        return (
            "fake-gcs-server cannot answer object_store's GCS XML API: a PUT /<bucket>/<object> "
            "gets 400 'invalid uploadType' (the emulator serves the JSON API only)"
        )
    return None


@pytest_asyncio.fixture
async def gcs_storage(fake_gcs: FakeGCSServer, fake_gcs_gap: str | None, unique: str) -> AsyncIterator[ObstoreStorage]:
    if fake_gcs_gap is not None:
        pytest.skip(fake_gcs_gap)
    bucket = f"t{unique}"
    fake_gcs.create_bucket(bucket)
    async with ObstoreStorage(config=ObstoreConfig(store=_gcs_store(fake_gcs, bucket), part_size=5 * MIB)) as s:
        yield s
