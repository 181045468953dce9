"""The tus routes over ASGI on memory and the filesystem: protocol, state in the storage, hostile input.

Requests are made by hand (raw ASGI messages) where the test needs what an HTTP
client cannot do on purpose: a body cut by a disconnect, or held half-sent while
another request comes in. The real-client tests (tuspy over uvicorn, every backend)
are in tests-integration/test_tus.py.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import itertools
import time
import tracemalloc
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar import Litestar
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers import BaseRouteHandler
from litestar.testing import AsyncTestClient

from litestar_storages import FileSystemConfig, FileSystemStorage, MemoryStorage
from litestar_storages.base import BaseStorage
from litestar_storages.contrib import StoragePlugin, StoragePluginConfig
from litestar_storages.contrib.tus import TusConfig, TusError, TusUpload, TusUploads
from litestar_storages.contrib.tus.service import PatchRequest
from litestar_storages.exceptions import ConfigurationError

KIB = 1024
PART = 256 * KIB  # the smallest part size (GCS's unit): tests cross part boundaries cheaply
TUS = {"Tus-Resumable": "1.0.0"}
OCTETS = {**TUS, "Content-Type": "application/offset+octet-stream"}


def payload(size: int, seed: int = 0) -> bytes:
    block = hashlib.sha256(str(seed).encode()).digest() * 2048  # 64 KiB, not periodic per part
    return (block * (size // len(block) + 1))[:size]


def b64(value: bytes) -> str:
    return base64.b64encode(value).decode()


def make_app(storage: BaseStorage, **options: Any) -> tuple[Litestar, TusUploads]:
    max_upload_size = options.pop("max_upload_size", None)
    options.setdefault("part_size", PART)
    config = StoragePluginConfig(max_upload_size=max_upload_size, tus=(TusConfig(**options),))
    plugin = StoragePlugin(storage, config=config)
    return Litestar(plugins=[plugin]), plugin.tus[config.tus[0].route_path]


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes = b""


@dataclass
class Body:
    """A request body sent chunk by chunk; ``gate`` holds it before the last chunk."""

    chunks: Iterable[bytes]
    disconnect: bool = False
    gate: asyncio.Event | None = None
    reached_gate: asyncio.Event = field(default_factory=asyncio.Event)


async def call(
    app: Litestar,
    method: str,
    path: str,
    headers: dict[str, str],
    body: Body | bytes | None = None,
    *,
    root_path: str = "",
) -> Answer:
    """One request through the ASGI interface, the body as ``Body`` says."""
    if body is None or isinstance(body, bytes):
        body = Body([body] if body else [])
    chunks = iter(body.chunks)
    finished = False
    answer = Answer(0, {})

    async def receive() -> dict[str, Any]:
        nonlocal finished
        if finished:
            await asyncio.Event().wait()  # nothing more: a real server waits too
        chunk = next(chunks, None)
        if chunk is not None:
            return {"type": "http.request", "body": chunk, "more_body": True}
        finished = True
        body.reached_gate.set()
        if body.gate is not None:
            await body.gate.wait()
        return {"type": "http.disconnect"} if body.disconnect else {"type": "http.request", "body": b""}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer.status = message["status"]
            answer.headers = {k.decode().lower(): v.decode() for k, v in message["headers"]}
        elif message["type"] == "http.response.body":
            answer.body += message.get("body", b"")

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": root_path + path,
        "raw_path": (root_path + path).encode(),
        "root_path": root_path,
        "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 5000),
        "state": {},
    }
    await app(scope, receive, send)  # type: ignore[arg-type]
    return answer


async def create(app: Litestar, length: int | None, path: str = "/tus", **headers: str) -> str:
    extra = {"Upload-Length": str(length)} if length is not None else {"Upload-Defer-Length": "1"}
    answer = await call(app, "POST", path, {**TUS, **extra, **headers})
    assert answer.status == 201, answer.body
    location = answer.headers["location"]
    assert location.startswith(f"http://testserver{path}/")
    return location.removeprefix("http://testserver")


async def patch(app: Litestar, url: str, offset: int, body: Body | bytes, **headers: str) -> Answer:
    size = sum(map(len, list(body.chunks))) if isinstance(body, Body) else len(body)
    extra = {} if isinstance(body, Body) and body.disconnect else {"Content-Length": str(size)}
    return await call(app, "PATCH", url, {**OCTETS, "Upload-Offset": str(offset), **extra, **headers}, body)


async def offset_of(app: Litestar, url: str) -> int:
    answer = await call(app, "HEAD", url, TUS)
    assert answer.status == 200, answer
    return int(answer.headers["upload-offset"])


async def keys(storage: BaseStorage, prefix: str = "") -> list[str]:
    return [stored.key async for stored in storage.list(prefix)]


def chunks(data: bytes, size: int = 64 * KIB) -> list[bytes]:
    return [data[index : index + size] for index in range(0, len(data), size)]


# -- the protocol -------------------------------------------------------------------------


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


async def test_wrong_offset_is_409_and_changes_nothing(storage: BaseStorage) -> None:
    app, _ = make_app(storage)
    url = await create(app, 100)
    assert (await patch(app, url, 0, b"a" * 10)).status == 204
    for wrong in (0, 5, 11, 100):
        answer = await patch(app, url, wrong, b"b" * 10)
        assert answer.status == 409
        assert answer.headers["tus-resumable"] == "1.0.0"
    assert await offset_of(app, url) == 10


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


async def test_a_new_app_over_the_same_storage_resumes(tmp_path: Path) -> None:
    # A restart: a new process has nothing but the folder.
    data = payload(2 * PART + 11)
    first, _ = make_app(FileSystemStorage(FileSystemConfig(path=tmp_path)))
    url = await create(first, len(data))
    assert (await patch(first, url, 0, data[: PART + 100])).status == 204
    second, _ = make_app(FileSystemStorage(FileSystemConfig(path=tmp_path)))
    assert await offset_of(second, url) == PART + 100
    assert (await patch(second, url, PART + 100, data[PART + 100 :])).status == 204
    assert (tmp_path / "uploads" / url.rsplit("/", 1)[1]).read_bytes() == data


async def test_two_apps_serve_alternate_patches(tmp_path: Path) -> None:
    apps = [make_app(FileSystemStorage(FileSystemConfig(path=tmp_path)))[0] for _ in range(2)]
    data = payload(5 * PART + 3)
    url = await create(apps[0], len(data))
    offset, turn, step = 0, 0, PART // 2 + 1
    while offset < len(data):
        answer = await patch(apps[turn % 2], url, offset, data[offset : offset + step])
        assert answer.status == 204
        offset = int(answer.headers["upload-offset"])
        turn += 1
    assert turn == 10
    assert (tmp_path / "uploads" / url.rsplit("/", 1)[1]).read_bytes() == data


async def test_concurrent_patches_at_one_offset(storage: BaseStorage) -> None:
    # Two apps over one storage (two processes behind a load balancer).
    apps = [make_app(storage)[0] for _ in range(2)]
    data = payload(2 * PART)
    url = await create(apps[0], len(data))
    gate = asyncio.Event()
    held = Body(chunks(data[: PART + 10]), gate=gate)
    first = asyncio.create_task(patch(apps[0], url, 0, held))
    await held.reached_gate.wait()
    rival = await patch(apps[1], url, 0, b"X" * (PART + 10))
    assert rival.status == 409
    gate.set()
    assert (await first).status == 204
    assert (await patch(apps[1], url, PART + 10, data[PART + 10 :])).status == 204
    assert await storage.get_bytes("uploads/" + url.rsplit("/", 1)[1]) == data


async def test_a_dead_lock_is_taken_over_after_the_timeout(storage: BaseStorage) -> None:
    app, uploads = make_app(storage, lock_timeout=timedelta(seconds=30))
    url = await create(app, 10)
    upload_id = url.rsplit("/", 1)[1]
    # A PATCH whose process died: its lock stays, written 31 s ago.
    await uploads.store.write_json(
        f"tus-state/{upload_id}/lock/0000000000/000000.json", {"owner": "dead", "at": 0.0}, overwrite=False
    )
    assert (await patch(app, url, 0, b"0123456789")).status == 204
    assert await storage.get_bytes(f"uploads/{upload_id}") == b"0123456789"


async def test_a_live_lock_refuses(storage: BaseStorage) -> None:
    app, uploads = make_app(storage)
    url = await create(app, 10)
    upload_id = url.rsplit("/", 1)[1]
    await uploads.store.write_json(
        f"tus-state/{upload_id}/lock/0000000000/000000.json",
        {"owner": "alive", "at": uploads.clock()},
        overwrite=False,
    )
    assert (await patch(app, url, 0, b"0123456789")).status == 409
    assert await offset_of(app, url) == 0


async def test_a_patch_from_a_state_extended_meanwhile_writes_no_part(storage: BaseStorage) -> None:
    # Process C read the state, then process A extended it and released its lock: C
    # must not send parts numbered from the old state (they would replace A's).
    app, uploads = make_app(storage)
    data = payload(2 * PART + 9)
    url = await create(app, len(data))
    upload_id = url.rsplit("/", 1)[1]
    info, before = await uploads.find(upload_id)
    assert (await patch(app, url, 0, data[: PART + 1])).status == 204

    async def rival_body() -> AsyncIterator[bytes]:
        yield b"X" * (PART + 1)

    rival = PatchRequest(
        offset=0, length=None, content_length=PART + 1, checksum=None, body=rival_body(), max_size=None
    )
    with pytest.raises(TusError) as refused:
        await uploads.append(info, before, rival)
    assert refused.value.status_code == 409
    assert (await patch(app, url, PART + 1, data[PART + 1 :])).status == 204
    assert await storage.get_bytes(f"uploads/{upload_id}") == data


async def test_a_stalled_patch_whose_lock_was_taken_over_records_nothing(storage: BaseStorage) -> None:
    app, uploads = make_app(storage)
    url = await create(app, 2 * PART)
    upload_id = url.rsplit("/", 1)[1]
    gate = asyncio.Event()
    held = Body(chunks(payload(PART + 10)), gate=gate)
    stalled = asyncio.create_task(patch(app, url, 0, held))
    await held.reached_gate.wait()
    # Meanwhile its lock went stale and another PATCH took it over (generation 1).
    await uploads.store.write_json(
        f"tus-state/{upload_id}/lock/0000000000/000001.json", {"owner": "taker", "at": uploads.clock()}, overwrite=False
    )
    gate.set()
    assert (await stalled).status == 409
    assert await offset_of(app, url) == 0
    assert [name for name in await keys(storage) if "/tail/" in name] == []


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


async def test_method_override(storage: BaseStorage) -> None:
    app, _ = make_app(storage)
    url = await create(app, 3)
    override = {**OCTETS, "Upload-Offset": "0", "X-HTTP-Method-Override": "PATCH"}
    assert (await call(app, "POST", url, override, b"abc")).status == 204
    assert await offset_of(app, url) == 3
    assert (await call(app, "POST", url, {**TUS, "X-HTTP-Method-Override": "GET"})).status == 405
    assert (await call(app, "POST", url, {**TUS, "X-HTTP-Method-Override": "DELETE"})).status == 204
    assert (await call(app, "HEAD", url, TUS)).status == 404


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


async def test_location_behind_a_path_prefix(storage: BaseStorage) -> None:
    app, _ = make_app(storage, path="/api/files/")
    answer = await call(app, "POST", "/api/files", {**TUS, "Upload-Length": "3"}, root_path="/proxy")
    assert answer.status == 201
    location = answer.headers["location"]
    assert location.startswith("http://testserver/proxy/api/files/")
    path = location.removeprefix("http://testserver/proxy")
    assert (await call(app, "PATCH", path, {**OCTETS, "Upload-Offset": "0"}, b"abc", root_path="/proxy")).status == 204


async def test_key_policy_and_content_type(storage: BaseStorage) -> None:
    def key(upload: TusUpload) -> str:
        return f"media/{upload.id}-{upload.metadata.get('filename', 'x')}"

    app, _ = make_app(storage, key=key)
    url = await create(app, 4, **{"Upload-Metadata": f"filename {b64(b'a.png')},filetype {b64(b'text/html')}"})
    assert (await patch(app, url, 0, b"\x89PNG")).status == 204
    stored = await storage.info(f"media/{url.rsplit('/', 1)[1]}-a.png")
    assert stored.content_type == "image/png"  # the key's, not the client's claim
    bad = await call(
        app, "POST", "/tus", {**TUS, "Upload-Length": "4", "Upload-Metadata": f"filename {b64(b'../../etc')}"}
    )
    assert bad.status == 400


async def test_trusted_client_content_type(storage: BaseStorage) -> None:
    app, _ = make_app(storage, trust_client_content_type=True)
    url = await create(app, 2, **{"Upload-Metadata": f"filetype {b64(b'image/webp')}"})
    assert (await patch(app, url, 0, b"ok")).status == 204
    assert (await storage.info("uploads/" + url.rsplit("/", 1)[1])).content_type == "image/webp"


async def test_upload_limit(storage: BaseStorage) -> None:
    app, _ = make_app(storage, max_upload_size=100)
    assert (await call(app, "POST", "/tus", {**TUS, "Upload-Length": "101"})).status == 413
    url = await create(app, None)
    answer = await patch(app, url, 0, Body(chunks(b"x" * 150, 50)))
    assert answer.status == 413
    assert await offset_of(app, url) == 0
    assert (await patch(app, url, 0, b"x" * 60, **{"Upload-Length": "101"})).status == 413


async def test_guards_protect_every_route(storage: BaseStorage) -> None:
    def only_with_token(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if connection.headers.get("authorization") != "Bearer ok":
            raise NotAuthorizedException

    app, _ = make_app(storage, guards=[only_with_token])
    assert (await call(app, "POST", "/tus", {**TUS, "Upload-Length": "3"})).status == 401
    auth = {"Authorization": "Bearer ok"}
    url = await create(app, 3, **auth)
    assert (await call(app, "HEAD", url, TUS)).status == 401
    assert (await patch(app, url, 0, b"abc")).status == 401
    assert (await call(app, "DELETE", url, TUS)).status == 401
    assert (await patch(app, url, 0, b"abc", **auth)).status == 204


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


def test_configuration_is_checked() -> None:
    with pytest.raises(ConfigurationError):
        TusConfig(path="tus")
    with pytest.raises(ConfigurationError):
        TusConfig(part_size=0)
    with pytest.raises(ConfigurationError):
        TusConfig(expires_in=timedelta(0))
    with pytest.raises(ConfigurationError):
        TusConfig(state_prefix="../x")
    with pytest.raises(ConfigurationError):
        StoragePluginConfig(tus=(TusConfig(), TusConfig()))
    with pytest.raises(ConfigurationError):
        StoragePlugin(MemoryStorage(), config=StoragePluginConfig(tus=(TusConfig(storage="missing"),)))


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


# -- hostile input ----------------------------------------------------------------------------

# Signs, exponents, hex, Unicode digits (superscript, Arabic-Indic, fullwidth), blanks,
# 20 digits, a no-break space.
HOSTILE_SIZES = ["-1", "1e3", "0x10", "²", "١٢٣", "\uff19", " ", "", "1 2", "9" * 20, "+5", "5.0", "\u00a05"]


@pytest.mark.parametrize("value", HOSTILE_SIZES)
async def test_hostile_upload_length(storage: BaseStorage, value: str) -> None:
    app, _ = make_app(storage)
    answer = await call(app, "POST", "/tus", {**TUS, "Upload-Length": value})
    assert answer.status == 400
    assert await keys(storage) == []


@pytest.mark.parametrize("value", HOSTILE_SIZES)
async def test_hostile_upload_offset(storage: BaseStorage, value: str) -> None:
    app, _ = make_app(storage)
    url = await create(app, 3)
    answer = await call(app, "PATCH", url, {**OCTETS, "Upload-Offset": value}, b"abc")
    assert answer.status == 400
    assert await offset_of(app, url) == 0


@pytest.mark.parametrize(
    "metadata",
    [
        "filename !!notbase64!!",
        "filename YQ",  # unpadded
        "filename //4=",  # not UTF-8
        "a YQ==,a YQ==",
        "a YQ==,,b YQ==",
        "k\u00e9y YQ==",
        "filename " + "A" * 5000,
    ],
)
async def test_hostile_metadata(storage: BaseStorage, metadata: str) -> None:
    app, _ = make_app(storage)
    answer = await call(app, "POST", "/tus", {**TUS, "Upload-Length": "3", "Upload-Metadata": metadata})
    assert answer.status == 400
    assert await keys(storage) == []


@pytest.mark.parametrize(
    "content_type", [None, "application/octet-stream", "text/plain", "application/offset+octet-streamx"]
)
async def test_patch_needs_the_offset_content_type(storage: BaseStorage, content_type: str | None) -> None:
    app, _ = make_app(storage)
    url = await create(app, 3)
    headers = {**TUS, "Upload-Offset": "0"}
    if content_type is not None:
        headers["Content-Type"] = content_type
    assert (await call(app, "PATCH", url, headers, b"abc")).status == 415
    assert await offset_of(app, url) == 0


async def test_missing_or_wrong_tus_resumable_is_412(storage: BaseStorage) -> None:
    app, _ = make_app(storage)
    assert (await call(app, "POST", "/tus", {"Upload-Length": "3"})).status == 412
    answer = await call(app, "POST", "/tus", {"Tus-Resumable": "0.2.2", "Upload-Length": "3"})
    assert answer.status == 412
    assert answer.headers["tus-version"] == "1.0.0"


async def test_body_longer_than_the_length(storage: BaseStorage) -> None:
    app, _ = make_app(storage)
    url = await create(app, 10)
    assert (await patch(app, url, 0, b"x" * 11)).status == 413
    # Without Content-Length (chunked): refused when the bytes go past, nothing kept.
    assert (await call(app, "PATCH", url, {**OCTETS, "Upload-Offset": "0"}, Body([b"x" * 6, b"x" * 6]))).status == 413
    assert await offset_of(app, url) == 0
    assert [name for name in await keys(storage) if "/tail/" in name] == []


async def test_length_and_defer_together_or_neither(storage: BaseStorage) -> None:
    app, _ = make_app(storage)
    both = {**TUS, "Upload-Length": "3", "Upload-Defer-Length": "1"}
    assert (await call(app, "POST", "/tus", both)).status == 400
    assert (await call(app, "POST", "/tus", TUS)).status == 400
    assert (await call(app, "POST", "/tus", {**TUS, "Upload-Defer-Length": "2"})).status == 400


@pytest.mark.parametrize(
    "upload_id",
    ["..", "..%2F..%2Fetc", "%2e%2e", "tus-state", "A" * 32, "0" * 31, "0" * 33, "g" * 32, "%00", "uploads"],
)
async def test_ids_that_are_not_ids(storage: BaseStorage, upload_id: str) -> None:
    app, _ = make_app(storage)
    await storage.put("uploads/secret", b"s")
    for method, headers, body in (
        ("HEAD", TUS, None),
        ("PATCH", {**OCTETS, "Upload-Offset": "0"}, b"x"),
        ("DELETE", TUS, None),
    ):
        answer = await call(app, method, f"/tus/{upload_id}", headers, body)
        assert answer.status in (404, 405), (method, upload_id, answer)
    assert await keys(storage) == ["uploads/secret"]


_header_text = st.text(alphabet=st.characters(codec="latin-1"), max_size=40)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    method=st.sampled_from(["POST", "PATCH", "HEAD", "DELETE", "OPTIONS"]),
    headers=st.dictionaries(
        st.sampled_from(
            [
                "Upload-Length",
                "Upload-Offset",
                "Upload-Metadata",
                "Upload-Checksum",
                "Upload-Defer-Length",
                "Content-Type",
                "Tus-Resumable",
                "Content-Length",
            ]
        ),
        _header_text,
    ),
    body=st.binary(max_size=64),
    valid_id=st.booleans(),
)
def test_no_client_input_gives_a_500(method: str, headers: dict[str, str], body: bytes, valid_id: bool) -> None:
    storage = MemoryStorage()
    app, _ = make_app(storage)

    async def run() -> None:
        path = "/tus"
        if method != "POST" and valid_id:
            path = await create(app, 64)
        elif method != "POST":
            path = "/tus/" + "0" * 32
        sent = dict(headers)
        sent.pop("Content-Length", None)
        answer = await call(app, method, path, sent, body)
        assert answer.status < 500, (method, headers, answer)

    asyncio.run(run())
