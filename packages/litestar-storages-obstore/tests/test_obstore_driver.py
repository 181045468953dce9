"""What is particular to the obstore driver: configuration, signing, staged parts, errors."""

from __future__ import annotations

import urllib.request
from collections.abc import AsyncIterator
from datetime import timedelta

import obstore
import pytest
from obstore.exceptions import (
    AlreadyExistsError,
    GenericError,
    InvalidPathError,
    NotSupportedError,
    PermissionDeniedError,
    PreconditionError,
    UnauthenticatedError,
)
from obstore.store import MemoryStore

from litestar_storages.backends.obstore import ObstoreConfig, ObstoreStorage
from litestar_storages.backends.obstore.errors import translate_error
from litestar_storages.backends.obstore.staging import STAGING_FOLDER
from litestar_storages.engine import SupportsParts, SupportsSignedUrls, SupportsStreamWrite
from litestar_storages.exceptions import (
    ConcurrentWriteError,
    ConfigurationError,
    InvalidKeyError,
    StorageConnectionError,
    StorageError,
    StorageFileExistsError,
    StorageFileNotFoundError,
    StoragePermissionError,
    UnsupportedOperationError,
)

MIB = 1024 * 1024


def test_config_is_checked() -> None:
    with pytest.raises(ConfigurationError, match="exactly one of store and url"):
        ObstoreConfig()
    with pytest.raises(ConfigurationError, match="exactly one of store and url"):
        ObstoreConfig(store=MemoryStore(), url="memory:///")
    with pytest.raises(ConfigurationError) as caught:
        ObstoreConfig(store=MemoryStore(), part_size=MIB)
    assert caught.value.field == "part_size"
    with pytest.raises(ConfigurationError) as caught:
        ObstoreConfig(store=MemoryStore(), url_expiry=timedelta(days=8))
    assert caught.value.field == "url_expiry"
    with pytest.raises(ConfigurationError) as caught:
        ObstoreConfig(store=MemoryStore(), max_concurrency=True)
    assert caught.value.field == "max_concurrency"
    with pytest.raises(ConfigurationError) as caught:  # not an InvalidKeyError: a setting, not a key
        ObstoreConfig(store=MemoryStore(), prefix="../up")
    assert caught.value.field == "prefix"


async def test_store_built_from_a_url() -> None:
    storage = ObstoreStorage(config=ObstoreConfig(url="memory:///"))
    await storage.put("a.txt", b"hello")
    assert await storage.get_bytes("a.txt") == b"hello"
    assert isinstance(storage.store, MemoryStore)
    assert await storage.url("a.txt") == "memory:///a.txt"


async def test_the_storage_uses_obstores_own_streamed_upload() -> None:
    storage = ObstoreStorage(config=ObstoreConfig(store=MemoryStore(), part_size=5 * MIB))
    assert isinstance(storage.driver, SupportsStreamWrite)
    assert isinstance(storage.driver, SupportsParts)
    assert not isinstance(storage.driver, SupportsSignedUrls)  # a MemoryStore cannot sign

    async def chunks() -> AsyncIterator[bytes]:
        for index in range(12):
            yield bytes([index]) * MIB

    stored = await storage.put("big.bin", chunks())
    assert stored.size == 12 * MIB
    assert await storage.get_bytes("big.bin", start=11 * MIB, end=11 * MIB + 3) == b"\x0b\x0b\x0b"


async def test_a_failing_stream_raises_its_own_error_and_stores_nothing() -> None:
    class Boom(Exception):
        pass

    storage = ObstoreStorage(config=ObstoreConfig(store=MemoryStore(), part_size=5 * MIB))

    async def chunks() -> AsyncIterator[bytes]:
        yield b"x" * (6 * MIB)
        raise Boom

    with pytest.raises(Boom):
        await storage.put("big.bin", chunks())
    assert not await storage.exists("big.bin")


async def test_manual_parts_are_hidden_and_cleaned_up() -> None:
    store = MemoryStore()
    storage = ObstoreStorage(store)
    upload = await storage.start_multipart_upload("multi.bin")
    await storage.upload_part(upload, 2, b"world")
    await storage.upload_part(upload, 1, b"hello ")
    staged = [meta["path"] async for batch in obstore.list(store, STAGING_FOLDER) for meta in batch]
    assert len(staged) == 2
    assert [file.key async for file in storage.list()] == []
    await storage.complete_multipart_upload(upload)
    assert await storage.get_bytes("multi.bin") == b"hello world"
    assert [meta async for batch in obstore.list(store, STAGING_FOLDER) for meta in batch] == []
    with pytest.raises(StorageError, match="completed, aborted or never started"):
        await storage.complete_multipart_upload(upload)


async def test_signed_urls_work_against_moto(s3_storage: ObstoreStorage) -> None:
    await s3_storage.put("signed.txt", b"signed content")
    url = await s3_storage.url("signed.txt", expires_in=timedelta(minutes=5))
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - the moto loopback server
        assert response.read() == b"signed content"
    upload = await s3_storage.url("uploaded.txt", method="PUT")
    # An explicit type: urllib's default (a form) is parsed as form fields by moto.
    headers = {"Content-Type": "application/octet-stream"}
    request = urllib.request.Request(upload, data=b"from a browser", method="PUT", headers=headers)  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        assert response.status == 200
    assert await s3_storage.get_bytes("uploaded.txt") == b"from a browser"


async def test_overwrite_false_is_atomic_on_s3(s3_storage: ObstoreStorage) -> None:
    await s3_storage.put("once.txt", b"first", overwrite=False)
    with pytest.raises(StorageFileExistsError):
        await s3_storage.put("once.txt", b"second", overwrite=False)
    assert await s3_storage.get_bytes("once.txt") == b"first"


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (FileNotFoundError("gone"), StorageFileNotFoundError),
        (AlreadyExistsError("exists"), StorageFileExistsError),
        (PreconditionError("etag"), ConcurrentWriteError),
        (PermissionDeniedError("no"), StoragePermissionError),
        (UnauthenticatedError("who"), StoragePermissionError),
        (InvalidPathError("bad"), InvalidKeyError),
        (NotSupportedError("no"), UnsupportedOperationError),
        (NotImplementedError("no"), UnsupportedOperationError),
        (GenericError("Generic S3 error: error sending request\nDebug source: ..."), StorageConnectionError),
        (GenericError("<Code>InvalidBlockList</Code>"), ConcurrentWriteError),
    ],
)
def test_error_table(error: Exception, expected: type[StorageError]) -> None:
    translated = translate_error(error, "k")
    assert type(translated) is expected
    assert translated.key == "k"
    assert "Debug source" not in str(translated)


def test_an_unknown_obstore_error_is_a_plain_storage_error() -> None:
    assert translate_error(GenericError("something else"), "k") is None


async def test_a_failed_delete_in_a_local_batch_names_its_key(local_storage: ObstoreStorage) -> None:
    # LocalStore's batch stops at a missing name; the rest go one by one, and "dir" (a
    # folder on disk, not a file) cannot be deleted as one.
    for key in ("a.txt", "dir/x.txt", "c.txt"):
        await local_storage.put(key, b"x")
    with pytest.raises(StorageError) as caught:
        await local_storage.delete_many(["missing.txt", "a.txt", "dir", "c.txt"])
    assert caught.value.key == "dir"
    assert [item.key async for item in local_storage.list()] == ["dir/x.txt"]
