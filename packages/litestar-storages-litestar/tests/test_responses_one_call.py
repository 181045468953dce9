"""storage_response over a storage that opens a file in one call (SupportsOpenObject: the filesystem).

The headers and the body of an answer come from one version of the file: a file
replaced (or deleted) right after the response looked at it is still served as that
version, whole and consistent, for plain, ranged, multi-range and conditional requests.
"""

from __future__ import annotations

import gc
import os
import re
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from httpx import Response
from litestar import HttpMethod, Litestar, route
from litestar.params import FromPath
from litestar.testing import AsyncTestClient

from litestar_storages import FileSystemConfig, FileSystemStorage, MemoryStorage, SupportsOpenObject
from litestar_storages.contrib import StorageResponse, storage_response
from litestar_storages.contrib.http_headers import etag_for
from litestar_storages.opened import OpenedObject
from litestar_storages.types import ProgressCallback, StoredFile

SMALL = b"the old version, small enough to be read with its metadata"
LARGE = bytes(range(256)) * 1024  # 256 KiB: streamed from the opened descriptor
NEW = b"NEW!" * 5000  # another size, another content


class Replacing(FileSystemStorage):
    """Overwrites (or deletes) a file right after the response has read its metadata.

    Counts the calls the response makes, so the tests also see which path it took.
    """

    def __init__(self, config: FileSystemConfig, *, delete: bool = False) -> None:
        super().__init__(config)
        self.armed = False
        self.delete_instead = delete
        self.calls: Counter[str] = Counter()

    async def _change(self, key: str) -> None:
        if self.armed:
            self.armed = False
            if self.delete_instead:
                await self.delete(key)
            else:
                await self.put(key, NEW)

    async def info(self, key: str) -> StoredFile:
        self.calls["info"] += 1
        found = await super().info(key)
        await self._change(key)
        return found

    async def open_object(self, key: str) -> OpenedObject:
        self.calls["open_object"] += 1
        opened = await super().open_object(key)
        await self._change(key)
        return opened

    def get(
        self, key: str, *, start: int | None = None, end: int | None = None, progress: ProgressCallback | None = None
    ) -> AsyncIterator[bytes]:
        self.calls["get"] += 1
        return super().get(key, start=start, end=end, progress=progress)


@route("/files/{key:path}", http_method=[HttpMethod.GET, HttpMethod.HEAD])
async def download(key: FromPath[str], storage: FileSystemStorage) -> StorageResponse:
    return storage_response(storage, key.lstrip("/"))


async def _request(storage: Replacing, method: str, key: str, headers: dict[str, str]) -> Response:
    app = Litestar([download], dependencies={"storage": lambda: storage})
    async with AsyncTestClient(app) as client:
        storage.armed = True
        return await client.request(method, f"/files/{key}", headers=headers)


def _parts(response: Response) -> list[tuple[str, bytes]]:
    boundary = response.headers["content-type"].partition("; boundary=")[2]
    found = []
    for part in response.content.split(f"--{boundary}".encode())[1:-1]:
        head, _, body = part.partition(b"\r\n\r\n")
        content_range = re.search(rb"Content-Range: (\S+ \S+)", head)
        assert content_range is not None
        found.append((content_range.group(1).decode(), body[:-2]))  # the CRLF before the next boundary
    return found


@pytest.mark.parametrize("content", [SMALL, LARGE], ids=["small", "large"])
@pytest.mark.parametrize("delete", [False, True], ids=["overwritten", "deleted"])
async def test_a_file_changed_after_its_metadata_was_read_is_served_as_that_version(
    tmp_path: Path, content: bytes, delete: bool
) -> None:
    storage = Replacing(FileSystemConfig(path=tmp_path), delete=delete)
    await storage.put("f.bin", content)
    stored = await FileSystemStorage.info(storage, "f.bin")
    etag = etag_for(stored)
    assert etag is not None
    size = len(content)

    plain = await _request(storage, "GET", "f.bin", {})
    assert plain.status_code == 200
    assert plain.headers["etag"] == etag
    assert plain.headers["content-length"] == str(size)
    assert plain.content == content

    await storage.put("f.bin", content)
    stored = await FileSystemStorage.info(storage, "f.bin")
    etag = etag_for(stored)
    assert etag is not None
    ranged = await _request(storage, "GET", "f.bin", {"range": "bytes=10-19"})
    assert ranged.status_code == 206
    assert ranged.headers["content-range"] == f"bytes 10-19/{size}"
    assert ranged.content == content[10:20]

    await storage.put("f.bin", content)
    etag = etag_for(await FileSystemStorage.info(storage, "f.bin"))
    assert etag is not None
    several = await _request(storage, "GET", "f.bin", {"range": "bytes=0-1, 20-29, -3"})
    assert several.status_code == 206
    assert _parts(several) == [
        ("bytes 0-1/" + str(size), content[:2]),
        ("bytes 20-29/" + str(size), content[20:30]),
        (f"bytes {size - 3}-{size - 1}/{size}", content[-3:]),
    ]

    await storage.put("f.bin", content)
    etag = etag_for(await FileSystemStorage.info(storage, "f.bin"))
    assert etag is not None
    if_range = await _request(storage, "GET", "f.bin", {"range": "bytes=5-9", "if-range": etag})
    assert if_range.status_code == 206
    assert if_range.headers["etag"] == etag
    assert if_range.content == content[5:10]

    await storage.put("f.bin", content)
    etag = etag_for(await FileSystemStorage.info(storage, "f.bin"))
    assert etag is not None
    if_match = await _request(storage, "GET", "f.bin", {"if-match": etag})
    assert if_match.status_code == 200
    assert if_match.content == content

    await storage.put("f.bin", content)
    etag = etag_for(await FileSystemStorage.info(storage, "f.bin"))
    assert etag is not None
    not_modified = await _request(storage, "GET", "f.bin", {"if-none-match": etag})
    assert not_modified.status_code == 304
    assert not_modified.headers["etag"] == etag
    # One call per answer, never info() followed by get().
    assert storage.calls == Counter({"open_object": 6})


async def test_head_and_get_answer_the_same_headers_from_one_call(tmp_path: Path) -> None:
    storage = Replacing(FileSystemConfig(path=tmp_path))
    await storage.put("page.html", LARGE, content_type="text/html")
    head = await _request(storage, "HEAD", "page.html", {"range": "bytes=0-9"})
    await storage.put("page.html", LARGE, content_type="text/html")
    got = await _request(storage, "GET", "page.html", {"range": "bytes=0-9"})
    assert head.status_code == got.status_code == 206
    assert head.content == b""
    assert got.content == LARGE[:10]
    # Each put made a new version: compare all but the version's tags.
    for name in ("etag", "last-modified"):
        head.headers.pop(name, None)
        got.headers.pop(name, None)
    assert dict(head.headers) == dict(got.headers)
    assert got.headers["content-security-policy"] == "sandbox"
    assert storage.calls == Counter({"open_object": 2})


async def test_storages_without_the_capability_keep_info_and_get() -> None:
    assert not isinstance(MemoryStorage(), SupportsOpenObject)
    assert isinstance(FileSystemStorage(FileSystemConfig(path="unused")), SupportsOpenObject)


def _descriptors() -> int:
    return len(os.listdir("/proc/self/fd" if os.path.isdir("/proc/self/fd") else "/dev/fd"))


async def test_no_descriptor_outlives_its_answer(tmp_path: Path) -> None:
    storage = Replacing(FileSystemConfig(path=tmp_path))
    await storage.put("f.bin", LARGE)
    etag = etag_for(await storage.info("f.bin"))
    assert etag is not None
    app = Litestar([download], dependencies={"storage": lambda: storage})
    requests = [
        ("GET", {}),
        ("HEAD", {}),
        ("GET", {"if-none-match": etag}),
        ("GET", {"if-match": '"other"'}),
        ("GET", {"range": "bytes=999999999-"}),
        ("GET", {"range": "bytes=0-9"}),
        ("GET", {"range": "bytes=0-9, 100-199"}),
    ]
    async with AsyncTestClient(app) as client:
        await client.get("/files/f.bin")
        gc.collect()  # what earlier tests dropped is closed now, not during the count
        before = _descriptors()
        statuses = [
            (await client.request(method, "/files/f.bin", headers=headers)).status_code
            for method, headers in requests * 5
        ]
        after = _descriptors()
    assert set(statuses) == {200, 304, 412, 416, 206}
    assert after == before
