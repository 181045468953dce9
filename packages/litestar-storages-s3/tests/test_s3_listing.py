"""Prefix isolation, pagination past 1,000 keys and batched deletes, on moto."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import pytest
from s3_helpers import FaultProxy, make_config

from litestar_storages.backends.s3 import S3Storage
from litestar_storages.exceptions import StorageFileNotFoundError
from litestar_storages.testing.emulators.moto import MotoServer

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client

pytestmark = pytest.mark.timeout(300)


async def put_many(raw_client: S3Client, bucket: str, names: list[str]) -> None:
    # Seeded through the raw client, concurrently, so the test measures listing only.
    limit = asyncio.Semaphore(32)

    async def put(name: str) -> None:
        async with limit:
            await raw_client.put_object(Bucket=bucket, Key=name, Body=b"x")

    await asyncio.gather(*(put(name) for name in names))


async def test_prefix_isolates_storages_in_one_bucket(
    moto_server: MotoServer, bucket: str, raw_client: S3Client
) -> None:
    async with (
        S3Storage(make_config(moto_server, bucket, prefix="tenant-a")) as a,
        S3Storage(make_config(moto_server, bucket, prefix="/tenant-b/")) as b,
        S3Storage(make_config(moto_server, bucket, prefix="tenant-a/sub")) as nested,
    ):
        await a.put("doc.txt", b"from a", metadata={"owner": "a"})
        await b.put("doc.txt", b"from b")
        await nested.put("deep.txt", b"nested")
        await raw_client.put_object(Bucket=bucket, Key="tenant-ab/outside.txt", Body=b"x")

        assert [item.key async for item in a.list()] == ["doc.txt", "sub/deep.txt"]
        assert [item.key async for item in b.list()] == ["doc.txt"]
        assert [item.key async for item in nested.list()] == ["deep.txt"]
        assert await a.get_bytes("doc.txt") == b"from a"
        assert await b.get_bytes("doc.txt") == b"from b"
        assert (await a.info("doc.txt")).key == "doc.txt"

        await a.copy("doc.txt", "copy.txt")
        await a.move("copy.txt", "moved.txt")
        await b.delete("doc.txt")
        assert await a.exists("doc.txt")
        with pytest.raises(StorageFileNotFoundError):
            await b.info("doc.txt")
        await a.delete_many(["doc.txt", "moved.txt"])

        names = sorted(item["Key"] for item in (await raw_client.list_objects_v2(Bucket=bucket))["Contents"])
        assert names == ["tenant-a/sub/deep.txt", "tenant-ab/outside.txt"]


async def test_listing_pages_past_one_thousand_keys(proxy: FaultProxy, bucket: str, raw_client: S3Client) -> None:
    names = [f"many/{index:05d}.txt" for index in range(1234)]
    await put_many(raw_client, bucket, [*names, "other/x.txt"])
    async with S3Storage(make_config(proxy.endpoint_url, bucket)) as storage:
        listed = [item async for item in storage.list("many/")]
        assert [item.key for item in listed] == names
        assert all(item.size == 1 and item.etag and item.last_modified for item in listed)
        assert all(item.content_type is None for item in listed)  # S3 listings carry no type
        assert proxy.count("GET", query="list-type") == 2
        assert [seen.query.get("max-keys") for seen in proxy.seen] == ["1000", "1000"]

        proxy.seen.clear()
        first = [item.key async for item in storage.list("many/", limit=1001)]
        assert first == names[:1001]
        assert [seen.query.get("max-keys") for seen in proxy.seen] == ["1000", "1"]

        proxy.seen.clear()
        assert [item.key async for item in storage.list(limit=3)] == names[:3]
        assert [seen.query.get("max-keys") for seen in proxy.seen] == ["3"]

        proxy.seen.clear()
        async for _item in storage.list():
            break  # stopping early fetches no further page
        assert proxy.count("GET", query="list-type") == 1


async def test_delete_many_batches_by_one_thousand(proxy: FaultProxy, bucket: str, raw_client: S3Client) -> None:
    names = [f"bulk/{index:05d}" for index in range(2100)]
    await put_many(raw_client, bucket, [*names, "keep.txt"])
    async with S3Storage(make_config(proxy.endpoint_url, bucket)) as storage:
        await storage.delete_many([*names, "bulk/never-existed", names[0]])
        assert proxy.count("POST", query="delete") == 3
        assert [item.key async for item in storage.list()] == ["keep.txt"]
        proxy.seen.clear()
        await storage.delete_many([])
        assert proxy.seen == []


async def test_folder_markers_are_skipped(storage: S3Storage, bucket: str, raw_client: S3Client) -> None:
    await raw_client.put_object(Bucket=bucket, Key="folder/", Body=b"")
    await storage.put("folder/file.txt", b"x")
    assert [item.key async for item in storage.list()] == ["folder/file.txt"]
