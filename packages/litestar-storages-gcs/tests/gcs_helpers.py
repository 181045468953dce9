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
