"""Uploads and downloads on moto: request counts, multipart concurrency, aborts, copies."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import pytest
from s3_helpers import MIB, FaultProxy, make_config

from litestar_storages.backends.s3 import S3Storage
from litestar_storages.exceptions import StorageConnectionError, StorageFileExistsError
from litestar_storages.retry import RetryConfig
from litestar_storages.testing.emulators.moto import MotoServer
from litestar_storages.types import ProgressInfo

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client

pytestmark = pytest.mark.timeout(120)


class Boom(Exception):
    pass


def pattern(size: int) -> bytes:
    block = bytes(range(256)) * 4096
    return (block * (size // len(block) + 1))[:size]


async def chunked(data: bytes, size: int = 256 * 1024, *, pause: float = 0.0) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        if pause:
            await asyncio.sleep(pause)
        yield data[start : start + size]


async def failing_after(data: bytes, error: Exception) -> AsyncIterator[bytes]:
    async for chunk in chunked(data):
        yield chunk
    raise error


def part_uploads(proxy: FaultProxy) -> int:
    return proxy.count("PUT", query="partNumber")


async def open_uploads(raw_client: S3Client, bucket: str) -> list[str]:
    listing = await raw_client.list_multipart_uploads(Bucket=bucket)
    return [upload["Key"] for upload in listing.get("Uploads", [])]


async def test_small_put_is_one_put_object_and_get_one_get_object(proxy: FaultProxy, bucket: str) -> None:
    async with S3Storage(make_config(proxy.endpoint_url, bucket)) as storage:
        await storage.put("small.txt", b"hello", metadata={"a": "b"})
        assert [(seen.method, seen.path) for seen in proxy.seen] == [("PUT", f"/{bucket}/small.txt")]
        proxy.seen.clear()
        assert await storage.get_bytes("small.txt") == b"hello"
        assert [(seen.method, "range" in seen.headers) for seen in proxy.seen] == [("GET", False)]
        proxy.seen.clear()
        assert await storage.get_bytes("small.txt", start=1, end=3) == b"el"
        assert [seen.headers.get("range") for seen in proxy.seen] == ["bytes=1-2"]


async def test_streamed_multipart_uses_several_parts_concurrently(proxy: FaultProxy, bucket: str) -> None:
    data = pattern(4 * 5 * MIB + 4321)
    proxy.delay = 0.1  # make uploads overlap visibly
    reports: list[ProgressInfo] = []
    config = make_config(proxy.endpoint_url, bucket, max_concurrency=3)
    async with S3Storage(config) as storage:
        stored = await storage.put("big.bin", chunked(data), content_type="video/mp4", progress=reports.append)
        assert stored.size == len(data)
        assert stored.etag is not None
        assert stored.etag.strip('"').endswith("-5")  # S3's multipart ETag: md5-of-md5s "-" part count
        assert part_uploads(proxy) == 5
        assert proxy.count("POST", query="uploads") == 1
        assert proxy.count("POST", query="uploadId") == 1
        assert proxy.max_in_flight == 3
        assert [r.bytes_transferred for r in reports] == sorted(r.bytes_transferred for r in reports)
        assert reports[-1].bytes_transferred == len(data)
        assert await storage.get_bytes("big.bin") == data
        info = await storage.info("big.bin")
        assert info.content_type == "video/mp4"
        assert info.size == len(data)


async def test_known_size_bytes_above_threshold_go_multipart(proxy: FaultProxy, bucket: str) -> None:
    data = pattern(11 * MIB)
    async with S3Storage(make_config(proxy.endpoint_url, bucket)) as storage:
        stored = await storage.put("bytes.bin", data, metadata={"kind": "bytes"})
        assert part_uploads(proxy) == 3
        assert stored.size == len(data)
        assert await storage.get_bytes("bytes.bin") == data
        assert (await storage.info("bytes.bin")).metadata == {"kind": "bytes"}


async def test_exactly_threshold_is_one_put_object(proxy: FaultProxy, bucket: str) -> None:
    data = pattern(5 * MIB)
    async with S3Storage(make_config(proxy.endpoint_url, bucket)) as storage:
        await storage.put("edge.bin", chunked(data))
        assert [seen.method for seen in proxy.seen] == ["PUT"]
        assert part_uploads(proxy) == 0
        assert await storage.get_bytes("edge.bin") == data


async def test_put_large_takes_its_own_part_size(proxy: FaultProxy, bucket: str) -> None:
    data = pattern(13 * MIB)
    async with S3Storage(make_config(proxy.endpoint_url, bucket)) as storage:
        stored = await storage.put_large("large.bin", chunked(data), part_size=6 * MIB)
        assert stored.size == len(data)
        assert part_uploads(proxy) == 3
        sizes = sorted(int(seen.headers["content-length"]) for seen in proxy.seen if "partNumber" in seen.query)
        assert sizes == [1 * MIB, 6 * MIB, 6 * MIB]


async def test_failing_stream_aborts_the_upload(proxy: FaultProxy, bucket: str, raw_client: S3Client) -> None:
    error = Boom("input failed")
    async with S3Storage(make_config(proxy.endpoint_url, bucket)) as storage:
        with pytest.raises(Boom) as caught:
            await storage.put("broken.bin", failing_after(pattern(12 * MIB), error))
        assert caught.value is error
        assert proxy.count("DELETE", query="uploadId") == 1
        assert not await storage.exists("broken.bin")
    assert await open_uploads(raw_client, bucket) == []


async def test_failing_part_is_retried_then_aborts(proxy: FaultProxy, bucket: str, raw_client: S3Client) -> None:
    proxy.fail(100, status=500, code="InternalError", when=lambda seen: seen.query.get("partNumber") == "2")
    config = make_config(proxy.endpoint_url, bucket, retry=RetryConfig(max_attempts=2, base_delay=0.01))
    async with S3Storage(config) as storage:
        with pytest.raises(StorageConnectionError) as caught:
            await storage.put("part-fails.bin", pattern(16 * MIB))
        assert "InternalError" in str(caught.value)
        # Our two attempts reach the server, and no more: botocore's own retries are off.
        assert sum(1 for seen in proxy.seen if seen.query.get("partNumber") == "2") == 2
        # The abort is sent (and retried if moto answers it with a 500, as its threaded
        # server sometimes does while other parts are in flight).
        assert proxy.count("DELETE", query="uploadId") >= 1
    assert await open_uploads(raw_client, bucket) == []
    assert "Contents" not in await raw_client.list_objects_v2(Bucket=bucket)


async def test_cancelled_upload_is_aborted(proxy: FaultProxy, bucket: str, raw_client: S3Client) -> None:
    async with S3Storage(make_config(proxy.endpoint_url, bucket)) as storage:
        task = asyncio.create_task(storage.put("cancelled.bin", chunked(pattern(40 * MIB), MIB, pause=0.02)))
        while part_uploads(proxy) < 2:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # At least one abort: moto sometimes answers an abort that races a part upload
        # with a 500 ("dictionary changed size during iteration"), which is retried.
        assert proxy.count("DELETE", query="uploadId") >= 1
    assert await open_uploads(raw_client, bucket) == []
    assert "Contents" not in await raw_client.list_objects_v2(Bucket=bucket)


async def test_overwrite_false_multipart_refuses_before_uploading(proxy: FaultProxy, bucket: str) -> None:
    async with S3Storage(make_config(proxy.endpoint_url, bucket)) as storage:
        await storage.put("taken.bin", b"original")
        proxy.seen.clear()
        with pytest.raises(StorageFileExistsError):
            await storage.put("taken.bin", chunked(pattern(11 * MIB)), overwrite=False)
        assert part_uploads(proxy) == 0
        assert await storage.get_bytes("taken.bin") == b"original"


async def test_overwrite_false_multipart_loses_to_a_writer_that_finished_first(
    storage: S3Storage, bucket: str, raw_client: S3Client
) -> None:
    # B passes the early existence check, then A completes, then B completes: the
    # conditional CompleteMultipartUpload (If-None-Match: *) must refuse B. (moto does
    # not serialise truly simultaneous completions, so the order is forced here.)
    a_done = asyncio.Event()

    async def late_stream() -> AsyncIterator[bytes]:
        yield pattern(11 * MIB)  # enough to choose multipart and open the upload
        await a_done.wait()
        yield b"from B"

    b_task = asyncio.create_task(storage.put("race.bin", late_stream(), overwrite=False))
    while not await open_uploads(raw_client, bucket):
        await asyncio.sleep(0.01)
    await storage.put("race.bin", pattern(6 * MIB) + b"from A", overwrite=False)
    a_done.set()
    with pytest.raises(StorageFileExistsError):
        await b_task
    assert (await storage.get_bytes("race.bin")).endswith(b"from A")
    assert await open_uploads(raw_client, bucket) == []


async def test_overwrite_false_without_conditional_writes_checks_first(proxy: FaultProxy, bucket: str) -> None:
    config = make_config(proxy.endpoint_url, bucket, conditional_writes=False)
    async with S3Storage(config) as storage:
        await storage.put("checked.txt", b"one", overwrite=False)
        assert "if-none-match" not in proxy.seen[-1].headers
        assert [seen.method for seen in proxy.seen] == ["HEAD", "PUT"]
        with pytest.raises(StorageFileExistsError):
            await storage.put("checked.txt", b"two", overwrite=False)
        assert await storage.get_bytes("checked.txt") == b"one"


async def test_conditional_put_sends_if_none_match(proxy: FaultProxy, bucket: str) -> None:
    async with S3Storage(make_config(proxy.endpoint_url, bucket)) as storage:
        await storage.put("conditional.txt", b"one", overwrite=False)
        assert [seen.method for seen in proxy.seen] == ["PUT"]
        assert proxy.seen[0].headers["if-none-match"] == "*"


async def test_copy_above_threshold_uses_upload_part_copy(proxy: FaultProxy, bucket: str) -> None:
    data = pattern(11 * MIB)
    config = make_config(proxy.endpoint_url, bucket, multipart_copy_threshold=5 * MIB, max_concurrency=2)
    async with S3Storage(config) as storage:
        await storage.put("source.bin", data, content_type="image/png", metadata={"owner": "ada", "note": "çà"})
        proxy.seen.clear()
        copied = await storage.copy("source.bin", "copy.bin")
        copies = [seen for seen in proxy.seen if "partNumber" in seen.query]
        assert len(copies) == 3
        assert all("x-amz-copy-source" in seen.headers for seen in copies)
        assert sorted(seen.headers["x-amz-copy-source-range"] for seen in copies) == [
            f"bytes=0-{5 * MIB - 1}",
            f"bytes={10 * MIB}-{11 * MIB - 1}",
            f"bytes={5 * MIB}-{10 * MIB - 1}",
        ]
        assert copied.size == len(data)
        assert await storage.get_bytes("copy.bin") == data
        info = await storage.info("copy.bin")
        assert info.content_type == "image/png"
        assert info.metadata == {"owner": "ada", "note": "çà"}


async def test_small_copy_is_one_copy_object(proxy: FaultProxy, bucket: str) -> None:
    async with S3Storage(make_config(proxy.endpoint_url, bucket)) as storage:
        await storage.put("a.txt", b"content")
        proxy.seen.clear()
        await storage.copy("a.txt", "b.txt")
        assert [seen.method for seen in proxy.seen] == ["HEAD", "PUT"]
        assert "x-amz-copy-source" in proxy.seen[1].headers


async def test_delete_missing_ok_is_one_request(proxy: FaultProxy, bucket: str) -> None:
    async with S3Storage(make_config(proxy.endpoint_url, bucket)) as storage:
        await storage.delete("nothing.txt", missing_ok=True)
        assert [seen.method for seen in proxy.seen] == ["DELETE"]


async def test_manual_multipart_abort_leaves_no_upload(storage: S3Storage, bucket: str, raw_client: S3Client) -> None:
    upload = await storage.start_multipart_upload("manual.bin", part_size=5 * MIB)
    assert await open_uploads(raw_client, bucket) == ["manual.bin"]
    await storage.upload_part(upload, 1, pattern(5 * MIB))
    await storage.abort_multipart_upload(upload)
    await storage.abort_multipart_upload(upload)  # twice is fine
    assert await open_uploads(raw_client, bucket) == []


async def test_client_passed_in_is_used_and_left_open(
    moto_server: MotoServer, bucket: str, raw_client: S3Client
) -> None:
    storage = S3Storage(make_config(moto_server, bucket), client=raw_client)
    async with storage:
        await storage.put("shared.txt", b"shared")
    # The storage closed, the caller's client did not.
    answer = await raw_client.get_object(Bucket=bucket, Key="shared.txt")
    async with answer["Body"] as body:
        assert await body.read() == b"shared"
    assert await storage.get_bytes("shared.txt") == b"shared"


async def test_manual_upload_completed_by_another_storage(
    moto_server: MotoServer, bucket: str, raw_client: S3Client
) -> None:
    # Parts sent by one process (storage), the upload completed by another: the
    # completing one has not seen the parts, and still reports the object's real size.
    data = pattern(5 * MIB + 3)
    async with S3Storage(make_config(moto_server, bucket)) as first:
        upload = await first.start_multipart_upload("shared.bin", content_type="text/csv", metadata={"by": "first"})
        await first.upload_part(upload, 1, data[: 5 * MIB])
        await first.upload_part(upload, 2, data[5 * MIB :])
    async with S3Storage(make_config(moto_server, bucket)) as second:
        stored = await second.complete_multipart_upload(upload)
        assert stored.size == len(data)
        assert stored.key == "shared.bin"
        assert stored.content_type == "text/csv"
        assert await second.get_bytes("shared.bin") == data
    assert await open_uploads(raw_client, bucket) == []


async def test_completed_size_counts_only_the_parts_committed(storage: S3Storage) -> None:
    # A part uploaded and then left out of the completion is not part of the object.
    upload = await storage.start_multipart_upload("partial.bin", part_size=5 * MIB)
    await storage.upload_part(upload, 1, pattern(5 * MIB))
    await storage.upload_part(upload, 2, b"left out")
    upload.parts = [part for part in upload.parts if part[0] == 1]
    stored = await storage.complete_multipart_upload(upload)
    assert stored.size == (await storage.info("partial.bin")).size == 5 * MIB
