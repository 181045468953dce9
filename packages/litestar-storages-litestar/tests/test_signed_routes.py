"""Signed filesystem URLs served by the plugin's route: 403 for tampered or expired links."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import pytest_asyncio
from httpx import AsyncClient
from litestar import Litestar
from litestar.testing import AsyncTestClient

from litestar_storages import FileSystemConfig, FileSystemStorage, MemoryStorage
from litestar_storages.backends.filesystem import sign_url
from litestar_storages.contrib import StoragePlugin, StoragePluginConfig
from litestar_storages.contrib.signed_routes import signed_route_handlers, signed_url_path

SECRET = "test-signing-secret-of-at-least-32-bytes"
PAYLOAD = b"0123456789" * 100


def _local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


@pytest.fixture
def signed(tmp_path: Path) -> FileSystemStorage:
    return FileSystemStorage(
        FileSystemConfig(path=tmp_path / "signed", base_url="http://testserver.local/media", signing_secret=SECRET)
    )


@pytest_asyncio.fixture
async def client(signed: FileSystemStorage) -> AsyncIterator[AsyncClient]:
    await signed.put("docs/report.pdf", PAYLOAD)
    await signed.put("a b/ü.txt", b"unicode")
    plugin = StoragePlugin(signed, config=StoragePluginConfig(max_upload_size=2000))
    async with AsyncTestClient(Litestar([], plugins=[plugin])) as test_client:
        yield test_client


async def test_valid_link_serves_the_file_with_ranges(client: AsyncClient, signed: FileSystemStorage) -> None:
    url = await signed.url("docs/report.pdf")
    assert url.startswith("http://testserver.local/media/docs/report.pdf?")
    response = await client.get(url)
    assert response.status_code == 200
    assert response.content == PAYLOAD
    assert response.headers["accept-ranges"] == "bytes"
    partial = await client.get(url, headers={"Range": "bytes=10-19"})
    assert partial.status_code == 206
    assert partial.content == PAYLOAD[10:20]
    assert (await client.head(url)).status_code == 200


async def test_quoted_keys_and_signed_filename(client: AsyncClient, signed: FileSystemStorage) -> None:
    url = await signed.url("a b/ü.txt", filename="résumé.txt")
    response = await client.get(url)
    assert response.status_code == 200
    assert response.content == b"unicode"
    assert response.headers["content-disposition"].startswith('attachment; filename="resume.txt"')


async def _denied(client: AsyncClient, url: str) -> tuple[int, bytes]:
    response = await client.get(url)
    return response.status_code, response.content


async def test_tampered_links_are_403_without_revealing_existence(
    client: AsyncClient, signed: FileSystemStorage
) -> None:
    good = await signed.url("docs/report.pdf")
    path, _, query = _local(good).partition("?")
    params = dict(pair.split("=", 1) for pair in query.split("&"))
    forged_signature = "&".join(
        f"{name}={'A' * len(value) if name == 'signature' else value}" for name, value in params.items()
    )
    later = "&".join(f"{name}={int(value) + 3600 if name == 'expires' else value}" for name, value in params.items())
    attempts = [
        f"{path}?{forged_signature}",  # existing key, wrong signature
        f"{path}?{later}",  # expiry pushed back
        f"/media/docs/other.pdf?{query}",  # signature moved to another (missing) key
        f"/media/missing.pdf?{query}",
        path,  # no signature at all
        f"/media/..%2Fescape.txt?{query}",
    ]
    answers = {await _denied(client, url) for url in attempts}
    assert len(answers) == 1  # the same 403 body whatever the key
    [(status, body)] = answers
    assert status == 403
    assert b"report" not in body
    assert b"Invalid or expired link" in body


async def test_expired_link_is_403(client: AsyncClient, signed: FileSystemStorage) -> None:
    expired = sign_url("http://testserver.local/media", "docs/report.pdf", SECRET, expires_at=int(time.time()) - 5)
    status, _ = await _denied(client, expired)
    assert status == 403
    missing = sign_url("http://testserver.local/media", "missing.pdf", SECRET, expires_at=int(time.time()) - 5)
    assert await _denied(client, missing) == await _denied(client, expired)


async def test_valid_link_to_missing_file_is_404(client: AsyncClient, signed: FileSystemStorage) -> None:
    response = await client.get(await signed.url("not/here.txt", expires_in=timedelta(minutes=1)))
    assert response.status_code == 404


async def test_signed_upload(client: AsyncClient, signed: FileSystemStorage) -> None:
    url = await signed.url("uploads/new.json", method="PUT", content_type="application/json")
    response = await client.put(url, content=b'{"ok": true}', headers={"content-type": "application/json"})
    assert response.status_code == 201
    assert response.json()["key"] == "uploads/new.json"
    assert await signed.get_bytes("uploads/new.json") == b'{"ok": true}'
    assert (await signed.info("uploads/new.json")).content_type == "application/json"
    wrong_type = await client.put(url, content=b"x", headers={"content-type": "text/plain"})
    assert wrong_type.status_code == 403
    get_url_used_for_put = await signed.url("uploads/new.json")
    assert (await client.put(get_url_used_for_put, content=b"x")).status_code == 403
    assert await signed.get_bytes("uploads/new.json") == b'{"ok": true}'


async def test_signed_upload_respects_the_size_limit(client: AsyncClient, signed: FileSystemStorage) -> None:
    url = await signed.url("uploads/big.bin", method="PUT")
    response = await client.put(url, content=b"z" * 2001)
    assert response.status_code == 413
    assert not await signed.exists("uploads/big.bin")


async def test_only_signing_storages_get_a_route(tmp_path: Path, signed: FileSystemStorage) -> None:
    public = FileSystemStorage(FileSystemConfig(path=tmp_path / "public", base_url="/public"))
    assert signed_url_path(signed) == "/media"
    assert signed_url_path(public) is None
    assert signed_url_path(MemoryStorage()) is None
    handlers = signed_route_handlers([signed, MemoryStorage(), public, signed])
    assert [handler.paths for handler in handlers] == [{"/media/{key:path}"}]


async def test_signed_routes_can_be_disabled(signed: FileSystemStorage) -> None:
    await signed.put("x.txt", b"x")
    plugin = StoragePlugin(signed, config=StoragePluginConfig(signed_routes=False))
    async with AsyncTestClient(Litestar([], plugins=[plugin])) as client:
        assert (await client.get(await signed.url("x.txt"))).status_code == 404
