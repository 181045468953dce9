"""Cancelled while S3 creates a multipart upload: the upload it created is aborted.

The proxy forwards CreateMultipartUpload to moto (which creates the upload) and holds the
answer back while the caller is cancelled: for a moment, or for good.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from typing import TYPE_CHECKING

import pytest
from s3_helpers import MIB, FaultProxy, Seen, make_config

from litestar_storages.backends.s3 import S3Storage
from litestar_storages.backends.s3.multipart import ANSWER_WAIT

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client

pytestmark = pytest.mark.timeout(120)

DATA = bytes(range(256)) * (6 * MIB // 256)
"""Above the 5 MiB threshold of the test configs: a multipart upload."""


def is_create(seen: Seen) -> bool:
    return seen.method == "POST" and "uploads" in seen.query


async def open_uploads(raw_client: S3Client, bucket: str) -> list[tuple[str, str]]:
    listing = await raw_client.list_multipart_uploads(Bucket=bucket)
    return [(upload["Key"], upload["UploadId"]) for upload in listing.get("Uploads", [])]


async def cancel_once_created(proxy: FaultProxy, operation: Awaitable[object]) -> float:
    """Run ``operation``, cancel it once moto has handled its CreateMultipartUpload; return how long the cancel took."""
    task = asyncio.ensure_future(operation)
    for _ in range(1000):
        if any(is_create(seen) for seen in proxy.seen) or task.done():
            break
        await asyncio.sleep(0.01)
    assert any(is_create(seen) for seen in proxy.seen), "no CreateMultipartUpload was made"
    await asyncio.sleep(0.3)  # moto has created the upload; only the answer is held
    started = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    return time.monotonic() - started


@pytest.mark.parametrize("answer", ["late", "never"])
async def test_put_cancelled_during_create_leaves_no_upload(
    proxy: FaultProxy, bucket: str, raw_client: S3Client, answer: str
) -> None:
    proxy.hold(1, seconds=1.0 if answer == "late" else float("inf"), when=is_create)
    async with S3Storage(make_config(proxy.endpoint_url, bucket)) as storage:
        took = await cancel_once_created(proxy, storage.put("big.bin", DATA))
        assert await open_uploads(raw_client, bucket) == []
        # A late answer names the upload; a missing one makes the storage look it up.
        listed = proxy.count("GET", query="uploads")
        assert listed == (0 if answer == "late" else 1)
        assert took < ANSWER_WAIT + 5
        # Nothing else was written, and the storage keeps working.
        assert not await storage.exists("big.bin")
        await storage.put("big.bin", DATA)
        assert await storage.get_bytes("big.bin") == DATA


async def test_manual_start_cancelled_during_create_leaves_no_upload(
    proxy: FaultProxy, bucket: str, raw_client: S3Client
) -> None:
    proxy.hold(1, when=is_create)
    async with S3Storage(make_config(proxy.endpoint_url, bucket)) as storage:
        await cancel_once_created(proxy, storage.start_multipart_upload("manual.bin"))
    assert await open_uploads(raw_client, bucket) == []


async def test_part_copy_cancelled_during_create_leaves_no_upload(
    proxy: FaultProxy, bucket: str, raw_client: S3Client
) -> None:
    async with S3Storage(make_config(proxy.endpoint_url, bucket, multipart_copy_threshold=5 * MIB)) as storage:
        await storage.put("source.bin", DATA)
        proxy.hold(1, when=is_create)
        await cancel_once_created(proxy, storage.copy("source.bin", "copy.bin"))
        assert await open_uploads(raw_client, bucket) == []
        assert not await storage.exists("copy.bin")


async def test_other_writers_uploads_are_not_aborted(proxy: FaultProxy, bucket: str, raw_client: S3Client) -> None:
    # Another writer is uploading the same key and has sent a part: its upload is not
    # the one without an answer, so the sweep leaves it and aborts ours.
    busy = await raw_client.create_multipart_upload(Bucket=bucket, Key="shared.bin")
    await raw_client.upload_part(Bucket=bucket, Key="shared.bin", UploadId=busy["UploadId"], PartNumber=1, Body=b"x")
    # A longer key sharing the prefix is not this key.
    longer = await raw_client.create_multipart_upload(Bucket=bucket, Key="shared.bin.bak")
    proxy.hold(1, when=is_create)
    async with S3Storage(make_config(proxy.endpoint_url, bucket)) as storage:
        await cancel_once_created(proxy, storage.put("shared.bin", DATA))
    assert sorted(await open_uploads(raw_client, bucket)) == [
        ("shared.bin", busy["UploadId"]),
        ("shared.bin.bak", longer["UploadId"]),
    ]


async def test_two_empty_uploads_of_the_key_are_both_left(proxy: FaultProxy, bucket: str, raw_client: S3Client) -> None:
    # Another writer has just created an upload of the same key: which empty upload is
    # ours cannot be told, so neither is aborted (the lifecycle rule removes ours).
    other = await raw_client.create_multipart_upload(Bucket=bucket, Key="shared.bin")
    proxy.hold(1, when=is_create)
    async with S3Storage(make_config(proxy.endpoint_url, bucket)) as storage:
        await cancel_once_created(proxy, storage.put("shared.bin", DATA))
    remaining = await open_uploads(raw_client, bucket)
    assert ("shared.bin", other["UploadId"]) in remaining
    assert len(remaining) == 2
