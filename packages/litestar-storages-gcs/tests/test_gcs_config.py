"""GCSConfig validation, the storage's session lifecycle, and the public names."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from gcs_helpers import RequestLog, sdk_client

import litestar_storages
import litestar_storages.backends.gcs as gcs_module
from litestar_storages.backends.gcs import GCSConfig, GCSStorage
from litestar_storages.backends.gcs.driver import GCSDriver
from litestar_storages.exceptions import ConfigurationError
from litestar_storages.protocol import Storage


def test_defaults() -> None:
    config = GCSConfig(bucket="b")
    assert config.project is None
    assert config.service_file is None
    assert config.prefix == ""
    assert config.presigned_expiry == timedelta(hours=1)
    assert config.api_root is None
    assert config.chunk_size == 8 * 1024 * 1024
    assert config.public_base_url is None
    assert config.retry.max_attempts == 3
    assert config.list_page_size == 1000


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({}, "bucket"),
        ({"bucket": ""}, "bucket"),
        ({"bucket": "a/b"}, "bucket"),
        ({"bucket": "b", "prefix": "../up"}, "prefix"),
        ({"bucket": "b", "service_file": "/no/such/key.json"}, "service_file"),
        ({"bucket": "b", "presigned_expiry": timedelta(days=8)}, "presigned_expiry"),
        ({"bucket": "b", "presigned_expiry": 3600}, "presigned_expiry"),
        ({"bucket": "b", "api_root": "localhost:4443"}, "api_root"),
        ({"bucket": "b", "public_base_url": "cdn.example.com"}, "public_base_url"),
        ({"bucket": "b", "chunk_size": 1000}, "chunk_size"),
        ({"bucket": "b", "chunk_size": 0}, "chunk_size"),
        ({"bucket": "b", "retry": 3}, "retry"),
        ({"bucket": "b", "timeout": 0}, "timeout"),
        ({"bucket": "b", "list_page_size": 1001}, "list_page_size"),
    ],
)
def test_invalid_config_names_the_field(arguments: dict[str, Any], field: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        GCSConfig(**arguments)
    assert caught.value.field == field
    assert field in str(caught.value)


def test_prefix_is_normalized() -> None:
    assert GCSConfig(bucket="b", prefix="/media/").normalized_prefix == "media/"
    assert GCSConfig(bucket="b", prefix="").normalized_prefix == ""


def test_storage_needs_a_config() -> None:
    with pytest.raises(ConfigurationError):
        GCSStorage("bucket")  # type: ignore[arg-type]


def test_public_names() -> None:
    for name in gcs_module.__all__:
        assert getattr(gcs_module, name) is not None
    assert litestar_storages.GCSStorage is GCSStorage
    assert litestar_storages.GCSConfig is GCSConfig


async def test_satisfies_protocol_and_slots(gcs_storage: GCSStorage) -> None:
    assert isinstance(gcs_storage, Storage)
    assert not hasattr(gcs_storage, "__dict__")


async def test_one_session_reused_closed_and_reopened(gcs_storage: GCSStorage) -> None:
    driver = gcs_storage.driver
    assert isinstance(driver, GCSDriver)
    await gcs_storage.put("a.txt", b"a")
    session = driver.connect().session
    for index in range(5):
        await gcs_storage.put(f"n{index}.txt", b"x")
        assert driver.connect().session is session
    await gcs_storage.close()
    assert session.closed
    await gcs_storage.close()
    assert await gcs_storage.get_bytes("a.txt") == b"a"
    assert driver.connect().session is not session


async def test_sequential_requests_share_one_connection(gcs_config: GCSConfig) -> None:
    log = RequestLog()
    async with log.session() as session:
        storage = GCSStorage(gcs_config, client=sdk_client(gcs_config.api_root or "", session))
        for index in range(10):
            await storage.put(f"k{index}", b"x")
            await storage.info(f"k{index}")
        assert len(log.requests) == 20
        assert log.connections == 1


async def test_client_passed_in_is_not_closed(gcs_config: GCSConfig) -> None:
    log = RequestLog()
    async with log.session() as session:
        client = sdk_client(gcs_config.api_root or "", session)
        async with GCSStorage(gcs_config, client=client) as storage:
            await storage.put("shared.txt", b"x")
        assert not session.closed
        # Still usable after close, through the same client.
        assert await storage.get_bytes("shared.txt") == b"x"


def test_service_file_accepts_paths(service_file: Path) -> None:
    assert GCSConfig(bucket="b", service_file=service_file).service_file == service_file
