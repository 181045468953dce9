"""Downloads, listings and server-side copies."""

from __future__ import annotations

import aiohttp
import pytest
from aiohttp import web
from gcs_helpers import (
    NOT_FOUND,
    Recorded,
    RequestLog,
    json_answer,
    object_resource,
    replay_server,
    sdk_client,
)

from litestar_storages.backends.gcs import GCSConfig, GCSStorage
from litestar_storages.exceptions import (
    ConfigurationError,
    StorageConnectionError,
    StorageFileNotFoundError,
    StoragePermissionError,
)
from litestar_storages.retry import RetryConfig

NO_RETRY = RetryConfig(max_attempts=1)


async def test_get_streams_chunks_without_buffering(gcs_storage: GCSStorage) -> None:
    data = bytes(range(256)) * 12_000  # ~3 MB
    await gcs_storage.put("stream.bin", data)
    chunks = [chunk async for chunk in gcs_storage.get("stream.bin")]
    assert b"".join(chunks) == data
    assert len(chunks) > 1
    assert max(map(len, chunks)) <= 1024 * 1024


async def test_range_sends_one_range_request(gcs_config: GCSConfig) -> None:
    log = RequestLog()
    async with log.session() as session:
        storage = GCSStorage(gcs_config, client=sdk_client(gcs_config.api_root or "", session))
        await storage.put("r.bin", bytes(range(256)))
        log.requests.clear()
        assert await storage.get_bytes("r.bin", start=10, end=20) == bytes(range(10, 20))
        assert await storage.get_bytes("r.bin", start=250) == bytes(range(250, 256))
        assert await storage.get_bytes("r.bin", start=300) == b""
        downloads = [r for r in log.requests if r.url.query.get("alt") == "media"]
        assert [r.headers.get("Range") for r in downloads] == ["bytes=10-19", "bytes=250-", "bytes=300-"]


async def test_empty_range_of_missing_key_raises(gcs_storage: GCSStorage) -> None:
    with pytest.raises(StorageFileNotFoundError):
        await gcs_storage.get_bytes("missing.bin", start=5, end=5)


async def test_download_cut_short_is_a_connection_error() -> None:
    async def truncated(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(status=200, headers={"Content-Length": "100000"})
        await response.prepare(request)
        await response.write(b"x" * 1000)
        assert request.transport is not None
        request.transport.close()  # the connection drops mid-body
        return response

    app = web.Application()
    app.router.add_get("/{tail:.*}", truncated)
    from aiohttp.test_utils import TestServer

    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        config = GCSConfig(bucket="bucket", api_root=str(server.make_url("")).rstrip("/"), retry=NO_RETRY)
        async with GCSStorage(config) as storage:
            received = bytearray()

            async def drain() -> None:
                async for chunk in storage.get("cut.bin"):
                    received.extend(chunk)

            with pytest.raises(StorageConnectionError) as caught:
                await drain()
            assert caught.value.key == "cut.bin"
            assert isinstance(caught.value.__cause__, aiohttp.ClientError)
            assert len(received) < 100_000
    finally:
        await server.close()


async def test_list_paginates(gcs_config: GCSConfig) -> None:
    config = GCSConfig(
        bucket=gcs_config.bucket,
        api_root=gcs_config.api_root,
        list_page_size=2,
        prefix="p",
    )
    log = RequestLog()
    async with log.session() as session:
        storage = GCSStorage(config, client=sdk_client(config.api_root or "", session))
        keys = [f"k{i}.txt" for i in range(5)]
        for key in keys:
            await storage.put(key, key.encode(), metadata={"n": key})
        log.requests.clear()
        listed = [item async for item in storage.list()]
        assert [item.key for item in listed] == keys
        assert all(item.content_type == "text/plain" for item in listed)
        assert [item.metadata for item in listed] == [{"n": key} for key in keys]
        pages = [r.url.query for r in log.requests]
        assert len(pages) == 3
        assert [page.get("maxResults") for page in pages] == ["2", "2", "2"]
        assert "pageToken" not in pages[0]
        assert pages[1]["pageToken"]
        assert pages[2]["pageToken"]
        assert {page["prefix"] for page in pages} == {"p/"}

        log.requests.clear()
        assert [item.key async for item in storage.list(limit=3)] == keys[:3]
        # The limit stops fetching: the second page asks for just one more.
        assert [r.url.query["maxResults"] for r in log.requests] == ["2", "1"]


async def test_list_missing_bucket_is_a_configuration_error(fake_gcs: object, service_file: object) -> None:
    api_root = getattr(fake_gcs, "api_root")  # noqa: B009
    async with GCSStorage(GCSConfig(bucket="no-such-bucket", api_root=api_root, retry=NO_RETRY)) as storage:
        with pytest.raises(ConfigurationError) as caught:
            [item async for item in storage.list()]
        assert caught.value.field == "bucket"


async def test_copy_is_server_side(gcs_config: GCSConfig) -> None:
    log = RequestLog()
    async with log.session() as session:
        storage = GCSStorage(gcs_config, client=sdk_client(gcs_config.api_root or "", session))
        await storage.put("src.txt", b"payload", metadata={"a": "1"})
        log.requests.clear()
        copied = await storage.copy("src.txt", "dst.txt")
        assert copied.key == "dst.txt"
        assert copied.metadata == {"a": "1"}
        # The source's properties (storage class, key: see test_gcs_attributes), then one rewrite.
        assert [request.method for request in log.requests] == ["GET", "POST"]
        assert "/rewriteTo/" in log.requests[1].url.path


async def test_copy_loops_on_rewrite_token_against_recorded_answers() -> None:
    # fake-gcs-server finishes every rewrite in one call; GCS answers large or
    # cross-location rewrites in steps, each with a rewriteToken to send back.
    size = 3 * 1024 * 1024
    step = {
        "kind": "storage#rewriteResponse",
        "totalBytesRewritten": "1048576",
        "objectSize": str(size),
        "done": False,
        "rewriteToken": "CKLEoLqY-token-1",
    }
    step2 = {**step, "totalBytesRewritten": "2097152", "rewriteToken": "CKLEoLqY-token-2"}
    done = {
        "kind": "storage#rewriteResponse",
        "totalBytesRewritten": str(size),
        "objectSize": str(size),
        "done": True,
        "resource": object_resource("bucket", "big-copy.bin", size, metadata={"a": "1"}),
    }
    async with replay_server() as server:
        source = object_resource("bucket", "big.bin", size, metadata={"a": "1"})
        server.script = [
            json_answer(200, source),
            json_answer(200, step),
            json_answer(200, step2),
            json_answer(200, done),
        ]
        async with GCSStorage(GCSConfig(bucket="bucket", api_root=server.url, retry=NO_RETRY)) as storage:
            copied = await storage.copy("big.bin", "big-copy.bin")
        assert copied.key == "big-copy.bin"
        assert copied.size == size
        assert copied.metadata == {"a": "1"}
        rewrites = server.requests[1:]
        assert {r.path for r in rewrites} == {"/storage/v1/b/bucket/o/big.bin/rewriteTo/b/bucket/o/big-copy.bin"}
        assert [r.query.get("rewriteToken") for r in rewrites] == [None, "CKLEoLqY-token-1", "CKLEoLqY-token-2"]


async def test_copy_of_missing_source_against_recorded_404() -> None:
    async with replay_server() as server:
        server.script = [json_answer(404, NOT_FOUND)]
        async with GCSStorage(GCSConfig(bucket="bucket", api_root=server.url, retry=NO_RETRY)) as storage:
            with pytest.raises(StorageFileNotFoundError) as caught:
                await storage.copy("missing.txt", "elsewhere.txt")
        assert caught.value.key == "missing.txt"


async def test_delete_sends_one_request(gcs_config: GCSConfig) -> None:
    async with replay_server() as server:

        def deleted(_: Recorded) -> web.StreamResponse:
            return web.Response(status=204)

        server.script = [deleted, json_answer(404, NOT_FOUND), json_answer(404, NOT_FOUND)]
        async with GCSStorage(GCSConfig(bucket="bucket", api_root=server.url, retry=NO_RETRY)) as storage:
            await storage.delete("a/b c.txt")
            await storage.delete("gone.txt", missing_ok=True)
            with pytest.raises(StorageFileNotFoundError):
                await storage.delete("gone.txt")
        assert server.requests[0].method == "DELETE"
        # The whole name is one path segment: its slash is encoded.
        assert server.requests[0].raw_path == "/storage/v1/b/bucket/o/a%2Fb%20c.txt"


async def test_delete_many_runs_concurrently_and_skips_missing(gcs_storage: GCSStorage) -> None:
    keys = [f"bulk/{index:02d}" for index in range(40)]
    for key in keys:
        await gcs_storage.put(key, b"x")
    await gcs_storage.put("keep.txt", b"x")
    await gcs_storage.delete_many([*keys, "bulk/not-there"])
    assert [item.key async for item in gcs_storage.list()] == ["keep.txt"]


async def test_delete_many_raises_after_all_finished() -> None:
    async with replay_server() as server:
        server.script = [json_answer(403, NOT_FOUND | {"error": {"code": 403, "message": "denied"}})]
        server.script += [json_answer(404, NOT_FOUND)] * 3
        async with GCSStorage(GCSConfig(bucket="bucket", api_root=server.url, retry=NO_RETRY)) as storage:
            with pytest.raises(StoragePermissionError) as caught:
                await storage.delete_many(["a", "b", "c", "d"])
        assert caught.value.key == "a"  # the object refused, not "the bucket"
        assert len(server.requests) == 4


async def test_get_bytes_is_one_request(gcs_config: GCSConfig) -> None:
    log = RequestLog()
    async with log.session() as session:
        storage = GCSStorage(gcs_config, client=sdk_client(gcs_config.api_root or "", session))
        data = bytes(range(256)) * 4_000
        await storage.put("whole.bin", data)
        log.requests.clear()
        assert await storage.get_bytes("whole.bin") == data
        assert [(r.method, r.url.query.get("alt")) for r in log.requests] == [("GET", "media")]
        assert "Range" not in log.requests[0].headers
        with pytest.raises(StorageFileNotFoundError):
            await storage.get_bytes("absent.bin")


async def test_info_asks_for_a_partial_response(gcs_config: GCSConfig) -> None:
    log = RequestLog()
    async with log.session() as session:
        storage = GCSStorage(gcs_config, client=sdk_client(gcs_config.api_root or "", session))
        await storage.put("partial.txt", b"abc", metadata={"owner": "ann"})
        log.requests.clear()
        info = await storage.info("partial.txt")
        assert (info.size, info.content_type, info.metadata) == (3, "text/plain", {"owner": "ann"})
        assert info.etag
        assert info.last_modified is not None
        fields = log.requests[0].url.query.get("fields", "")
        assert set(fields.split(",")) >= {"size", "contentType", "etag", "updated", "metadata"}
        assert "acl" not in fields
