"""Test helpers: a request recorder and a server that replays recorded GCS answers.

fake-gcs-server does not honour a few GCS behaviours (see EMULATORS.md); those code
paths are tested against a tiny local aiohttp server that answers with GCS's real
answers: the status codes, headers and JSON error documents GCS sends (its documented
formats, as observed from the service).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
from gcloud.aio.storage import Storage as SDKStorage

# GCS's answer to a failed precondition (ifGenerationMatch), as the JSON API sends it.
PRECONDITION_FAILED = {
    "error": {
        "code": 412,
        "message": "At least one of the pre-conditions you specified did not hold.",
        "errors": [
            {
                "message": "At least one of the pre-conditions you specified did not hold.",
                "domain": "global",
                "reason": "conditionNotMet",
                "locationType": "header",
                "location": "If-Match",
            }
        ],
    }
}

NOT_FOUND = {
    "error": {
        "code": 404,
        "message": "No such object: bucket/missing.txt",
        "errors": [{"message": "No such object: bucket/missing.txt", "domain": "global", "reason": "notFound"}],
    }
}

BACKEND_ERROR = {
    "error": {
        "code": 503,
        "message": "We encountered an internal error. Please try again.",
        "errors": [
            {
                "message": "We encountered an internal error. Please try again.",
                "domain": "global",
                "reason": "backendError",
            }
        ],
    }
}

RATE_LIMITED_403 = {
    "error": {
        "code": 403,
        "message": "The total number of changes to the object exceeds the rate limit.",
        "errors": [
            {
                "message": "The total number of changes to the object exceeds the rate limit.",
                "domain": "usageLimits",
                "reason": "rateLimitExceeded",
            }
        ],
    }
}

FORBIDDEN = {
    "error": {
        "code": 403,
        "message": "caller does not have storage.objects.get access to the Google Cloud Storage object.",
        "errors": [
            {
                "message": "caller does not have storage.objects.get access to the Google Cloud Storage object.",
                "domain": "global",
                "reason": "forbidden",
            }
        ],
    }
}


def object_resource(bucket: str, name: str, size: int, **extra: Any) -> dict[str, Any]:
    """An object resource as the JSON API returns it."""
    return {
        "kind": "storage#object",
        "id": f"{bucket}/{name}/1700000000000000",
        "name": name,
        "bucket": bucket,
        "generation": "1700000000000000",
        "metageneration": "1",
        "contentType": "application/octet-stream",
        "storageClass": "STANDARD",
        "size": str(size),
        "md5Hash": "1B2M2Y8AsgTpgAmY7PhCfg==",
        "crc32c": "AAAAAA==",
        "etag": "CIDg8Jm4/4IDEAE=",
        "timeCreated": "2026-11-25T10:00:00.000Z",
        "updated": "2026-11-25T10:00:00.000Z",
        **extra,
    }


@dataclass
class Recorded:
    """One request a server received."""

    method: str
    path: str
    raw_path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes


Handler = Callable[[Recorded], web.StreamResponse]


@dataclass
class ReplayServer:
    """Answers each request with the next scripted answer and records the requests."""

    server: TestServer
    script: list[Handler] = field(default_factory=list)
    requests: list[Recorded] = field(default_factory=list)

    @property
    def url(self) -> str:
        return str(self.server.make_url("")).rstrip("/")


def json_answer(status: int, document: Any, headers: dict[str, str] | None = None) -> Handler:
    def answer(_: Recorded) -> web.StreamResponse:
        return web.Response(status=status, text=json.dumps(document), content_type="application/json", headers=headers)

    return answer


def empty_answer(status: int, headers: dict[str, str] | None = None) -> Handler:
    def answer(_: Recorded) -> web.StreamResponse:
        return web.Response(status=status, headers=headers)

    return answer


@asynccontextmanager
async def replay_server() -> AsyncIterator[ReplayServer]:
    """Start a local server replaying ``ReplayServer.script`` in order."""
    holder: dict[str, ReplayServer] = {}

    async def handle(request: web.Request) -> web.StreamResponse:
        recorded = Recorded(
            method=request.method,
            path=request.path,
            raw_path=request.raw_path.partition("?")[0],
            query=dict(request.query),
            headers=dict(request.headers),
            body=await request.read(),
        )
        replay = holder["server"]
        replay.requests.append(recorded)
        if not replay.script:
            return web.Response(status=500, text="script exhausted")
        return replay.script.pop(0)(recorded)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    holder["server"] = ReplayServer(server)
    try:
        yield holder["server"]
    finally:
        await server.close()


class RequestLog:
    """Records every request an aiohttp session sends (method, URL, headers)."""

    def __init__(self) -> None:
        self.requests: list[SimpleNamespace] = []
        self.connections = 0
        self.trace = aiohttp.TraceConfig()
        self.trace.on_request_start.append(self._on_request)
        self.trace.on_request_end.append(self._on_response)
        self.trace.on_connection_create_end.append(self._on_connection)

    async def _on_request(self, _: Any, __: Any, params: aiohttp.TraceRequestStartParams) -> None:
        self.requests.append(SimpleNamespace(method=params.method, url=params.url, headers=dict(params.headers)))

    async def _on_response(self, _: Any, __: Any, params: aiohttp.TraceRequestEndParams) -> None:
        for request in reversed(self.requests):
            if request.url == params.url and request.method == params.method and not hasattr(request, "status"):
                request.status = params.response.status
                break

    async def _on_connection(self, *_: Any) -> None:
        self.connections += 1

    def session(self) -> aiohttp.ClientSession:
        return aiohttp.ClientSession(trace_configs=[self.trace])


def sdk_client(api_root: str, session: aiohttp.ClientSession, **kwargs: Any) -> SDKStorage:
    """A gcloud-aio-storage client on ``session`` (what users may pass to GCSStorage)."""
    client: SDKStorage = SDKStorage(api_root=api_root, session=session, **kwargs)  # type: ignore[arg-type]
    return client


@dataclass
class FaultyFront:
    """A forwarding server in front of fake-gcs-server that breaks chosen chunk requests.

    Every request is forwarded to the emulator, except the resumable chunk requests
    (``PUT`` with an ``upload_id``) given an action in ``chunk_faults`` (by the chunk
    request's 0-based index, retries included; ``default`` for the others):

    - ``"pass"``: forwarded.
    - ``"cut"``: ``cut_after`` bytes of the body are read, then the connection is reset;
      the emulator never sees the request (a connection dying mid-body).
    - ``"503"``: answered 503 ``backendError`` by the front itself.
    - ``"lose-answer"``: forwarded whole (the emulator takes the bytes), then the
      connection is reset instead of answering: a lost answer.
    """

    server: TestServer
    upstream: str
    chunk_faults: dict[int, str] = field(default_factory=dict)
    default: str = "pass"
    cut_after: int = 100_000
    chunk_requests: list[str] = field(default_factory=list)
    """``Content-Range`` of every chunk request received, in order."""

    @property
    def url(self) -> str:
        return str(self.server.make_url("")).rstrip("/")


@asynccontextmanager
async def faulty_front(upstream: str) -> AsyncIterator[FaultyFront]:
    """Start a :class:`FaultyFront` forwarding to ``upstream`` (fake-gcs-server's URL)."""
    holder: dict[str, FaultyFront] = {}
    client = aiohttp.ClientSession(auto_decompress=False)

    async def handle(request: web.Request) -> web.StreamResponse:
        front = holder["front"]
        action = "pass"
        if request.method == "PUT" and "upload_id" in request.query:
            action = front.chunk_faults.get(len(front.chunk_requests), front.default)
            front.chunk_requests.append(request.headers.get("Content-Range", ""))
        if action == "503":
            await request.read()
            return web.Response(status=503, text=json.dumps(BACKEND_ERROR), content_type="application/json")
        if action == "cut":
            await request.content.readexactly(min(front.cut_after, request.content_length or 0))
            assert request.transport is not None
            request.transport.abort()
            return web.Response(status=599)  # never sent: the connection is gone
        body = await request.read()
        headers = {name: value for name, value in request.headers.items() if name.lower() not in _HOP_HEADERS}
        async with client.request(
            request.method,
            f"{front.upstream}{request.path_qs}",
            headers=headers,
            data=body,
            allow_redirects=False,
        ) as answer:
            payload = await answer.read()
            answer_headers = {
                name: value.replace(front.upstream, front.url)
                for name, value in answer.headers.items()
                if name.lower() not in _HOP_HEADERS
            }
        if action == "lose-answer":
            assert request.transport is not None
            request.transport.abort()
            return web.Response(status=599)  # never sent: the connection is gone
        return web.Response(status=answer.status, body=payload, headers=answer_headers)

    app = web.Application(client_max_size=64 * 1024 * 1024)
    app.router.add_route("*", "/{tail:.*}", handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    holder["front"] = FaultyFront(server, upstream.rstrip("/"))
    try:
        yield holder["front"]
    finally:
        await server.close()
        await client.close()


_HOP_HEADERS = frozenset({"host", "content-length", "transfer-encoding", "connection", "keep-alive"})
