"""The tus core protocol over ASGI on memory and the filesystem: OPTIONS, HEAD and PATCH,
offsets, both assembly modes, interrupted PATCHes, the method override, flat memory.

Requests are made by hand (raw ASGI messages, tus_asgi_client.py) where the test needs what
an HTTP client cannot do on purpose: a body cut by a disconnect, or held half-sent while
another request comes in. The real-client tests (tuspy over uvicorn, every backend) are in
tests-integration/test_tus.py.
"""

from __future__ import annotations

import hashlib
import itertools
import tracemalloc
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
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

from litestar_storages import FileSystemConfig, FileSystemStorage
from litestar_storages.base import BaseStorage


async def test_options_announce_version_extensions_and_limit(storage: BaseStorage) -> None:
    app, _ = make_app(storage, max_upload_size=10_000)
    answer = await call(app, "OPTIONS", "/tus", {})
    assert answer.status == 204
    assert answer.headers["tus-version"] == "1.0.0"
    assert answer.headers["tus-resumable"] == "1.0.0"
    assert answer.headers["tus-max-size"] == "10000"
    assert set(answer.headers["tus-extension"].split(",")) >= {
        "creation",
        "creation-with-upload",
        "creation-defer-length",
        "termination",
        "expiration",
        "checksum",
    }
    assert answer.headers["tus-checksum-algorithm"] == "sha1,md5,sha256"


@pytest.mark.parametrize("size", [0, 1, PART - 1, PART, PART + 1, 3 * PART + 17])
async def test_upload_in_pieces_is_byte_identical(storage: BaseStorage, size: int) -> None:
    app, uploads = make_app(storage)
    data = payload(size)
    url = await create(app, size, **{"Upload-Metadata": f"filename {b64('ünïcode.bin'.encode())},empty"})
    head = await call(app, "HEAD", url, TUS)
    assert head.headers["upload-length"] == str(size)
    assert head.headers["upload-metadata"] == f"filename {b64('ünïcode.bin'.encode())},empty"
    assert head.headers["cache-control"] == "no-store"
    offset = 0
    # Pieces of odd sizes, across part boundaries, each PATCH a separate request.
    for piece in (PART // 3, PART, 7, 2 * PART):
        if offset >= size:
            break
        answer = await patch(app, url, offset, data[offset : offset + piece])
        assert answer.status == 204, answer.body
        offset = min(size, offset + piece)
        assert int(answer.headers["upload-offset"]) == offset
    if offset < size:
        assert (await patch(app, url, offset, data[offset:])).status == 204
    assert await offset_of(app, url) == size
    key = "uploads/" + url.rsplit("/", 1)[1]
    assert await storage.get_bytes(key) == data
    # Nothing staged is left once complete: only the state (for HEAD until expiry).
    leftovers = [name for name in await keys(storage, "tus-state/") if "/tail/" in name or "/parts/" in name]
    assert leftovers == []
    assert uploads.mode == "multipart"


async def test_staged_assembly_gives_the_same_object(storage: BaseStorage) -> None:
    app, uploads = make_app(storage, assembly="staged")
    data = payload(2 * PART + 5)
    url = await create(app, len(data))
    assert (await patch(app, url, 0, data[: PART + 3])).status == 204
    assert any("/parts/" in name for name in await keys(storage, "tus-state/"))
    assert (await patch(app, url, PART + 3, data[PART + 3 :])).status == 204
    assert await storage.get_bytes("uploads/" + url.rsplit("/", 1)[1]) == data
    assert [name for name in await keys(storage, "tus-state/") if "/parts/" in name or "/tail/" in name] == []
    assert uploads.mode == "staged"


async def test_wrong_offset_is_409_and_changes_nothing(storage: BaseStorage) -> None:
    app, _ = make_app(storage)
    url = await create(app, 100)
    assert (await patch(app, url, 0, b"a" * 10)).status == 204
    for wrong in (0, 5, 11, 100):
        answer = await patch(app, url, wrong, b"b" * 10)
        assert answer.status == 409
        assert answer.headers["tus-resumable"] == "1.0.0"
    assert await offset_of(app, url) == 10


async def test_interrupted_patch_keeps_what_arrived(storage: BaseStorage) -> None:
    app, _ = make_app(storage)
    data = payload(3 * PART + 1)
    url = await create(app, len(data))
    sent = data[: PART + 1000]
    answer = await patch(app, url, 0, Body(chunks(sent), disconnect=True))
    assert answer.status in (0, 204)  # nobody listens any more
    assert await offset_of(app, url) == len(sent)
    assert (await patch(app, url, len(sent), data[len(sent) :])).status == 204
    assert await storage.get_bytes("uploads/" + url.rsplit("/", 1)[1]) == data


async def test_method_override(storage: BaseStorage) -> None:
    app, _ = make_app(storage)
    url = await create(app, 3)
    override = {**OCTETS, "Upload-Offset": "0", "X-HTTP-Method-Override": "PATCH"}
    assert (await call(app, "POST", url, override, b"abc")).status == 204
    assert await offset_of(app, url) == 3
    assert (await call(app, "POST", url, {**TUS, "X-HTTP-Method-Override": "GET"})).status == 405
    assert (await call(app, "POST", url, {**TUS, "X-HTTP-Method-Override": "DELETE"})).status == 204
    assert (await call(app, "HEAD", url, TUS)).status == 404


async def test_http_client_round_trip(storage: BaseStorage) -> None:
    # The same through an ordinary HTTP client (httpx), as a sanity check of the headers.
    app, _ = make_app(storage)
    transport = httpx.ASGITransport(app=cast("Any", app))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        created = await client.post("/tus", headers={**TUS, "Upload-Length": "5"})
        location = created.headers["location"]
        answer = await client.patch(location, headers={**OCTETS, "Upload-Offset": "0"}, content=b"hello")
        assert answer.status_code == 204
        assert (await client.head(location, headers=TUS)).headers["upload-offset"] == "5"


# -- memory ---------------------------------------------------------------------------------


async def test_memory_stays_bounded_for_a_64_mib_upload(tmp_path: Path) -> None:
    storage = FileSystemStorage(FileSystemConfig(path=tmp_path))
    app, _ = make_app(storage, part_size=1024 * KIB)
    size = 64 * 1024 * KIB
    url = await create(app, size)
    block = payload(64 * KIB, seed=3)
    half = size // 2
    tracemalloc.start()
    try:
        # Two PATCHes of 32 MiB each, 64 KiB chunks as a server passes them on (the same
        # block each time: only the app's own buffers count).
        for start in (0, half):
            headers = {**OCTETS, "Upload-Offset": str(start), "Content-Length": str(half)}
            answer = await call(app, "PATCH", url, headers, Body(itertools.repeat(block, half // len(block))))
            assert answer.status == 204
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # About one part (1 MiB; measured 1.1 MiB alone) and a chunk in flight, never the
    # upload (64 MiB) or a PATCH (32 MiB).
    assert peak < 3 * 1024 * KIB, peak
    digest = hashlib.sha256()
    async for chunk in storage.get("uploads/" + url.rsplit("/", 1)[1]):
        digest.update(chunk)
    assert digest.hexdigest() == hashlib.sha256(block * (size // len(block))).hexdigest()
