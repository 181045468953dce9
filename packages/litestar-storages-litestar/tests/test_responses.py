"""storage_response: headers and every status (200, 206, 304, 404, 412, 416, 307), on each backend."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from email.utils import parsedate_to_datetime

import pytest
import pytest_asyncio
from httpx import AsyncClient, Headers
from litestar import HttpMethod, Litestar, get, route
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.testing import AsyncTestClient

from litestar_storages import Storage, StoragePlugin
from litestar_storages.base import BaseStorage
from litestar_storages.contrib import StorageResponse, storage_response
from litestar_storages.contrib.http_headers import etag_for

CONTENT = bytes(range(256)) * 40  # 10240 bytes


@route("/files/{key:path}", http_method=[HttpMethod.GET, HttpMethod.HEAD])
async def download(
    key: FromPath[str],
    storage: NamedDependency[Storage],
    name: FromQuery[str | None] = None,
    attachment: FromQuery[bool] = False,
) -> StorageResponse:
    return storage_response(storage, key.lstrip("/"), filename=name, attachment=attachment)


@get("/cached/{key:path}")
async def cached(key: FromPath[str], storage: NamedDependency[Storage]) -> StorageResponse:
    return storage_response(storage, key.lstrip("/"), headers={"Cache-Control": "max-age=60"})


@get("/go/{key:path}")
async def go(key: FromPath[str], storage: NamedDependency[Storage]) -> StorageResponse:
    return storage_response(storage, key.lstrip("/"), redirect=True, expires_in=timedelta(minutes=5))


@get("/save/{key:path}")
async def save_as(key: FromPath[str], storage: NamedDependency[Storage]) -> StorageResponse:
    return storage_response(storage, key.lstrip("/"), redirect=True, attachment=True)


@pytest_asyncio.fixture
async def client(storage: BaseStorage) -> AsyncIterator[AsyncClient]:
    await storage.put("media/clip.bin", CONTENT, content_type="video/mp4")
    await storage.put("docs/résumé.txt", b"hello")
    await storage.put("empty.txt", b"")
    app = Litestar([download, cached, go, save_as], plugins=[StoragePlugin(storage)])
    async with AsyncTestClient(app) as test_client:
        yield test_client


async def test_200_headers_and_body(client: AsyncClient, storage: BaseStorage) -> None:
    response = await client.get("/files/media/clip.bin")
    assert response.status_code == 200
    assert response.content == CONTENT
    info = await storage.info("media/clip.bin")
    assert response.headers["content-type"] == "video/mp4"
    assert response.headers["content-length"] == str(len(CONTENT))
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["etag"] == etag_for(info)
    assert info.etag is not None
    assert info.etag.strip('"') in response.headers["etag"]
    assert info.last_modified is not None
    assert parsedate_to_datetime(response.headers["last-modified"]) == info.last_modified.replace(microsecond=0)
    assert response.headers["content-disposition"] == 'inline; filename="clip.bin"'


async def test_content_type_guessed_and_non_ascii_attachment(client: AsyncClient) -> None:
    response = await client.get("/files/docs/résumé.txt", params={"attachment": "true"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert response.headers["content-disposition"] == (
        "attachment; filename=\"resume.txt\"; filename*=UTF-8''r%C3%A9sum%C3%A9.txt"
    )
    renamed = await client.get("/files/docs/résumé.txt", params={"name": "cv.txt"})
    assert renamed.headers["content-disposition"] == 'inline; filename="cv.txt"'


async def test_206_single_range(client: AsyncClient) -> None:
    response = await client.get("/files/media/clip.bin", headers={"Range": "bytes=100-299"})
    assert response.status_code == 206
    assert response.content == CONTENT[100:300]
    assert response.headers["content-range"] == f"bytes 100-299/{len(CONTENT)}"
    assert response.headers["content-length"] == "200"


@pytest.mark.parametrize(
    ("header", "expected"),
    [("bytes=-10", CONTENT[-10:]), ("bytes=10000-", CONTENT[10000:]), ("bytes=10200-99999", CONTENT[10200:])],
)
async def test_206_suffix_and_open_ranges(client: AsyncClient, header: str, expected: bytes) -> None:
    response = await client.get("/files/media/clip.bin", headers={"Range": header})
    assert response.status_code == 206
    assert response.content == expected
    assert response.headers["content-range"].endswith(f"/{len(CONTENT)}")


async def test_multiple_ranges_as_multipart_byteranges(client: AsyncClient) -> None:
    response = await client.get("/files/media/clip.bin", headers={"Range": "bytes=0-1, 5-6, -3"})
    assert response.status_code == 206
    media_type, _, boundary = response.headers["content-type"].partition("; boundary=")
    assert media_type == "multipart/byteranges"
    assert "content-range" not in response.headers
    assert int(response.headers["content-length"]) == len(response.content)
    parts = response.content.split(f"--{boundary}".encode())
    assert parts[0] == b"\r\n"
    assert parts[-1] == b"--\r\n"
    size = len(CONTENT)
    expected = [(0, 1), (5, 6), (size - 3, size - 1)]
    assert len(parts[1:-1]) == len(expected)
    for part, (first, last) in zip(parts[1:-1], expected, strict=True):
        head, _, data = part.partition(b"\r\n\r\n")
        lines = head.decode().strip().split("\r\n")
        assert lines == ["Content-Type: video/mp4", f"Content-Range: bytes {first}-{last}/{size}"]
        assert data == CONTENT[first : last + 1] + b"\r\n"


async def test_overlapping_ranges_merge_into_one(client: AsyncClient) -> None:
    response = await client.get("/files/media/clip.bin", headers={"Range": "bytes=4-9, 0-5"})
    assert response.status_code == 206
    assert response.headers["content-range"] == f"bytes 0-9/{len(CONTENT)}"
    assert response.content == CONTENT[:10]


async def test_head_of_multiple_ranges(client: AsyncClient) -> None:
    get = await client.get("/files/media/clip.bin", headers={"Range": "bytes=0-1,5-6"})
    head = await client.head("/files/media/clip.bin", headers={"Range": "bytes=0-1,5-6"})
    assert head.status_code == 206
    assert head.content == b""
    assert head.headers["content-length"] == get.headers["content-length"]
    assert head.headers["content-type"].startswith("multipart/byteranges; boundary=")


async def test_416_unsatisfiable(client: AsyncClient) -> None:
    response = await client.get("/files/media/clip.bin", headers={"Range": f"bytes={len(CONTENT)}-"})
    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{len(CONTENT)}"
    assert response.content == b""
    empty = await client.get("/files/empty.txt", headers={"Range": "bytes=0-"})
    assert empty.status_code == 416


async def test_if_range_with_a_stale_tag_sends_the_whole_file(client: AsyncClient) -> None:
    etag = (await client.get("/files/media/clip.bin")).headers["etag"]
    fresh = await client.get("/files/media/clip.bin", headers={"Range": "bytes=0-9", "If-Range": etag})
    assert fresh.status_code == 206
    stale = await client.get("/files/media/clip.bin", headers={"Range": "bytes=0-9", "If-Range": '"stale"'})
    assert stale.status_code == 200
    assert stale.content == CONTENT


async def test_304_if_none_match(client: AsyncClient) -> None:
    first = await client.get("/files/media/clip.bin")
    response = await client.get("/files/media/clip.bin", headers={"If-None-Match": first.headers["etag"]})
    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == first.headers["etag"]
    other = await client.get("/files/media/clip.bin", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200


async def test_304_if_modified_since(client: AsyncClient) -> None:
    first = await client.get("/files/media/clip.bin")
    response = await client.get("/files/media/clip.bin", headers={"If-Modified-Since": first.headers["last-modified"]})
    assert response.status_code == 304
    old = await client.get("/files/media/clip.bin", headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})
    assert old.status_code == 200


async def test_412_if_match(client: AsyncClient, storage: BaseStorage) -> None:
    etag = (await client.get("/files/media/clip.bin")).headers["etag"]
    resumed = await client.get("/files/media/clip.bin", headers={"If-Match": etag, "Range": "bytes=5-"})
    assert resumed.status_code == 206
    assert resumed.content == CONTENT[5:]
    await storage.put("media/clip.bin", b"another version", content_type="video/mp4")
    changed = await client.get("/files/media/clip.bin", headers={"If-Match": etag, "Range": "bytes=5-"})
    assert changed.status_code == 412
    assert changed.content == b""
    assert "content-range" not in changed.headers
    head = await client.head("/files/media/clip.bin", headers={"If-Match": etag})
    assert head.status_code == 412


async def test_412_if_unmodified_since(client: AsyncClient) -> None:
    first = await client.get("/files/media/clip.bin")
    current = await client.get("/files/media/clip.bin", headers={"If-Unmodified-Since": first.headers["last-modified"]})
    assert current.status_code == 200
    assert current.content == CONTENT
    old = await client.get("/files/media/clip.bin", headers={"If-Unmodified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})
    assert old.status_code == 412


async def test_304_after_change_is_200(client: AsyncClient, storage: BaseStorage) -> None:
    first = await client.get("/files/media/clip.bin")
    await storage.put("media/clip.bin", b"new content", content_type="video/mp4")
    response = await client.get("/files/media/clip.bin", headers={"If-None-Match": first.headers["etag"]})
    assert response.status_code == 200
    assert response.content == b"new content"


@pytest.mark.parametrize("key", ["missing.txt", "media/missing.bin", "bad%5Cslash.txt"])
async def test_404_for_missing_or_impossible_keys(client: AsyncClient, key: str) -> None:
    response = await client.get(f"/files/{key}")
    assert response.status_code == 404


async def test_head_sends_headers_without_body(client: AsyncClient) -> None:
    response = await client.head("/files/media/clip.bin")
    assert response.status_code == 200
    assert response.headers["content-length"] == str(len(CONTENT))
    assert response.content == b""
    assert (await client.head("/files/nope")).status_code == 404


async def test_empty_file(client: AsyncClient) -> None:
    response = await client.get("/files/empty.txt")
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["content-length"] == "0"


async def test_extra_headers_kept(client: AsyncClient) -> None:
    response = await client.get("/cached/media/clip.bin")
    assert response.headers["cache-control"] == "max-age=60"
    not_modified = await client.get("/cached/media/clip.bin", headers={"If-None-Match": response.headers["etag"]})
    assert not_modified.status_code == 304
    assert not_modified.headers["cache-control"] == "max-age=60"


async def test_redirect_mode(client: AsyncClient, storage: BaseStorage) -> None:
    response = await client.get("/go/media/clip.bin", follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == await storage.url("media/clip.bin", expires_in=timedelta(minutes=5))
    assert response.content == b""


async def test_redirect_mode_does_not_check_existence(client: AsyncClient, storage: BaseStorage) -> None:
    response = await client.get("/go/not/there.txt", follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == await storage.url("not/there.txt", expires_in=timedelta(minutes=5))


async def test_redirect_mode_with_attachment(client: AsyncClient, storage: BaseStorage) -> None:
    response = await client.get("/save/media/clip.bin", follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == await storage.url("media/clip.bin", filename="clip.bin")


async def test_file_deleted_between_info_and_download_is_404(storage: BaseStorage) -> None:
    class Vanishing:
        """Delegates to the storage but deletes the file right after info().

        It offers no ``open_object``: the response then calls ``info`` and ``get``, the
        path this test pins (the one-call path is in test_responses_one_call.py).
        """

        def __getattr__(self, name: str) -> object:
            if name == "open_object":
                raise AttributeError(name)
            return getattr(storage, name)

        async def info(self, key: str) -> object:
            found = await storage.info(key)
            await storage.delete(key)
            return found

    await storage.put("gone.txt", b"x")

    @get("/v/{key:path}")
    async def vanishing(key: FromPath[str]) -> StorageResponse:
        return storage_response(Vanishing(), key.lstrip("/"))  # type: ignore[arg-type]

    async with AsyncTestClient(Litestar([vanishing])) as client:
        response = await client.get("/v/gone.txt")
    assert response.status_code == 404


@pytest.mark.parametrize("key", ["docs/résumé.txt", "media/clip.bin"])
@pytest.mark.parametrize("range_header", [None, "bytes=0-1", "bytes=0-1,3-4"])
async def test_head_and_get_send_the_same_headers(client: AsyncClient, key: str, range_header: str | None) -> None:
    # A HEAD answers what the GET would: a cache or a download manager that sized or typed
    # the file with a HEAD must not see another Content-Type on the GET.
    headers = {"range": range_header} if range_header else {}
    got = await client.get(f"/files/{key}", headers=headers)
    head = await client.head(f"/files/{key}", headers=headers)
    assert got.status_code == head.status_code == (200 if range_header is None else 206)
    assert head.content == b""
    # Each answer draws its own multipart boundary (of the same length): compare the rest.
    assert _without_boundary(head.headers) == _without_boundary(got.headers)
    if range_header is None or "," not in range_header:
        assert head.headers["content-type"] == ("text/plain" if key.endswith(".txt") else "video/mp4")


def _without_boundary(headers: Headers) -> dict[str, str]:
    found = dict(headers)
    found["content-type"] = re.sub(r"boundary=\w+", "boundary=", found["content-type"])
    return found
