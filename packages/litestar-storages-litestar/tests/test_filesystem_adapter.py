"""StorageFileSystem: Litestar's File response and static files router reading from a storage."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from httpx import AsyncClient
from litestar import Litestar, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import File
from litestar.static_files import create_static_files_router
from litestar.testing import AsyncTestClient

from litestar_storages import Storage
from litestar_storages.base import BaseStorage
from litestar_storages.contrib import StorageFileSystem, StoragePlugin

PAYLOAD = bytes(range(256)) * 12  # 3072 bytes


@get("/file/{key:path}")
async def file_handler(key: FromPath[str], storage: NamedDependency[Storage]) -> File:
    return File(path=key, file_system=StorageFileSystem(storage), filename=key.rsplit("/", 1)[-1], chunk_size=1000)


@pytest_asyncio.fixture
async def client(storage: BaseStorage) -> AsyncIterator[AsyncClient]:
    await storage.put("site/index.html", b"<h1>home</h1>")
    await storage.put("site/404.html", b"<h1>lost</h1>")
    await storage.put("site/docs/index.html", b"<h1>docs</h1>")
    await storage.put("site/img/logo.bin", PAYLOAD, content_type="application/x-logo")
    await storage.put("private/secret.txt", b"secret")
    static = create_static_files_router(
        path="/static",
        directories=["/"],
        file_system=StorageFileSystem(storage, prefix="site/"),
        resolve_symlinks=False,
        html_mode=True,
    )
    plain = create_static_files_router(
        path="/plain",
        directories=["/"],
        file_system=StorageFileSystem(storage),
        resolve_symlinks=False,
        name="plain",
    )
    app = Litestar([file_handler, static, plain], plugins=[StoragePlugin(storage)])
    async with AsyncTestClient(app) as test_client:
        yield test_client


async def test_file_response_streams_from_storage(client: AsyncClient) -> None:
    response = await client.get("/file/site/img/logo.bin")
    assert response.status_code == 200
    assert response.content == PAYLOAD
    assert response.headers["content-length"] == str(len(PAYLOAD))
    assert response.headers["content-disposition"] == 'attachment; filename="logo.bin"'
    assert "last-modified" in response.headers
    assert "etag" in response.headers


async def test_static_files_from_storage(client: AsyncClient) -> None:
    response = await client.get("/static/img/logo.bin")
    assert response.status_code == 200
    assert response.content == PAYLOAD
    assert (await client.get("/plain/private/secret.txt")).content == b"secret"


async def test_static_html_mode_index_and_404_page(client: AsyncClient) -> None:
    home = await client.get("/static/")
    assert home.status_code == 200
    assert home.text == "<h1>home</h1>"
    docs = await client.get("/static/docs")
    assert docs.text == "<h1>docs</h1>"
    missing = await client.get("/static/nope.html")
    assert missing.status_code == 404
    assert missing.text == "<h1>lost</h1>"


async def test_static_prefix_confines_and_traversal_is_404(client: AsyncClient) -> None:
    assert (await client.get("/static/private/secret.txt")).status_code == 404
    assert (await client.get("/plain/nothing/here.txt")).status_code == 404
    assert (await client.get("/plain/site/..%2Fprivate%2Fsecret.txt")).status_code == 404


async def test_info_open_and_v3_reads(storage: BaseStorage) -> None:
    await storage.put("a/b.bin", PAYLOAD)
    fs = StorageFileSystem(storage)
    info = await fs.info("/a/b.bin")
    assert (info["type"], info["size"], info["name"]) == ("file", len(PAYLOAD), "/a/b.bin")
    assert info["mtime"] > 0
    assert (await fs.info("a"))["type"] == "directory"
    assert (await fs.info("/"))["type"] == "directory"
    with pytest.raises(FileNotFoundError):
        await fs.info("a/missing.bin")
    with pytest.raises(FileNotFoundError):
        await fs.info("../etc/passwd")
    async with await fs.open("a/b.bin") as file:
        assert await file.read(10) == PAYLOAD[:10]
        assert await file.read(5) == PAYLOAD[10:15]
        assert await file.read() == PAYLOAD[15:]
        assert await file.read(10) == b""
    with pytest.raises(PermissionError):
        await fs.open("a/b.bin", "wb")
    assert await fs.read_bytes("a/b.bin") == PAYLOAD
    assert await fs.read_bytes("a/b.bin", start=10, end=19) == PAYLOAD[10:20]
    chunks = [chunk async for chunk in fs.iter("a/b.bin", 1000)]
    assert [len(chunk) for chunk in chunks] == [1000, 1000, 1000, 72]
    assert b"".join(chunks) == PAYLOAD
    assert b"".join([chunk async for chunk in fs.iter("a/b.bin", 7, start=100, end=199)]) == PAYLOAD[100:200]
