"""Object attributes on Azure: what is sent, what is read back, what is refused (the kit covers the rest)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from azure.storage.blob.aio import ContainerClient

from litestar_storages.attributes import Encryption, ObjectAttributes
from litestar_storages.backends.azure import AzureStorage
from litestar_storages.backends.azure.properties import file_from_headers
from litestar_storages.exceptions import (
    ConfigurationError,
    StorageError,
    StorageFileExistsError,
    StorageValidationError,
)

Counted = tuple[ContainerClient, Any]
"""The ``counted`` fixture: a client and its CountingTransport (see conftest)."""

SCOPED = ObjectAttributes(encryption=Encryption.scope("finance"), storage_class="Cool", tags={"a": "1"})
MIB = 1024 * 1024


def _sent(transport: Any, method: str, comp: str | None = None) -> list[dict[str, str]]:
    # Headers of the requests with this method and ``comp`` query parameter.
    return [
        headers
        for (sent_method, url), headers in zip(transport.requests, transport.sent_headers, strict=True)
        if sent_method == method and parse_qs(urlsplit(url).query).get("comp", [None])[0] == comp
    ]


async def test_put_sends_scope_tier_and_tags(counted: Counted, storage_on_counted: Callable[..., AzureStorage]) -> None:
    # Azurite ignores x-ms-encryption-scope, so the kit cannot read it back: the request is checked here.
    _, transport = counted
    storage = storage_on_counted(block_size=MIB)
    await storage.put("one.txt", b"x", attributes=SCOPED)
    [put] = _sent(transport, "PUT")
    assert put["x-ms-encryption-scope"] == "finance"
    assert put["x-ms-access-tier"] == "Cool"
    assert put["x-ms-tags"] == "a=1"
    transport.reset()
    await storage.put("blocks.bin", [b"y" * MIB, b"z"], attributes=SCOPED)  # staged blocks: Put Block List
    [commit] = _sent(transport, "PUT", "blocklist")
    assert commit["x-ms-encryption-scope"] == "finance"
    assert commit["x-ms-access-tier"] == "Cool"


async def test_copy_of_a_scoped_blob_is_a_synchronous_copy_in_that_scope(
    counted: Counted, storage_on_counted: Callable[..., AzureStorage]
) -> None:
    # Azure reports the scope on HEAD (added here, as Azurite does not); only Copy Blob From URL takes one.
    _, transport = counted
    storage = storage_on_counted()
    await storage.put("src.txt", b"scoped", attributes=SCOPED)
    transport.head_answer_headers = {"x-ms-encryption-scope": "finance"}
    transport.reset()
    copied = await storage.copy("src.txt", "dst.txt")
    assert copied.attributes.encryption == Encryption.scope("finance")
    [copy] = [headers for headers in _sent(transport, "PUT") if "x-ms-copy-source" in headers]
    assert copy["x-ms-requires-sync"].lower() == "true"
    assert copy["x-ms-encryption-scope"] == "finance"
    assert "sig=" in copy["x-ms-copy-source"]  # the source is read through a SAS
    assert copy["x-ms-access-tier"] == "Cool"
    assert copy["x-ms-tags"] == "a=1"
    assert await storage.get_bytes("dst.txt") == b"scoped"


async def test_copy_sends_tags_and_tier_again(storage: AzureStorage, container: ContainerClient) -> None:
    await storage.put("src.txt", b"x", attributes=ObjectAttributes(storage_class="Cold", tags={"k": "v"}))
    await storage.copy("src.txt", "dst.txt")
    blob = container.get_blob_client("dst.txt")
    assert await blob.get_blob_tags() == {"k": "v"}
    assert (await blob.get_blob_properties()).blob_tier == "Cold"


async def test_info_asks_for_tags_only_when_the_blob_has_some(
    counted: Counted, storage_on_counted: Callable[..., AzureStorage]
) -> None:
    _, transport = counted
    storage = storage_on_counted()
    await storage.put("plain.txt", b"x")
    await storage.put("tagged.txt", b"x", attributes=ObjectAttributes(tags={"k": "v"}))
    transport.reset()
    assert (await storage.info("plain.txt")).attributes.tags == {}
    assert transport.count() == 1
    transport.reset()
    assert (await storage.info("tagged.txt")).attributes.tags == {"k": "v"}
    assert transport.count() == 2


def test_answers_read_into_attributes() -> None:
    headers = {
        "Content-Length": "3",
        "Cache-Control": "no-cache",
        "x-ms-access-tier": "Hot",
        "x-ms-access-tier-inferred": "true",  # the account's default, not chosen for this blob
        "x-ms-encryption-scope": "$account-encryption-key",  # the account's keys, no scope chosen
    }
    attributes = file_from_headers("k", headers, 3).attributes
    assert attributes == ObjectAttributes(cache_control="no-cache")
    chosen = {**headers, "x-ms-access-tier-inferred": "false", "x-ms-encryption-scope": "finance"}
    attributes = file_from_headers("k", chosen, 3, {"t": "1"}).attributes
    assert attributes.storage_class == "Hot"
    assert attributes.encryption == Encryption.scope("finance")
    assert attributes.tags == {"t": "1"}


@pytest.mark.parametrize(
    ("attributes", "error", "words"),
    [
        (ObjectAttributes(encryption=Encryption.kms("key-1")), ConfigurationError, "'encryption'"),
        (ObjectAttributes(storage_class="STANDARD_IA"), StorageValidationError, "Archive, Cold, Cool, Hot"),
        (ObjectAttributes(acl="public-read"), ConfigurationError, "'acl'"),
    ],
)
async def test_refused_before_any_request(
    counted: Counted,
    storage_on_counted: Callable[..., AzureStorage],
    attributes: ObjectAttributes,
    error: type[Exception],
    words: str,
) -> None:
    _, transport = counted
    storage = storage_on_counted(block_size=MIB)
    for data in (b"small", [b"y" * MIB, b"z"]):
        transport.reset()
        with pytest.raises(error) as caught:
            await storage.put("refused.bin", data, attributes=attributes)
        assert words in str(caught.value)
        assert "AzureStorage" in str(caught.value)
        if isinstance(caught.value, StorageValidationError):  # refused by the driver, inside the engine's boundary
            assert caught.value.key == "refused.bin"
        assert transport.count() == 0
    with pytest.raises(error):
        await storage.start_multipart_upload("refused.bin", attributes=attributes)
    assert not await storage.exists("refused.bin")


async def test_an_archived_blob_is_stored_and_its_read_is_a_clear_error(storage: AzureStorage) -> None:
    await storage.put("cold.bin", b"archived", attributes=ObjectAttributes(storage_class="Archive"))
    assert (await storage.info("cold.bin")).attributes.storage_class == "Archive"
    with pytest.raises(StorageError) as caught:
        await storage.get_bytes("cold.bin")
    assert not isinstance(caught.value, StorageFileExistsError)  # a 409, but not "exists"
    assert "BlobArchived" in str(caught.value)


async def test_listings_report_the_attributes_but_the_tags(storage: AzureStorage) -> None:
    chosen = ObjectAttributes(cache_control="no-cache", storage_class="Cool", tags={"k": "v"})
    await storage.put("listed/chosen.txt", b"x", attributes=chosen)
    await storage.put("listed/plain.txt", b"x")
    listed = {item.key: item.attributes async for item in storage.list("listed/")}
    untagged = ObjectAttributes(cache_control="no-cache", storage_class="Cool")
    assert listed == {"listed/chosen.txt": untagged, "listed/plain.txt": ObjectAttributes()}
    assert type(listed["listed/chosen.txt"].storage_class) is str  # not the SDK's StandardBlobTier
    folder = {entry.key: entry async for entry in storage.list_dir("listed")}
    assert folder["listed/chosen.txt"].attributes == untagged  # type: ignore[union-attr]
    assert (await storage.info("listed/chosen.txt")).attributes == chosen
