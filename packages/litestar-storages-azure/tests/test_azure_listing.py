"""Listing, prefixes and server-side copy against Azurite."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from azure.storage.blob.aio import ContainerClient

from litestar_storages.backends.azure import AzureConfig, AzureStorage
from litestar_storages.backends.azure.driver import wait_for_copy
from litestar_storages.exceptions import StorageError
from litestar_storages.types import StoredFile

Counted = tuple[ContainerClient, Any]
"""The ``counted`` fixture: a client and its CountingTransport (see conftest)."""


async def test_pagination_and_early_stop(counted: Counted, storage_on_counted: Callable[..., AzureStorage]) -> None:
    _, transport = counted
    storage = storage_on_counted(list_page_size=2)
    keys = [f"items/{index:02d}.json" for index in range(7)]
    for key in reversed(keys):
        await storage.put(key, b"{}", metadata={"n": key[-7:-5]})
    transport.reset()
    listed = [item async for item in storage.list("items/")]
    assert [item.key for item in listed] == keys
    assert transport.count("list") == 4  # ceil(7 / 2) pages
    # Content type and metadata come with the listing: no request per object.
    assert transport.count() == 4
    assert all(item.content_type == "application/json" for item in listed)
    assert [item.metadata for item in listed] == [{"n": key[-7:-5]} for key in keys]
    assert all(item.etag and item.last_modified for item in listed)
    transport.reset()
    assert [item.key async for item in storage.list(limit=3)] == keys[:3]
    assert transport.count("list") == 2  # pages of 2, then of the 1 still wanted
    transport.reset()
    assert [item.key async for item in storage.list(limit=0)] == []
    assert transport.count() == 0


async def test_prefix_isolation(container: ContainerClient, config: AzureConfig) -> None:
    await container.upload_blob("elsewhere/secret.txt", b"not visible")
    await container.upload_blob("tenant-a-lookalike.txt", b"not visible")
    tenant_a = AzureStorage(
        AzureConfig(container=config.container, connection_string=config.connection_string, prefix="tenant-a")
    )
    tenant_b = AzureStorage(
        AzureConfig(container=config.container, connection_string=config.connection_string, prefix="/tenant-b/")
    )
    async with tenant_a, tenant_b:
        await tenant_a.put("doc.txt", b"A")
        await tenant_b.put("doc.txt", b"B")
        assert await tenant_a.get_bytes("doc.txt") == b"A"
        assert await tenant_b.get_bytes("doc.txt") == b"B"
        assert [item.key async for item in tenant_a.list()] == ["doc.txt"]
        assert (await tenant_a.info("doc.txt")).key == "doc.txt"
        await tenant_a.copy("doc.txt", "copy.txt")
        await tenant_b.delete_many(["doc.txt", "copy.txt"])
        assert [item.key async for item in tenant_b.list()] == []
        assert [item.key async for item in tenant_a.list()] == ["copy.txt", "doc.txt"]
        url = await tenant_a.url("doc.txt")
    assert "/tenant-a/doc.txt?" in url
    names = sorted([blob.name async for blob in container.list_blobs()])
    assert names == ["elsewhere/secret.txt", "tenant-a-lookalike.txt", "tenant-a/copy.txt", "tenant-a/doc.txt"]


async def test_copy_is_server_side(counted: Counted, storage_on_counted: Callable[..., AzureStorage]) -> None:
    _, transport = counted
    storage = storage_on_counted()
    data = b"0123456789" * 10_000
    await storage.put("src.csv", data, content_type="text/csv", metadata={"Owner": "ada", "x-id": "7"})
    transport.reset()
    copied = await storage.copy("src.csv", "dst.csv")
    # One Copy Blob plus one HEAD: the content never travels through the client.
    assert transport.count() == 2
    assert transport.count(method="GET") == 0
    assert copied.size == len(data)
    assert copied.content_type == "text/csv"
    assert copied.metadata == {"owner": "ada", "x-id": "7"}
    moved = await storage.move("dst.csv", "moved.csv")
    assert moved.metadata == {"owner": "ada", "x-id": "7"}
    assert not await storage.exists("dst.csv")
    assert await storage.get_bytes("moved.csv") == data


def _copy_state(status: str, description: str | None = None) -> Any:
    return SimpleNamespace(copy=SimpleNamespace(status=status, status_description=description))


async def test_wait_for_copy_polls_until_done() -> None:
    states = [_copy_state("pending"), _copy_state("pending"), _copy_state("success")]
    calls: list[Any] = []

    async def poll() -> Any:
        calls.append(states[len(calls)])
        return calls[-1]

    assert await wait_for_copy(poll, key="k", first_delay=0.001) is states[2]
    assert calls == states


@pytest.mark.parametrize("status", ["failed", "aborted"])
async def test_failed_copy_is_storage_error(status: str) -> None:
    async def poll() -> Any:
        return _copy_state(status, "500 InternalError source unreadable")

    with pytest.raises(StorageError) as caught:
        await wait_for_copy(poll, key="dst.bin", first_delay=0.001)
    assert caught.value.key == "dst.bin"
    assert "source unreadable" in str(caught.value)
    assert status in str(caught.value)


async def test_list_order_is_utf16_code_units_across_pages(storage_on_counted: Callable[..., AzureStorage]) -> None:
    # The documented order (docs/backends/azure.md, "List order"): a character above
    # U+FFFF (a surrogate pair) comes before U+E000-U+FFFF, unlike code point order.
    storage = storage_on_counted(list_page_size=2)
    keys = ["k/\ufffd", "k/\U0001f600/a", "k/\U0001f600/b", "k/\ue000", "k/z", "k/\u00e9", "k/\U00049a77"]
    for key in keys:
        await storage.put(key, b"x")
    listed = [item.key async for item in storage.list("k/")]
    assert listed == ["k/z", "k/\u00e9", "k/\U0001f600/a", "k/\U0001f600/b", "k/\U00049a77", "k/\ue000", "k/\ufffd"]
    assert listed == sorted(keys, key=lambda key: key.encode("utf-16-be", "surrogatepass"))
    assert listed != sorted(keys)
    assert [item.key async for item in storage.list("k/", limit=3)] == listed[:3]


async def test_list_dir_is_one_delimiter_listing_per_page(
    counted: Counted, storage_on_counted: Callable[..., AzureStorage]
) -> None:
    _, transport = counted
    storage = storage_on_counted(list_page_size=2)
    keys = ["d/a.txt", "d/b/1.txt", "d/b/2.txt", "d/b/deep/3.txt", "d/c.txt", "d/e/4.txt", "other.txt"]
    for key in keys:
        await storage.put(key, b"x", metadata={"n": "1"})
    transport.reset()
    entries = [entry async for entry in storage.list_dir("d")]
    assert [entry.key for entry in entries] == ["d/a.txt", "d/b/", "d/c.txt", "d/e/"]
    assert transport.count("list") == 2  # four entries in pages of two: no walk of the subtree
    assert transport.count() == 2
    files = [entry for entry in entries if isinstance(entry, StoredFile)]
    assert all(entry.metadata == {"n": "1"} and entry.etag for entry in files)


async def test_list_dir_order_is_the_listings(storage_on_counted: Callable[..., AzureStorage]) -> None:
    # The documented order of list() (UTF-16 code units) holds for folders too, across pages.
    storage = storage_on_counted(list_page_size=2)
    keys = ["k/\ufffd", "k/\U0001f600/a", "k/\U0001f600/b", "k/\ue000", "k/z", "k/\u00e9", "k/\U00049a77/c"]
    for key in keys:
        await storage.put(key, b"x")
    listed = [entry.key async for entry in storage.list_dir("k")]
    assert listed == ["k/z", "k/\u00e9", "k/\U0001f600/", "k/\U00049a77/", "k/\ue000", "k/\ufffd"]
