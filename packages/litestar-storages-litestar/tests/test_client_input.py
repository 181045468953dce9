"""No client input gets a 500: hostile headers, signed-link parameters and keys (issue 16, section 2).

Each reproduction of the issue is here as it was reported (a 500 before the fix), with
the answer RFC 9110 asks for instead. The property-based sweep over arbitrary values
is in ``test_client_input_fuzz.py``.
"""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any

import pytest
import pytest_asyncio
from httpx import AsyncClient
from litestar import HttpMethod, Litestar, Request, post, put, route
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.static_files import create_static_files_router
from litestar.testing import AsyncTestClient

from litestar_storages import FileSystemConfig, FileSystemStorage, Storage, StoredFile
from litestar_storages.backends.filesystem import sign_url
from litestar_storages.base import BaseStorage
from litestar_storages.contrib import (
    StorageFileSystem,
    StoragePlugin,
    StoragePluginConfig,
    StorageResponse,
    save_request_body,
    save_upload,
    storage_response,
)

SECRET = "client-input-signing-secret-of-32-bytes!"
CONTENT = bytes(range(256)) * 4  # 1024 bytes
OUTSIDE = b"OUTSIDE THE ROOT: must never be served"
HUGE = "9" * 4301  # one digit past int()'s default limit of 4,300


def _wire(value: str) -> bytes:
    # Servers decode header bytes as latin-1: "²" (0xB2) arrives as "²", other scripts'
    # digits only as UTF-8 mojibake.
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode()


@route("/files/{key:path}", http_method=[HttpMethod.GET, HttpMethod.HEAD])
async def download(key: FromPath[str], storage: NamedDependency[Storage]) -> StorageResponse:
    return storage_response(storage, key.lstrip("/"))


@post("/upload/{key:path}")
async def upload(
    key: FromPath[str],
    data: Annotated[UploadFile, Body(media_type=RequestEncodingType.MULTI_PART)],
    storage: NamedDependency[Storage],
) -> StoredFile:
    return await save_upload(storage, key.lstrip("/"), data, max_size=10_000)


@put("/raw/{key:path}")
async def raw(key: FromPath[str], request: Request[Any, Any, Any], storage: NamedDependency[Storage]) -> StoredFile:
    return await save_request_body(storage, key.lstrip("/"), request, max_size=10_000)


async def test_range_past_the_int_digit_limit_is_the_rest_of_the_file(storage: BaseStorage) -> None:
    await storage.put("a.bin", CONTENT)
    async with AsyncTestClient(Litestar([download], plugins=[StoragePlugin(storage)])) as client:
        # The reproduction: a 500 from int() on 4,301 digits.
        tail = await client.get("/files/a.bin", headers={"Range": f"bytes=10-{HUGE}"})
        assert (tail.status_code, tail.content) == (206, CONTENT[10:])
        assert tail.headers["content-range"] == f"bytes 10-{len(CONTENT) - 1}/{len(CONTENT)}"
        # A huge suffix is the whole file; a huge first byte lies past the end (416).
        suffix = await client.get("/files/a.bin", headers={"Range": f"bytes=-{HUGE}"})
        assert (suffix.status_code, suffix.content) == (206, CONTENT)
        past = await client.get("/files/a.bin", headers={"Range": f"bytes={HUGE}-"})
        assert past.status_code == 416
        # Leading zeros do not make a number big.
        zeros = await client.get("/files/a.bin", headers={"Range": f"bytes={'0' * 3000}3-{'0' * 3000}5"})
        assert (zeros.status_code, zeros.content) == (206, CONTENT[3:6])


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("Range", "bytes=²-5"),  # a Unicode digit: str.isdigit() accepts it, int() refuses it
        ("Range", "bytes=0-²"),
        ("Range", "bytes=0-5" + " " * 9000),  # longer than MAX_HEADER_LENGTH
        ("If-Modified-Since", "Mon, 01 Jan 99999999999 00:00:00 GMT"),  # past datetime's year 9999
        ("If-Modified-Since", f"Mon, 01 Jan {HUGE} 00:00:00 GMT"),
        ("If-Unmodified-Since", "Mon, 01 Jan 99999999999 00:00:00 GMT"),
        ("If-Range", "Mon, 01 Jan 99999999999 00:00:00 GMT"),
        ("If-None-Match", '"a", ' * 3000),
        ("If-None-Match", " " * 5000 + "x"),
    ],
)
async def test_malformed_optional_headers_are_ignored(storage: BaseStorage, name: str, value: str) -> None:
    await storage.put("a.bin", CONTENT)
    async with AsyncTestClient(Litestar([download], plugins=[StoragePlugin(storage)])) as client:
        response = await client.get("/files/a.bin", headers={name.encode(): _wire(value)})
        assert (response.status_code, response.content) == (200, CONTENT)


async def test_unreadable_if_match_fails_safe(storage: BaseStorage) -> None:
    await storage.put("a.bin", CONTENT)
    async with AsyncTestClient(Litestar([download], plugins=[StoragePlugin(storage)])) as client:
        etag = (await client.get("/files/a.bin")).headers["etag"]
        assert (await client.get("/files/a.bin", headers={"If-Match": etag})).status_code == 200
        # Too long, or not an entity-tag list: no bytes of a version the client did not name.
        for value in (f"{etag}, " * 2000, f"{etag} garbage", "²"):
            assert (await client.get("/files/a.bin", headers={b"If-Match": _wire(value)})).status_code == 412


async def test_raw_upload_with_a_unicode_digit_content_length(storage: BaseStorage) -> None:
    async with AsyncTestClient(Litestar([raw], plugins=[StoragePlugin(storage)])) as client:
        for length in ("²", "³", HUGE, "-1", "1e3"):
            response = await client.put("/raw/a.txt", content=b"abc", headers={b"Content-Length": _wire(length)})
            assert response.status_code < 500, (length, response.status_code)
        too_big = await client.put("/raw/b.txt", content=b"abc", headers={"Content-Length": HUGE})
        assert too_big.status_code == 413
        assert not await storage.exists("b.txt")


# -- signed links -------------------------------------------------------------------------


@pytest.fixture
def signed(tmp_path: Path) -> FileSystemStorage:
    return FileSystemStorage(FileSystemConfig(path=tmp_path / "root", base_url="/media", signing_secret=SECRET))


@pytest_asyncio.fixture
async def signed_client(signed: FileSystemStorage) -> AsyncIterator[AsyncClient]:
    await signed.put("a.txt", b"hello")
    async with AsyncTestClient(Litestar([], plugins=[StoragePlugin(signed)])) as client:
        yield client


@pytest.mark.parametrize(
    "query",
    [
        "expires=%C2%B2&signature=abc",  # the "²"
        f"expires={HUGE}&signature=abc",  # the 4,301 digits
        "expires=%D9%A3&signature=" + "A" * 43,  # Arabic-Indic three: int() reads it
        "expires=99999999999999999999&signature=" + "A" * 43,  # past datetime's range
        "expires=1&signature=%ED%A0%80",  # a lone surrogate, percent-encoded
        "expires=1&signature=" + "%C3%A9" * 43,
        "expires=-1&signature=" + "A" * 43,
        "expires=&signature=",
        "signature=" + "A" * 100_00,
    ],
)
async def test_malformed_signed_parameters_are_403(signed_client: AsyncClient, query: str) -> None:
    for method in ("GET", "HEAD", "PUT"):
        body = b"x" if method == "PUT" else None
        response = await signed_client.request(method, f"/media/a.txt?{query}", content=body)
        assert response.status_code == 403, (method, query)
        assert response.headers["x-content-type-options"] == "nosniff"


async def test_signed_link_with_a_huge_but_signed_expiry_is_403(signed_client: AsyncClient) -> None:
    # Signed by the application itself, but beyond what the verifier reads: refused, not a 500.
    url = sign_url("/media", "a.txt", SECRET, expires_at=10**12)
    assert (await signed_client.get(url)).status_code == 403


# -- keys that lead out of the filesystem root -------------------------------------------


@pytest_asyncio.fixture
async def escaping(tmp_path: Path) -> AsyncIterator[tuple[FileSystemStorage, Path]]:
    """A signing storage whose root holds a folder link and a file link leading outside."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(OUTSIDE)
    storage = FileSystemStorage(FileSystemConfig(path=tmp_path / "root", base_url="/media", signing_secret=SECRET))
    await storage.put("inside.txt", b"inside")
    os.symlink(outside, tmp_path / "root" / "out")
    os.symlink(outside / "secret.txt", tmp_path / "root" / "link.txt")
    yield storage, outside


def _signed(key: str, method: str = "GET") -> str:
    return sign_url("/media", key, SECRET, expires_at=int(time.time()) + 600, method=method)


def _assert_refused(response: Any) -> None:
    # The fs backend refuses a link leading out of its root (StoragePermissionError, 403);
    # whatever error it chooses for it, a client's key never gets a 5xx or outside bytes.
    assert response.status_code in {403, 404}, response.status_code
    assert OUTSIDE not in response.content


@pytest.mark.parametrize("exception_handlers", [True, False])
async def test_links_out_of_the_root_are_refused_on_every_route(
    escaping: tuple[FileSystemStorage, Path], exception_handlers: bool
) -> None:
    storage, outside = escaping
    site = create_static_files_router(
        path="/site", directories=["/"], file_system=StorageFileSystem(storage), resolve_symlinks=False
    )
    plugin = StoragePlugin(storage, config=StoragePluginConfig(exception_handlers=exception_handlers))
    app = Litestar([download, upload, raw, site], plugins=[plugin])
    async with AsyncTestClient(app) as client:
        assert (await client.get("/files/inside.txt")).content == b"inside"
        for key in ("out/secret.txt", "link.txt"):
            _assert_refused(await client.get(f"/files/{key}"))
            _assert_refused(await client.head(f"/files/{key}"))
            _assert_refused(await client.get(f"/files/{key}", headers={"Range": "bytes=0-3, 5-9"}))
            _assert_refused(await client.get(_signed(key)))
            _assert_refused(await client.head(_signed(key)))
            _assert_refused(await client.put(_signed(key, "PUT"), content=b"overwrite"))
            _assert_refused(await client.get(f"/site/{key}"))
            if exception_handlers:
                # The application's own upload routes rely on the plugin's handlers.
                _assert_refused(await client.post(f"/upload/{key}", files={"data": ("x", b"overwrite")}))
                _assert_refused(await client.put(f"/raw/{key}", content=b"overwrite"))
        _assert_refused(await client.put(_signed("out/new.txt", "PUT"), content=b"new"))
    assert (outside / "secret.txt").read_bytes() == OUTSIDE
    assert sorted(path.name for path in outside.iterdir()) == ["secret.txt"]


async def test_refusals_carry_nosniff(escaping: tuple[FileSystemStorage, Path]) -> None:
    storage, _ = escaping
    async with AsyncTestClient(Litestar([download], plugins=[StoragePlugin(storage)])) as client:
        for path in ("/files/link.txt", "/files/missing.txt", "/files/a/../b", _signed("link.txt")):
            response = await client.get(path)
            assert 400 <= response.status_code < 500
            assert response.headers["x-content-type-options"] == "nosniff"
