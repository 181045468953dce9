"""storage_response sends a file's stored attributes as headers, on each local backend."""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest_asyncio
from httpx import AsyncClient
from litestar import HttpMethod, Litestar, get, route
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.testing import AsyncTestClient

from litestar_storages import ObjectAttributes, Storage, StoragePlugin, StoredFile
from litestar_storages.base import BaseStorage
from litestar_storages.contrib import StorageResponse, storage_response

TEXT = b"hello attributes " * 200
ATTRIBUTES = ObjectAttributes(
    cache_control="public, max-age=31536000, immutable",
    content_language="de-CH",
    content_disposition='attachment; filename="bericht.txt"',
)


@route("/files/{key:path}", http_method=[HttpMethod.GET, HttpMethod.HEAD])
async def download(
    key: FromPath[str],
    storage: NamedDependency[Storage],
    name: FromQuery[str | None] = None,
    attachment: FromQuery[bool] = False,
) -> StorageResponse:
    return storage_response(storage, key.lstrip("/"), filename=name, attachment=attachment)


@get("/override/{key:path}")
async def override(key: FromPath[str], storage: NamedDependency[Storage]) -> StorageResponse:
    return storage_response(storage, key.lstrip("/"), headers={"Cache-Control": "no-store"})


@pytest_asyncio.fixture
async def client(storage: BaseStorage) -> AsyncIterator[AsyncClient]:
    await storage.put("report.txt", TEXT, content_type="text/plain", attributes=ATTRIBUTES)
    await storage.put("page.gz.txt", gzip.compress(TEXT, mtime=0), attributes=ObjectAttributes(content_encoding="gzip"))
    await storage.put("inline.html", b"<p>hi</p>", attributes=ObjectAttributes(content_disposition="inline"))
    await storage.put("plain.txt", b"plain")
    app = Litestar([download, override], plugins=[StoragePlugin(storage)])
    async with AsyncTestClient(app) as test_client:
        yield test_client


async def test_stored_attributes_are_sent(client: AsyncClient) -> None:
    response = await client.get("/files/report.txt")
    assert response.status_code == 200
    assert response.content == TEXT
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["content-language"] == "de-CH"
    assert response.headers["content-disposition"] == 'attachment; filename="bericht.txt"'
    assert "content-encoding" not in response.headers


async def test_they_are_sent_on_head_206_and_304(client: AsyncClient) -> None:
    head = await client.head("/files/report.txt")
    assert head.headers["cache-control"] == "public, max-age=31536000, immutable"
    ranged = await client.get("/files/report.txt", headers={"Range": "bytes=0-4"})
    assert ranged.status_code == 206
    assert ranged.headers["content-language"] == "de-CH"
    cached = await client.get("/files/report.txt", headers={"If-None-Match": head.headers["etag"]})
    assert cached.status_code == 304
    assert cached.headers["cache-control"] == "public, max-age=31536000, immutable"


async def test_content_encoding_is_sent_and_the_bytes_are_the_stored_ones(client: AsyncClient) -> None:
    async with client.stream("GET", "/files/page.gz.txt") as response:
        raw = b"".join([chunk async for chunk in response.aiter_raw()])
    assert response.headers["content-encoding"] == "gzip"
    assert raw == gzip.compress(TEXT, mtime=0)  # sent as stored, never decoded or encoded again
    assert gzip.decompress(raw) == TEXT


async def test_a_requested_filename_wins_over_the_stored_disposition(client: AsyncClient) -> None:
    response = await client.get("/files/report.txt", params={"name": "other.txt"})
    assert response.headers["content-disposition"] == 'inline; filename="other.txt"'
    response = await client.get("/files/report.txt", params={"name": "other.txt", "attachment": "true"})
    assert response.headers["content-disposition"] == 'attachment; filename="other.txt"'


async def test_a_stored_inline_disposition_never_shows_active_content_inline(client: AsyncClient) -> None:
    # HTML is downloaded under the default serving policy: the stored "inline" cannot undo that.
    response = await client.get("/files/inline.html")
    assert response.headers["content-disposition"].startswith("attachment")
    response = await client.get("/files/report.txt", params={"attachment": "true"})
    assert response.headers["content-disposition"] == 'attachment; filename="bericht.txt"'


async def test_handler_headers_win_over_stored_ones(client: AsyncClient) -> None:
    response = await client.get("/override/report.txt")
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-language"] == "de-CH"


async def test_a_file_without_attributes_gets_none_of_their_headers(client: AsyncClient) -> None:
    response = await client.get("/files/plain.txt")
    assert response.status_code == 200
    for name in ("cache-control", "content-encoding", "content-language"):
        assert name not in response.headers
    assert response.headers["content-disposition"] == 'inline; filename="plain.txt"'


class _Reporting(BaseStorage):
    """A storage whose info reports attributes a service could have sent, unchecked."""

    def __init__(self, inner: BaseStorage, attributes: ObjectAttributes) -> None:
        self.inner = inner
        self.attributes = attributes

    async def put(self, *args: object, **kwargs: object) -> StoredFile:
        return await self.inner.put(*args, **kwargs)  # type: ignore[arg-type]

    def get(self, *args: object, **kwargs: object) -> AsyncIterator[bytes]:
        return self.inner.get(*args, **kwargs)  # type: ignore[arg-type]

    async def delete(self, key: str, *, missing_ok: bool = False) -> None:
        await self.inner.delete(key, missing_ok=missing_ok)

    async def exists(self, key: str) -> bool:
        return await self.inner.exists(key)

    def list(self, prefix: str = "", *, limit: int | None = None) -> AsyncIterator[StoredFile]:
        return self.inner.list(prefix, limit=limit)

    async def url(self, key: str, **kwargs: object) -> str:
        return await self.inner.url(key)

    async def info(self, key: str) -> StoredFile:
        return replace(await self.inner.info(key), attributes=self.attributes)


async def test_unsafe_values_reported_by_a_service_are_not_sent(storage: BaseStorage) -> None:
    await storage.put("x.txt", b"x")
    reporting = _Reporting(
        storage,
        ObjectAttributes(
            cache_control="max-age=1\r\nSet-Cookie: a=b",
            content_language="caf\u00e9",
            content_disposition="inline\nx",
        ),
    )
    app = Litestar([download], plugins=[StoragePlugin(reporting)])
    async with AsyncTestClient(app) as test_client:
        response = await test_client.get("/files/x.txt")
    assert response.status_code == 200
    assert "set-cookie" not in response.headers
    assert "cache-control" not in response.headers
    assert "content-language" not in response.headers
    assert response.headers["content-disposition"] == 'inline; filename="x.txt"'
