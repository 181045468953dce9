"""Uploads: one request for small payloads, resumable sessions in chunks for streams."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from gcs_helpers import (
    PRECONDITION_FAILED,
    RequestLog,
    empty_answer,
    json_answer,
    object_resource,
    replay_server,
    sdk_client,
)

from litestar_storages.backends.gcs import GCSConfig, GCSStorage
from litestar_storages.exceptions import StorageConnectionError, StorageFileExistsError
from litestar_storages.retry import RetryConfig
from litestar_storages.testing.emulators.fake_gcs import FakeGCSServer

KIB = 1024
CHUNK = 256 * KIB
NO_WAIT = RetryConfig(max_attempts=3, base_delay=0, jitter=False)


class Boom(Exception):
    pass


async def chunks(data: bytes, size: int = 100_000) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]
        await asyncio.sleep(0)


def pattern(size: int) -> bytes:
    return (bytes(range(256)) * (size // 256 + 1))[:size]


async def test_small_put_is_one_multipart_request(gcs_config: GCSConfig) -> None:
    log = RequestLog()
    async with log.session() as session:
        client = sdk_client(gcs_config.api_root or "", session)
        storage = GCSStorage(gcs_config, client=client)
        stored = await storage.put("one/request.txt", b"hello", metadata={"owner": "ada"}, overwrite=False)
        assert stored.size == 5
        assert len(log.requests) == 1
        request = log.requests[0]
        assert request.method == "POST"
        assert request.url.query["uploadType"] == "multipart"
        assert request.url.query["ifGenerationMatch"] == "0"
        info = await storage.info("one/request.txt")
        assert info.metadata == {"owner": "ada"}
        assert info.content_type == "text/plain"


async def test_stream_goes_through_resumable_chunks(gcs_config: GCSConfig) -> None:
    data = pattern(5 * CHUNK + 12345)
    log = RequestLog()
    async with log.session() as session:
        storage = GCSStorage(gcs_config, client=sdk_client(gcs_config.api_root or "", session))
        stored = await storage.put("big/video.mp4", chunks(data), metadata={"k": "v"})
        assert stored.size == len(data)
        assert stored.content_type == "video/mp4"

        initiate, *puts = log.requests
        assert initiate.method == "POST"
        assert initiate.url.query["uploadType"] == "resumable"
        assert [r.method for r in puts] == ["PUT"] * 6
        ranges = [r.headers["Content-Range"] for r in puts]
        expected = [f"bytes {i * CHUNK}-{(i + 1) * CHUNK - 1}/*" for i in range(5)]
        expected.append(f"bytes {5 * CHUNK}-{len(data) - 1}/{len(data)}")
        assert ranges == expected
        # fake-gcs-server takes the content type from each chunk: every chunk carries it.
        assert {r.headers["Content-Type"] for r in puts} == {"video/mp4"}

        assert await storage.get_bytes("big/video.mp4") == data
        info = await storage.info("big/video.mp4")
        assert info.content_type == "video/mp4"
        assert info.metadata == {"k": "v"}


async def test_stream_of_exact_chunks_ends_with_a_full_final_chunk(gcs_storage: GCSStorage) -> None:
    data = pattern(2 * CHUNK)
    stored = await gcs_storage.put("exact.bin", chunks(data, CHUNK))
    assert stored.size == len(data)
    assert await gcs_storage.get_bytes("exact.bin") == data


async def test_bytes_larger_than_chunk_size_are_chunked(gcs_storage: GCSStorage) -> None:
    data = pattern(3 * CHUNK + 1)
    stored = await gcs_storage.put("bytes.bin", data)
    assert stored.size == len(data)
    assert await gcs_storage.get_bytes("bytes.bin") == data


async def test_interrupted_stream_cancels_session(gcs_config: GCSConfig) -> None:
    async def failing() -> AsyncIterator[bytes]:
        for _ in range(3):
            yield pattern(CHUNK)
        raise Boom("the client went away")

    log = RequestLog()
    async with log.session() as session:
        storage = GCSStorage(gcs_config, client=sdk_client(gcs_config.api_root or "", session))
        with pytest.raises(Boom):
            await storage.put("interrupted.bin", failing())
        assert not await storage.exists("interrupted.bin")
        assert [item async for item in storage.list()] == []

        methods = [r.method for r in log.requests]
        assert methods[:3] == ["POST", "PUT", "PUT"]  # two chunks sent, the third never completed
        cancel = next(r for r in log.requests if r.method == "DELETE")
        session_uri = str(log.requests[1].url)
        assert str(cancel.url) == session_uri
        # Acknowledged as GCS does (499). fake-gcs-server would still take bytes on the
        # cancelled session afterwards (GCS would not): that part is not testable here.
        assert cancel.status == 499
        assert not await storage.exists("interrupted.bin")


async def test_interrupted_stream_keeps_previous_version(gcs_storage: GCSStorage) -> None:
    await gcs_storage.put("kept.bin", b"version 1")

    async def failing() -> AsyncIterator[bytes]:
        yield pattern(CHUNK)
        yield pattern(CHUNK)
        raise Boom

    with pytest.raises(Boom):
        await gcs_storage.put("kept.bin", failing())
    assert await gcs_storage.get_bytes("kept.bin") == b"version 1"


async def test_overwrite_false_on_resumable_upload_against_recorded_412() -> None:
    # fake-gcs-server ignores ifGenerationMatch on resumable uploads; GCS checks it and
    # answers the final chunk with 412 conditionNotMet. Replayed here.
    async with replay_server() as server:
        session_uri = f"{server.url}/upload/storage/v1/b/bucket/o?uploadType=resumable&upload_id=ABC"
        server.script = [
            empty_answer(200, {"Location": session_uri}),
            empty_answer(308, {"Range": f"bytes=0-{CHUNK - 1}"}),
            json_answer(412, PRECONDITION_FAILED),
            empty_answer(499),  # the cancellation
        ]
        config = GCSConfig(bucket="bucket", api_root=server.url, chunk_size=CHUNK, retry=NO_WAIT)
        async with GCSStorage(config) as storage:
            with pytest.raises(StorageFileExistsError) as caught:
                await storage.put("exists.bin", chunks(pattern(CHUNK + 10)), overwrite=False)
        assert caught.value.key == "exists.bin"
        assert isinstance(caught.value.__cause__, aiohttp.ClientResponseError)
        initiate = server.requests[0]
        assert initiate.query["ifGenerationMatch"] == "0"
        assert initiate.query["uploadType"] == "resumable"


async def test_small_put_retried_after_transient_error() -> None:
    async with replay_server() as server:
        server.script = [
            json_answer(503, {"error": {"code": 503, "message": "Backend Error"}}),
            json_answer(200, object_resource("bucket", "small.txt", 2, contentType="text/plain")),
        ]
        config = GCSConfig(bucket="bucket", api_root=server.url, retry=NO_WAIT)
        async with GCSStorage(config) as storage:
            stored = await storage.put("small.txt", b"hi")
        assert stored.size == 2
        assert len(server.requests) == 2


async def test_manual_multipart_parts_of_any_size(gcs_storage: GCSStorage) -> None:
    parts = [pattern(100 * KIB), pattern(300 * KIB), pattern(CHUNK), pattern(7)]
    upload = await gcs_storage.start_multipart_upload("manual.bin", metadata={"a": "b"})
    for number, part in enumerate(parts, start=1):
        await gcs_storage.upload_part(upload, number, part)
    stored = await gcs_storage.complete_multipart_upload(upload)
    assert stored.size == sum(map(len, parts))
    assert await gcs_storage.get_bytes("manual.bin") == b"".join(parts)
    assert (await gcs_storage.info("manual.bin")).metadata == {"a": "b"}


async def test_manual_multipart_aligned_parts_end_with_an_empty_final_request(gcs_config: GCSConfig) -> None:
    log = RequestLog()
    async with log.session() as session:
        storage = GCSStorage(gcs_config, client=sdk_client(gcs_config.api_root or "", session))
        upload = await storage.start_multipart_upload("aligned.bin")
        await storage.upload_part(upload, 1, pattern(CHUNK))
        await storage.upload_part(upload, 2, pattern(2 * CHUNK))
        stored = await storage.complete_multipart_upload(upload)
        assert stored.size == 3 * CHUNK
        assert [r.headers.get("Content-Range") for r in log.requests if r.method == "PUT"] == [
            f"bytes 0-{CHUNK - 1}/*",
            f"bytes {CHUNK}-{3 * CHUNK - 1}/*",
            f"bytes */{3 * CHUNK}",
        ]
        assert await storage.get_bytes("aligned.bin") == pattern(CHUNK) + pattern(2 * CHUNK)


async def test_manual_multipart_parts_must_come_in_order(gcs_storage: GCSStorage) -> None:
    from litestar_storages.exceptions import StorageValidationError

    upload = await gcs_storage.start_multipart_upload("order.bin")
    with pytest.raises(StorageValidationError):
        await gcs_storage.upload_part(upload, 2, b"x")
    await gcs_storage.abort_multipart_upload(upload)


async def test_put_large_with_part_size(gcs_storage: GCSStorage, tmp_path: Path) -> None:
    data = pattern(3 * CHUNK + 5)
    path = tmp_path / "large.bin"
    path.write_bytes(data)
    with path.open("rb") as file:
        stored = await gcs_storage.put_large("from-file.bin", file)
    assert stored.size == len(data)
    assert await gcs_storage.get_bytes("from-file.bin") == data


async def test_server_stopped_is_a_connection_error(tmp_path: Path) -> None:
    with FakeGCSServer() as server:
        url = server.api_root
    config = GCSConfig(bucket="gone", api_root=url, retry=RetryConfig(max_attempts=2, base_delay=0))
    async with GCSStorage(config) as storage:
        with pytest.raises(StorageConnectionError):
            await storage.put("x.txt", b"x")
        with pytest.raises(StorageConnectionError):
            [chunk async for chunk in storage.get("x.txt")]


async def test_streamed_upload_memory_is_flat(gcs_storage: GCSStorage) -> None:
    import tracemalloc

    block = pattern(64 * KIB)
    total = 24 * 1024 * 1024

    async def stream() -> AsyncIterator[bytes]:
        for _ in range(total // len(block)):
            yield block  # the same object each time: the source allocates nothing

    await gcs_storage.put("warm-up.bin", b"x")  # session and pools created outside the measure
    tracemalloc.start()
    try:
        stored = await gcs_storage.put("flat.bin", stream())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert stored.size == total
    # Two 256 KiB chunks and their copies in flight, far from the 24 MiB uploaded.
    print(f"peak traced memory: {peak / 1024:.0f} KiB for {total // 1024 // 1024} MiB uploaded")
    assert peak < 4 * 1024 * 1024, peak


async def test_streamed_upload_holds_one_chunk(gcs_config: GCSConfig) -> None:
    # With a chunk far larger than everything else an upload allocates, the peak shows
    # how many chunks are held: one (read in place, known to be the last by looking one
    # input piece ahead, and sent in slices of itself so no transport buffer copies it).
    # Reading the next chunk ahead, or a bytes body aiohttp writes at once, each add one.
    import tracemalloc

    chunk_size = 4 * 1024 * 1024
    block = pattern(64 * KIB)
    total = 10 * chunk_size + 5 * len(block)

    async def stream() -> AsyncIterator[bytes]:
        for _ in range(total // len(block)):
            yield block

    config = GCSConfig(
        bucket=gcs_config.bucket,
        api_root=gcs_config.api_root,
        service_file=gcs_config.service_file,
        chunk_size=chunk_size,
    )
    async with GCSStorage(config) as storage:
        await storage.put("warm-up.bin", b"x")
        tracemalloc.start()
        try:
            stored = await storage.put("one-chunk.bin", stream())
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert stored.size == total
        assert peak < chunk_size + chunk_size // 4, peak
        assert (await storage.info("one-chunk.bin")).size == total


async def test_small_put_without_metadata_is_a_media_upload(gcs_config: GCSConfig) -> None:
    log = RequestLog()
    async with log.session() as session:
        storage = GCSStorage(gcs_config, client=sdk_client(gcs_config.api_root or "", session))
        stored = await storage.put("plain/page.html", b"<p>hi</p>")
        assert stored.size == 9
        assert stored.content_type == "text/html"
        (request,) = log.requests
        assert request.method == "POST"
        assert request.url.query["uploadType"] == "media"
        assert request.url.query["name"] == "plain/page.html"
        assert "ifGenerationMatch" not in request.url.query
        info = await storage.info("plain/page.html")
        assert info.content_type == "text/html"
        assert info.metadata == {}
        assert await storage.get_bytes("plain/page.html") == b"<p>hi</p>"
        # A stream smaller than a chunk is read in place and sent the same way.
        log.requests.clear()
        await storage.put("plain/streamed.bin", chunks(pattern(CHUNK - 1), 1000))
        assert [r.url.query["uploadType"] for r in log.requests] == ["media"]
        assert await storage.get_bytes("plain/streamed.bin") == pattern(CHUNK - 1)
        # Metadata, or overwrite=False (ifGenerationMatch, honoured by fake-gcs-server on
        # multipart uploads only), still take one multipart request.
        log.requests.clear()
        await storage.put("plain/tagged.txt", b"x", metadata={"k": "v"})
        await storage.put("plain/new.txt", b"x", overwrite=False)
        assert [r.url.query["uploadType"] for r in log.requests] == ["multipart", "multipart"]
        with pytest.raises(StorageFileExistsError):
            await storage.put("plain/new.txt", b"y", overwrite=False)


async def test_small_put_asks_for_a_partial_answer(gcs_config: GCSConfig) -> None:
    log = RequestLog()
    async with log.session() as session:
        storage = GCSStorage(gcs_config, client=sdk_client(gcs_config.api_root or "", session))
        stored = await storage.put("partial-answer.txt", b"abc")
        assert (stored.size, stored.content_type) == (3, "text/plain")
        (request,) = log.requests
        assert request.url.query.get("uploadType") == "media"
        assert "size" in request.url.query.get("fields", "").split(",")
