"""Helpers of the S3 tests: configs pointing at moto, and a fault-injecting proxy.

The proxy forwards every request to the moto server and can instead answer with an S3 error
(503 SlowDown, 500 InternalError ...), cut a response body short and drop the connection,
or hold an answer back after moto has handled the request. The SDK under test talks real
HTTP to it: nothing of aiobotocore is mocked.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import aiohttp
from aiohttp import web

from litestar_storages.backends.s3 import S3Config
from litestar_storages.retry import RetryConfig
from litestar_storages.testing.emulators.moto import MotoServer

MIB = 1024 * 1024
REGION = "us-east-1"
ACCESS_KEY = "testing"
SECRET_KEY = "testing"

# Small parts so the conformance kit's "large" transfers go through multipart uploads.
SMALL_PARTS = 5 * MIB
FAST_RETRY = RetryConfig(max_attempts=3, base_delay=0.01, max_delay=0.05)


def make_config(endpoint: MotoServer | str, bucket: str, **overrides: object) -> S3Config:
    """An S3Config for moto (or a proxy in front of it), with small parts and quick retries."""
    settings: dict[str, object] = {
        "bucket": bucket,
        "endpoint_url": endpoint if isinstance(endpoint, str) else endpoint.endpoint_url,
        "region": REGION,
        "access_key_id": ACCESS_KEY,
        "secret_access_key": SECRET_KEY,
        "addressing_style": "path",
        "multipart_threshold": SMALL_PARTS,
        "part_size": SMALL_PARTS,
        "retry": FAST_RETRY,
    }
    settings.update(overrides)
    return S3Config(**settings)  # type: ignore[arg-type]


HOP_BY_HOP = {"host", "content-length", "transfer-encoding", "connection", "keep-alive"}


@dataclass
class Seen:
    """One request the proxy received."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]


@dataclass
class Fault:
    """What to do instead of a plain forward, for the next ``count`` matching requests."""

    matches: Callable[[Seen], bool]
    count: int
    status: int = 503
    code: str = "SlowDown"
    truncate_after: int | None = None
    hold: float = 0.0


@dataclass
class FaultProxy:
    """Forwards to ``upstream``; faults are consumed in the order they were added."""

    upstream: str
    seen: list[Seen] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    delay: float = 0.0
    in_flight: int = 0
    max_in_flight: int = 0
    _runner: web.AppRunner | None = None
    _session: aiohttp.ClientSession | None = None
    _closing: asyncio.Event = field(default_factory=asyncio.Event)
    port: int = 0

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def fail(
        self,
        count: int,
        *,
        status: int = 503,
        code: str = "SlowDown",
        when: Callable[[Seen], bool] = lambda seen: True,
    ) -> None:
        """Answer the next ``count`` matching requests with an S3 error."""
        self.faults.append(Fault(when, count, status=status, code=code))

    def truncate(self, count: int, *, after: int, when: Callable[[Seen], bool] = lambda seen: True) -> None:
        """Send only ``after`` bytes of the next ``count`` matching bodies, then hang up."""
        self.faults.append(Fault(when, count, truncate_after=after))

    def hold(self, count: int, *, seconds: float = math.inf, when: Callable[[Seen], bool] = lambda seen: True) -> None:
        """Forward the next ``count`` matching requests, then hold their answers back.

        moto handles the request; its answer reaches the client after ``seconds``, or
        never (the connection hangs until the proxy closes) with the default.
        """
        self.faults.append(Fault(when, count, hold=seconds))

    def _take_fault(self, seen: Seen) -> Fault | None:
        for fault in self.faults:
            if fault.count > 0 and fault.matches(seen):
                fault.count -= 1
                return fault
        return None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return await self._answer(request)
        finally:
            self.in_flight -= 1

    async def _answer(self, request: web.Request) -> web.StreamResponse:
        seen = Seen(
            request.method, request.path, dict(request.query), {k.lower(): v for k, v in request.headers.items()}
        )
        self.seen.append(seen)
        body = await request.read()
        if self.delay:
            await asyncio.sleep(self.delay)
        fault = self._take_fault(seen)
        if fault is not None and fault.truncate_after is None and not fault.hold:
            xml = (
                '<?xml version="1.0" encoding="UTF-8"?>'
                f"<Error><Code>{fault.code}</Code><Message>injected by the test proxy</Message></Error>"
            )
            return web.Response(status=fault.status, body=xml.encode(), content_type="application/xml")
        assert self._session is not None
        headers = {name: value for name, value in request.headers.items() if name.lower() not in HOP_BY_HOP}
        async with self._session.request(
            request.method,
            f"{self.upstream}{request.path_qs}",
            headers=headers,
            data=io.BytesIO(body),
            allow_redirects=False,
        ) as upstream:
            payload = await upstream.read()
            if fault is not None and fault.hold:
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._closing.wait(), None if math.isinf(fault.hold) else fault.hold)
            reply_headers = {name: value for name, value in upstream.headers.items() if name.lower() not in HOP_BY_HOP}
            if request.method == "HEAD":
                # A HEAD answer has no body but announces the object's length.
                response = web.StreamResponse(status=upstream.status, headers=reply_headers)
                response.content_length = int(upstream.headers.get("Content-Length", "0"))
                await response.prepare(request)
                return response
            if fault is None or fault.truncate_after is None:
                return web.Response(status=upstream.status, headers=reply_headers, body=payload)
        response = web.StreamResponse(status=upstream.status, headers=reply_headers)
        response.content_length = len(payload)
        await response.prepare(request)
        await response.write(payload[: fault.truncate_after])
        await asyncio.sleep(0.05)
        assert request.transport is not None
        request.transport.close()
        return response

    async def __aenter__(self) -> FaultProxy:
        app = web.Application(client_max_size=1024**3)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._session = aiohttp.ClientSession(auto_decompress=False)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server: Any = site._server
        self.port = int(server.sockets[0].getsockname()[1])
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._closing.set()
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    def count(self, method: str, *, query: str | None = None) -> int:
        """How many requests with ``method`` (and the query parameter ``query``) came in."""
        return sum(1 for seen in self.seen if seen.method == method and (query is None or query in seen.query))
