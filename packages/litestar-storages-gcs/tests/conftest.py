"""Fixtures: one fake-gcs-server per test session, an empty bucket per test."""

from __future__ import annotations

import itertools
import json
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from litestar_storages.backends.gcs import GCSConfig, GCSStorage
from litestar_storages.testing.emulators.fake_gcs import FakeGCSServer

# --import-mode=importlib puts no test folder on sys.path; the helpers module has a
# name no other package's tests use.
sys.path.insert(0, str(Path(__file__).parent))

_buckets = itertools.count()


@pytest.fixture(scope="session")
def fake_gcs() -> Iterator[FakeGCSServer]:
    with FakeGCSServer() as server:
        yield server


@pytest.fixture(scope="session")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def service_file(tmp_path_factory: pytest.TempPathFactory, rsa_key: rsa.RSAPrivateKey) -> Path:
    """A throwaway service-account key file (made here; it signs URLs the tests verify)."""
    pem = rsa_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    path = tmp_path_factory.mktemp("credentials") / "service-account.json"
    path.write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": "test-project",
                "private_key_id": "0123456789abcdef",
                "private_key": pem,
                "client_email": "signer@test-project.iam.gserviceaccount.com",
                "client_id": "1234567890",
                "token_uri": "https://oauth2.googleapis.com/token",
            }
        )
    )
    return path


@pytest.fixture
def bucket(fake_gcs: FakeGCSServer) -> str:
    name = f"test-bucket-{next(_buckets):04d}"
    fake_gcs.create_bucket(name)
    return name


@pytest.fixture
def gcs_config(fake_gcs: FakeGCSServer, bucket: str, service_file: Path) -> GCSConfig:
    # chunk_size of 256 KiB (the smallest allowed) sends the kit's large uploads
    # through resumable sessions of many chunks.
    return GCSConfig(bucket=bucket, api_root=fake_gcs.api_root, service_file=str(service_file), chunk_size=256 * 1024)


@pytest_asyncio.fixture
async def gcs_storage(gcs_config: GCSConfig) -> AsyncIterator[GCSStorage]:
    async with GCSStorage(gcs_config) as storage:
        yield storage
