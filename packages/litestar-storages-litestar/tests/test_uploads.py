"""Uploads: UploadFile and raw bodies streamed into storage, size limits answered with 413."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

import pytest
import pytest_asyncio
from httpx import AsyncClient
from litestar import Litestar, Request, post, put
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath

from litestar_storages import Storage, StoredFile
from litestar_storages.base import BaseStorage
from litestar_storages.contrib import (
    MAX_UPLOAD_SIZE_OPT,
    StoragePlugin,
    StoragePluginConfig,
    UploadTooLargeError,
    limit_size,
    save_request_body,
    save_upload,
)

MultipartFile = Annotated[UploadFile, Body(media_type=RequestEncodingType.MULTI_PART)]
LIMIT = 1000


@post("/upload/{key:path}", request_max_body_size=None)
async def upload(
    key: FromPath[str],
    data: MultipartFile,
    storage: NamedDependency[Storage],
    storage_upload_limit: NamedDependency[int | None],
) -> StoredFile:
    return await save_upload(storage, key.lstrip("/"), data, max_size=storage_upload_limit)


@post("/small/{key:path}", opt={MAX_UPLOAD_SIZE_OPT: 10}, request_max_body_size=None)
async def small_upload(
    key: FromPath[str],
    data: MultipartFile,
    storage: NamedDependency[Storage],
    storage_upload_limit: NamedDependency[int | None],
) -> StoredFile:
    return await save_upload(storage, key.lstrip("/"), data, max_size=storage_upload_limit)


@put("/raw/{key:path}", request_max_body_size=None)
async def raw(
    key: FromPath[str],
    request: Request[Any, Any, Any],
    storage: NamedDependency[Storage],
    storage_upload_limit: NamedDependency[int | None],
) -> StoredFile:
    return await save_request_body(storage, key.lstrip("/"), request, max_size=storage_upload_limit)


@post("/plain/{key:path}")
async def plain_put(key: FromPath[str], data: MultipartFile, storage: NamedDependency[Storage]) -> StoredFile:
    # The library's promise: UploadFile is valid `put` data as it is.
    return await storage.put(key.lstrip("/"), data, content_type=data.content_type)


@pytest_asyncio.fixture
async def client(storage: BaseStorage) -> AsyncIterator[AsyncClient]:
    from litestar.testing import AsyncTestClient

    plugin = StoragePlugin(storage, config=StoragePluginConfig(max_upload_size=LIMIT))
    app = Litestar([upload, small_upload, raw, plain_put], plugins=[plugin])
    async with AsyncTestClient(app) as test_client:
        yield test_client


async def test_multipart_upload_is_stored_with_its_content_type(client: AsyncClient, storage: BaseStorage) -> None:
    response = await client.post("/upload/photos/a.png", files={"data": ("a.png", b"\x89PNG data", "image/png")})
    assert response.status_code == 201
    assert response.json()["size"] == 9
    assert await storage.get_bytes("photos/a.png") == b"\x89PNG data"
    assert (await storage.info("photos/a.png")).content_type == "image/png"


async def test_octet_stream_from_the_browser_lets_the_key_decide(client: AsyncClient, storage: BaseStorage) -> None:
    response = await client.post(
        "/upload/notes.txt", files={"data": ("notes.txt", b"hello", "application/octet-stream")}
    )
    assert response.status_code == 201
    assert (await storage.info("notes.txt")).content_type == "text/plain"


async def test_plain_put_of_an_upload_file(client: AsyncClient, storage: BaseStorage) -> None:
    payload = bytes(range(256)) * 8192  # 2 MiB: rolled to disk by the multipart parser
    response = await client.post("/plain/big.bin", files={"data": ("big.bin", payload, "application/x-big")})
    assert response.status_code == 201
    assert await storage.get_bytes("big.bin") == payload


async def test_upload_over_the_plugin_limit_is_413_and_nothing_is_stored(
    client: AsyncClient, storage: BaseStorage
) -> None:
    response = await client.post("/upload/big.bin", files={"data": ("big.bin", b"x" * (LIMIT + 1))})
    assert response.status_code == 413
    assert not await storage.exists("big.bin")
    exact = await client.post("/upload/exact.bin", files={"data": ("exact.bin", b"x" * LIMIT)})
    assert exact.status_code == 201


async def test_handler_opt_overrides_the_plugin_limit(client: AsyncClient, storage: BaseStorage) -> None:
    response = await client.post("/small/s.txt", files={"data": ("s.txt", b"eleven char")})
    assert response.status_code == 413
    assert not await storage.exists("s.txt")
    assert (await client.post("/small/s.txt", files={"data": ("s.txt", b"ten chars!")})).status_code == 201


async def test_failed_upload_keeps_the_previous_version(client: AsyncClient, storage: BaseStorage) -> None:
    await storage.put("keep.txt", b"old")
    response = await client.post("/upload/keep.txt", files={"data": ("keep.txt", b"y" * (LIMIT * 3))})
    assert response.status_code == 413
    assert await storage.get_bytes("keep.txt") == b"old"


async def test_raw_body_streamed(client: AsyncClient, storage: BaseStorage) -> None:
    response = await client.put("/raw/raw.json", content=b'{"a": 1}', headers={"content-type": "application/json"})
    assert response.status_code == 200
    assert await storage.get_bytes("raw.json") == b'{"a": 1}'
    assert (await storage.info("raw.json")).content_type == "application/json"


async def test_raw_body_declared_too_large_is_refused_before_reading(client: AsyncClient, storage: BaseStorage) -> None:
    response = await client.put("/raw/big.bin", content=b"z" * (LIMIT + 1))
    assert response.status_code == 413
    assert not await storage.exists("big.bin")


async def test_raw_body_without_length_is_cut_while_streaming(storage: BaseStorage) -> None:
    # Drive the ASGI app directly: the test client buffers bodies, a real server streams.
    app = Litestar([raw], plugins=[StoragePlugin(storage, config=StoragePluginConfig(max_upload_size=LIMIT))])
    delivered = 0
    messages: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal delivered
        delivered += 1
        return {"type": "http.request", "body": b"c" * 100, "more_body": delivered < 50}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "PUT",
        "scheme": "http",
        "path": "/raw/stream.bin",
        "raw_path": b"/raw/stream.bin",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"transfer-encoding", b"chunked")],
        "client": ("127.0.0.1", 1234),
        "server": ("testserver", 80),
        "state": {},
    }
    await app(scope, receive, send)  # type: ignore[arg-type]
    assert messages[0]["status"] == 413
    assert delivered == LIMIT // 100 + 1  # stopped at the first chunk past the limit, not at 50
    assert not await storage.exists("stream.bin")


async def test_limit_size_passes_data_through_and_raises_past_the_limit() -> None:
    assert [chunk async for chunk in limit_size(b"abc", 3)] == [b"abc"]
    assert [chunk async for chunk in limit_size([b"a", b"b"], None)] == [b"a", b"b"]
    with pytest.raises(UploadTooLargeError) as caught:
        [chunk async for chunk in limit_size([b"ab", b"cd"], 3, key="k")]
    assert caught.value.limit == 3
    assert caught.value.key == "k"
    assert caught.value.status_code == 413


async def test_upload_too_large_propagates_unchanged_from_put(storage: BaseStorage) -> None:
    await storage.put("k", b"before")
    with pytest.raises(UploadTooLargeError):
        await storage.put("k", limit_size([b"x" * 10] * 5, 25, key="k"))
    assert await storage.get_bytes("k") == b"before"
