"""Requests to the tus routes made by hand, as raw ASGI messages, for the ``test_tus_*`` modules.

An HTTP client cannot, on purpose, cut a body by a disconnect or hold it half-sent while
another request comes in; :func:`call` can. The other helpers create an upload, PATCH it,
read its offset and list the storage.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from litestar import Litestar

from litestar_storages.base import BaseStorage
from litestar_storages.contrib import StoragePlugin, StoragePluginConfig
from litestar_storages.contrib.tus import TusConfig, TusUploads

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
