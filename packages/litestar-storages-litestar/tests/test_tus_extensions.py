"""The tus extensions over ASGI on memory and the filesystem: creation-with-upload,
creation-defer-length, checksum, termination, expiration (and its cleanup), concatenation.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from datetime import timedelta

import pytest
from litestar.testing import AsyncTestClient
from tus_asgi_client import (
    KIB,
    OCTETS,
    PART,
    TUS,
    Body,
    b64,
    call,
    chunks,
    create,
    keys,
    make_app,
    offset_of,
    patch,
    payload,
)

from litestar_storages.base import BaseStorage


async def test_creation_with_upload(storage: BaseStorage) -> None:
    app, _ = make_app(storage)
    data = payload(PART + 10)
    answer = await call(
        app, "POST", "/tus", {**OCTETS, "Upload-Length": str(len(data)), "Content-Length": "100"}, data[:100]
    )
    assert answer.status == 201
    assert answer.headers["upload-offset"] == "100"
    url = answer.headers["location"].removeprefix("http://testserver")
    assert (await patch(app, url, 100, data[100:])).status == 204
    assert await storage.get_bytes("uploads/" + url.rsplit("/", 1)[1]) == data


async def test_creation_with_upload_needs_the_offset_content_type(storage: BaseStorage) -> None:
    app, _ = make_app(storage)
    answer = await call(app, "POST", "/tus", {**TUS, "Upload-Length": "5", "Content-Length": "5"}, b"hello")
    assert answer.status == 415
    assert await keys(storage) == []


async def test_deferred_length(storage: BaseStorage) -> None:
    app, _ = make_app(storage)
    data = payload(PART + 99)
    url = await create(app, None)
    head = await call(app, "HEAD", url, TUS)
    assert head.headers["upload-defer-length"] == "1"
    assert "upload-length" not in head.headers
    assert (await patch(app, url, 0, data[:PART])).status == 204
    done = await patch(app, url, PART, data[PART:], **{"Upload-Length": str(len(data))})
    assert done.status == 204
    assert (await call(app, "HEAD", url, TUS)).headers["upload-length"] == str(len(data))
    assert await storage.get_bytes("uploads/" + url.rsplit("/", 1)[1]) == data
    # The length, once known, cannot change.
    again = await create(app, None)
    assert (await patch(app, again, 0, b"abc", **{"Upload-Length": "10"})).status == 204
    assert (await patch(app, again, 3, b"d", **{"Upload-Length": "11"})).status == 400


@pytest.mark.parametrize("algorithm", ["sha1", "md5", "sha256"])
async def test_checksums(storage: BaseStorage, algorithm: str) -> None:
    app, _ = make_app(storage)
    data = payload(PART + 50)
    url = await create(app, len(data))
    assert (await patch(app, url, 0, data[:20])).status == 204
    before = await keys(storage)
    digest = hashlib.new(algorithm, data[20:]).digest()
    wrong = hashlib.new(algorithm, data[20:] + b"!").digest()
    mismatch = await patch(app, url, 20, data[20:], **{"Upload-Checksum": f"{algorithm} {b64(wrong)}"})
    assert mismatch.status == 460
    # Nothing of the refused PATCH is kept: the same objects, the same offset.
    assert await keys(storage) == before
    assert await offset_of(app, url) == 20
    good = await patch(app, url, 20, data[20:], **{"Upload-Checksum": f"{algorithm} {b64(digest)}"})
    assert good.status == 204
    assert await storage.get_bytes("uploads/" + url.rsplit("/", 1)[1]) == data


async def test_unknown_checksum_algorithm_is_400(storage: BaseStorage) -> None:
    app, _ = make_app(storage)
    url = await create(app, 3)
    answer = await patch(app, url, 0, b"abc", **{"Upload-Checksum": f"crc32 {b64(b'1234')}"})
    assert answer.status == 400
    assert await offset_of(app, url) == 0


async def test_termination(storage: BaseStorage) -> None:
    app, _ = make_app(storage)
    url = await create(app, 3 * PART)
    assert (await patch(app, url, 0, payload(PART + 5))).status == 204
    assert (await call(app, "DELETE", url, TUS)).status == 204
    assert (await call(app, "HEAD", url, TUS)).status == 404
    assert (await patch(app, url, PART + 5, b"x")).status == 404
    assert (await call(app, "DELETE", url, TUS)).status == 404
    assert await keys(storage) == []


async def test_interrupted_patch_with_a_checksum_keeps_nothing(storage: BaseStorage) -> None:
    app, _ = make_app(storage)
    data = payload(2 * PART)
    url = await create(app, len(data))
    checksum = {"Upload-Checksum": f"sha1 {b64(hashlib.sha1(data, usedforsecurity=False).digest())}"}
    await patch(app, url, 0, Body(chunks(data[: PART + 7]), disconnect=True), **checksum)
    assert await offset_of(app, url) == 0


async def test_expiry_and_cleanup(storage: BaseStorage) -> None:
    app, uploads = make_app(storage, expires_in=timedelta(hours=1))
    now = [1_000_000.0]
    uploads.clock = lambda: now[0]
    finished = await create(app, 4)
    assert (await patch(app, finished, 0, b"done")).status == 204
    url = await create(app, 2 * PART)
    answer = await patch(app, url, 0, payload(PART + 3))
    assert answer.headers["upload-expires"] == "Mon, 12 Jan 1970 14:46:40 GMT"
    assert await uploads.cleanup_expired() == 0
    now[0] += 3601
    assert (await call(app, "HEAD", url, TUS)).status == 410
    assert (await patch(app, url, PART + 3, b"x")).status == 410
    assert await uploads.cleanup_expired() == 2
    # Expired state, staged tail and parts are gone; the finished upload's object stays.
    assert await keys(storage) == ["uploads/" + finished.rsplit("/", 1)[1]]
    assert (await call(app, "HEAD", url, TUS)).status == 404


async def test_lifespan_cleanup(storage: BaseStorage) -> None:
    app, uploads = make_app(storage, expires_in=timedelta(seconds=1), cleanup_interval=timedelta(hours=1))
    url = await create(app, 10)
    assert (await patch(app, url, 0, b"12345")).status == 204
    uploads.clock = lambda: time.time() + 2
    async with AsyncTestClient(app):
        for _ in range(500):  # the cleanup task runs at startup, beside the app
            if not await keys(storage):
                break
            await asyncio.sleep(0.01)
    assert await keys(storage) == []


async def test_lengths_beyond_10000_parts(storage: BaseStorage, monkeypatch: pytest.MonkeyPatch) -> None:
    app, _ = make_app(storage)
    # Announced: parts above 64 MiB would be needed (memory per PATCH is one part).
    assert (await call(app, "POST", "/tus", {**TUS, "Upload-Length": str(2**62)})).status == 413
    assert (await call(app, "POST", "/tus", {**TUS, "Upload-Length": str(10_000 * 64 * 1024 * KIB + 1)})).status == 413
    # Deferred: refused when the part after the last allowed one fills.
    monkeypatch.setattr("litestar_storages.contrib.tus.assembly.MAX_PART_NUMBER", 2)
    url = await create(app, None)
    assert (await patch(app, url, 0, payload(2 * PART))).status == 204
    assert (await patch(app, url, 2 * PART, payload(PART))).status == 413
    assert await offset_of(app, url) == 2 * PART


async def test_concatenation(storage: BaseStorage) -> None:
    app, uploads = make_app(storage)
    pieces = [payload(PART + 3, seed=1), payload(10, seed=2), payload(2 * PART, seed=3)]
    urls = []
    for piece in pieces:
        answer = await call(
            app,
            "POST",
            "/tus",
            {**OCTETS, "Upload-Concat": "partial", "Upload-Length": str(len(piece)), "Content-Length": str(len(piece))},
            piece,
        )
        assert answer.status == 201
        urls.append(answer.headers["location"])
    head = await call(app, "HEAD", urls[0].removeprefix("http://testserver"), TUS)
    assert head.headers["upload-concat"] == "partial"
    # Partial uploads are not files of the application: only state objects exist.
    assert [name for name in await keys(storage) if not name.startswith("tus-state/")] == []
    concat = "final;" + " ".join(urls)
    final = await call(app, "POST", "/tus", {**TUS, "Upload-Concat": concat})
    assert final.status == 201
    path = final.headers["location"].removeprefix("http://testserver")
    head = await call(app, "HEAD", path, TUS)
    assert (head.headers["upload-concat"], head.headers["upload-length"]) == (concat, str(sum(map(len, pieces))))
    assert head.headers["upload-offset"] == head.headers["upload-length"]
    assert await storage.get_bytes("uploads/" + path.rsplit("/", 1)[1]) == b"".join(pieces)
    assert (await patch(app, path, 0, b"x")).status == 403
    # Only finished partial uploads can be gathered.
    ordinary = await create(app, 3)
    unfinished = await call(app, "POST", "/tus", {**TUS, "Upload-Concat": "partial", "Upload-Length": "3"})
    for wrong in (ordinary, unfinished.headers["location"], path):
        assert (await call(app, "POST", "/tus", {**TUS, "Upload-Concat": f"final;{wrong}"})).status == 400
    for hostile in ("final;", "final", "partial;x", "final;/tus/../../etc", "full;/tus/" + "0" * 32):
        assert (await call(app, "POST", "/tus", {**TUS, "Upload-Concat": hostile})).status in (400, 404), hostile
    with_length = {**TUS, "Upload-Concat": f"final;{urls[0]}", "Upload-Length": "3"}
    assert (await call(app, "POST", "/tus", with_length)).status == 400
    uploads.clock = lambda: time.time() + 2 * 86400
    assert await uploads.cleanup_expired() == 6  # 3 partial, the final, 2 refused
    assert await keys(storage) == ["uploads/" + path.rsplit("/", 1)[1]]
