"""An asyncio TCP proxy that injects faults into the HTTP exchanges passing through it.

The proxy sits between a storage client and an emulator. It parses just enough of
HTTP/1.1 (storages_harness.http_framing) to know where each exchange starts, so a fault
targets one request, not a byte offset on a kept-alive connection that served others
before. The faults (``respond``, ``reset``, ``close``, ``stall``, ``slow``) are described
in storages_harness.faults and re-exported here; each connection is pumped by
storages_harness.proxy_connection. Every request seen is recorded with its head, so tests
can assert on what crossed the wire.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from types import TracebackType

from storages_harness.faults import Fault, close, reset, respond, slow, stall
from storages_harness.http_framing import RecordedRequest
from storages_harness.proxy_connection import ProxyConnection, abort_with_reset

__all__ = ("Fault", "FaultProxy", "RecordedRequest", "close", "reset", "respond", "slow", "stall")


class FaultProxy:
    """A fault-injecting TCP proxy for HTTP/1.1, run on the current event loop.

    Use as ``async with FaultProxy(host, port) as proxy:`` and point the client at
    ``proxy.endpoint``. Add faults with :meth:`add`; they strike in the order added.
    """

    def __init__(self, upstream_host: str, upstream_port: int, *, host: str = "127.0.0.1") -> None:
        """Describe the proxy; nothing listens until :meth:`start`.

        Args:
            upstream_host: The emulator's host.
            upstream_port: The emulator's port.
            host: Where the proxy listens (a free port is chosen).
        """
        self.upstream_host = upstream_host
        self.upstream_port = upstream_port
        self.host = host
        self.port = 0
        self.faults: list[Fault] = []
        self.requests: list[RecordedRequest] = []
        self.connections_opened = 0
        self._connections: set[ProxyConnection] = set()
        self._server: asyncio.Server | None = None
        self._numbers = itertools.count(1)
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def endpoint(self) -> str:
        """``http://host:port`` of the proxy."""
        return f"http://{self.host}:{self.port}"

    @property
    def open_connections(self) -> int:
        """Client connections currently open through the proxy."""
        return len(self._connections)

    def add(self, *faults: Fault) -> None:
        """Arm faults; each strikes the next matching exchanges."""
        self.faults.extend(faults)

    def clear(self) -> None:
        """Disarm every fault and forget the recorded requests."""
        self.faults.clear()
        self.requests.clear()

    def requests_for(self, method: str | None = None, path: str | None = None) -> list[RecordedRequest]:
        """Return the recorded requests with this method and a target containing ``path``."""
        return [
            request
            for request in self.requests
            if (method is None or request.method == method) and (path is None or path in request.target)
        ]

    def _select(self, method: str, target: str) -> Fault | None:
        for fault in self.faults:
            if fault.matches(method, target) and fault.strike():
                return fault
        return None

    def _rewrite(self, head: bytes) -> bytes:
        # Upload-session URLs (GCS resumable ``Location``) must come back through the proxy.
        upstream = f"{self.upstream_host}:{self.upstream_port}".encode()
        return head.replace(upstream, f"{self.host}:{self.port}".encode())

    async def start(self) -> None:
        """Listen on a free port."""
        self._server = await asyncio.start_server(self._accept, self.host, 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop listening and cut every open connection."""
        if self._server is not None:
            self._server.close()
        for connection in list(self._connections):
            connection.kill()
        # Killed connections end their handlers; cancelling a handler task instead
        # would make asyncio's stream callback log the CancelledError.
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=5)
        if self._server is not None:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._server.wait_closed(), 5)
            self._server = None

    async def wait_idle(self, timeout: float = 5.0) -> bool:
        """Wait until no client connection is open; return whether that happened in time."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self._connections and loop.time() < deadline:
            await asyncio.sleep(0.02)
        return not self._connections

    async def __aenter__(self) -> FaultProxy:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        await self.stop()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            upstream = await asyncio.open_connection(self.upstream_host, self.upstream_port)
        except OSError:
            abort_with_reset(writer)
            self._tasks.discard(task)
            return
        connection = ProxyConnection(
            next(self._numbers),
            (reader, writer),
            upstream,
            select=self._select,
            record=self.requests.append,
            rewrite=self._rewrite,
        )
        self.connections_opened += 1
        self._connections.add(connection)
        pumps = [
            asyncio.ensure_future(connection.pump_requests()),
            asyncio.ensure_future(connection.pump_responses()),
        ]
        waiter = asyncio.ensure_future(connection.finished.wait())
        try:
            # The requests pump ends when the client goes away; the responses pump when
            # the emulator closes. Either way the connection is over once the client's
            # side is, so wait for the request pump (or a kill) and then tidy up.
            await asyncio.wait([pumps[0], waiter], return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()
            for pump in pumps:
                pump.cancel()
            await asyncio.gather(*pumps, return_exceptions=True)
            if not connection.finished.is_set():
                connection.kill(graceful=True)
            with contextlib.suppress(Exception):
                await connection.upstream_writer.wait_closed()
            self._connections.discard(connection)
            self._tasks.discard(task)
