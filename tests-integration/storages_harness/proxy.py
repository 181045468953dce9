"""An asyncio TCP proxy that injects faults into the HTTP exchanges passing through it.

The proxy sits between a storage client and an emulator. It parses just enough of
HTTP/1.1 (request heads and body framing: ``Content-Length`` or chunked) to know where
each exchange starts, so a fault targets one request, not a byte offset on a kept-alive
connection that served others before. Faults:

- ``respond(503)``: answer the request itself with a canned status; the emulator never
  sees it.
- ``reset(after)``: forward ``after`` bytes, then abort both sides with a TCP RST.
- ``close(after)``: forward ``after`` bytes, then close the client side cleanly (FIN):
  a body shorter than its ``Content-Length``.
- ``stall(after)``: forward ``after`` bytes, then forward nothing more (a hung server).
- ``slow(rate)``: forward at ``rate`` bytes per second.

``phase="response"`` counts bytes sent to the client (head included); ``phase="request"``
counts request-body bytes sent to the emulator. Every request seen is recorded with its
head, so tests can assert on what crossed the wire.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import socket
import struct
from collections.abc import Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from types import TracebackType
from typing import Literal, TypeAlias

__all__ = ("Fault", "FaultProxy", "RecordedRequest", "close", "reset", "respond", "slow", "stall")

Action = Literal["respond", "reset", "close", "stall", "slow"]
Phase = Literal["request", "response"]

_READ_SIZE = 64 * 1024
_MAX_HEAD = 256 * 1024


@dataclass
class Fault:
    """One fault, applied to the next ``times`` exchanges that match it.

    Attributes:
        action: What to do (see the module docstring).
        method: Only requests with this method (``None``: any).
        path: Only requests whose target contains this text (``None``: any).
        times: How many matching exchanges it applies to; ``None`` for all of them.
        skip: How many matching exchanges to let through untouched first.
        phase: Which direction ``after`` counts: request body or response.
        after: Bytes forwarded before the fault strikes.
        status: Status code of a ``respond`` fault.
        body: Body of a ``respond`` fault.
        headers: Extra headers of a ``respond`` fault.
        rate: Bytes per second of a ``slow`` fault.
        hits: How many exchanges it has struck so far.
    """

    action: Action
    method: str | None = None
    path: str | None = None
    times: int | None = 1
    phase: Phase = "response"
    after: int = 0
    status: int = 503
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    rate: int = 64 * 1024
    skip: int = 0
    hits: int = 0
    seen: int = 0

    def matches(self, method: str, target: str) -> bool:
        """Tell whether a request is one this fault watches (whether or not it strikes)."""
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self.path is None or self.path in target

    def strike(self) -> bool:
        """Count one matching exchange; tell whether the fault strikes it."""
        self.seen += 1
        if self.seen <= self.skip or (self.times is not None and self.hits >= self.times):
            return False
        self.hits += 1
        return True

    @property
    def exhausted(self) -> bool:
        """Whether the fault has struck as many times as it was told to."""
        return self.times is not None and self.hits >= self.times


def respond(
    status: int = 503,
    *,
    body: bytes = b"",
    headers: Iterable[tuple[str, str]] = (),
    method: str | None = None,
    path: str | None = None,
    times: int | None = 1,
    skip: int = 0,
) -> Fault:
    """Answer matching requests with ``status`` instead of forwarding them."""
    return Fault(
        "respond", method=method, path=path, times=times, skip=skip, status=status, body=body, headers=tuple(headers)
    )


def reset(
    after: int = 0,
    *,
    phase: Phase = "response",
    method: str | None = None,
    path: str | None = None,
    times: int | None = 1,
    skip: int = 0,
) -> Fault:
    """Reset (RST) the connection after ``after`` bytes of the given phase."""
    return Fault("reset", method=method, path=path, times=times, skip=skip, phase=phase, after=after)


def close(
    after: int = 0,
    *,
    phase: Phase = "response",
    method: str | None = None,
    path: str | None = None,
    times: int | None = 1,
    skip: int = 0,
) -> Fault:
    """Close the connection cleanly (FIN) after ``after`` bytes of the given phase."""
    return Fault("close", method=method, path=path, times=times, skip=skip, phase=phase, after=after)


def stall(
    after: int = 0,
    *,
    phase: Phase = "response",
    method: str | None = None,
    path: str | None = None,
    times: int | None = 1,
    skip: int = 0,
) -> Fault:
    """Stop forwarding after ``after`` bytes of the given phase, keeping the connection open."""
    return Fault("stall", method=method, path=path, times=times, skip=skip, phase=phase, after=after)


def slow(
    rate: int, *, method: str | None = None, path: str | None = None, times: int | None = 1, skip: int = 0
) -> Fault:
    """Forward matching responses at ``rate`` bytes per second."""
    return Fault("slow", method=method, path=path, times=times, skip=skip, rate=rate)


@dataclass(frozen=True)
class RecordedRequest:
    """A request head seen by the proxy.

    Attributes:
        connection: Number of the client connection it arrived on.
        method: The request method.
        target: The request target (path and query).
        headers: Header lines in order, as sent.
        fault: The action of the fault applied to it, if any.
    """

    connection: int
    method: str
    target: str
    headers: tuple[tuple[str, str], ...]
    fault: str | None

    def header(self, name: str) -> str | None:
        """Return the first value of header ``name`` (case-insensitive), if present."""
        lowered = name.lower()
        return next((value for key, value in self.headers if key.lower() == lowered), None)


class _ChunkedBody:
    """Incremental parser finding where a chunked request body ends."""

    __slots__ = ("_remaining", "_state")

    def __init__(self) -> None:
        self._state = "size"
        self._remaining = 0

    def feed(self, buffer: bytes | bytearray) -> tuple[int, bool]:
        """Return how many leading bytes of ``buffer`` belong to the body, and whether it ended."""
        position = 0
        while position < len(buffer):
            if self._state == "data":
                take = min(self._remaining, len(buffer) - position)
                position += take
                self._remaining -= take
                if self._remaining == 0:
                    self._state = "crlf"
                continue
            end = buffer.find(b"\r\n", position)
            if end < 0:
                return position, False
            line = bytes(buffer[position:end])
            position = end + 2
            if self._state == "crlf":
                self._state = "size"
            elif self._state == "size":
                size = int(line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    self._state = "trailer"
                else:
                    self._state, self._remaining = "data", size
            elif not line:  # the empty line closing the trailer section
                self._state = "size"
                return position, True
        return position, False


class _LengthBody:
    __slots__ = ("_remaining",)

    def __init__(self, length: int) -> None:
        self._remaining = length

    def feed(self, buffer: bytes | bytearray) -> tuple[int, bool]:
        take = min(self._remaining, len(buffer))
        self._remaining -= take
        return take, self._remaining == 0


def _parse_head(head: bytes) -> tuple[str, str, list[tuple[str, str]]]:
    lines = head.decode("latin-1").split("\r\n")
    method, target, _version = [*lines[0].split(" ", 2), "", ""][:3]
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if not line:
            continue
        name, _, value = line.partition(":")
        headers.append((name.strip(), value.strip()))
    return method, target, headers


def _abort(writer: asyncio.StreamWriter) -> None:
    # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


_Step: TypeAlias = Literal["more", "wait", "stop"]
"""What the request pump does next: parse more of its buffer, read more, or end."""


@dataclass
class _RequestState:
    """Where the request pump stands between reads."""

    body: _ChunkedBody | _LengthBody | None = None
    """The body being received, if any."""
    answer: Fault | None = None
    """The answer the proxy gives once the body is received (a ``respond`` fault)."""


def _request_body(names: dict[str, str]) -> _ChunkedBody | _LengthBody | None:
    # The framing of the body that follows a head, from its (lower-cased) header names.
    if "chunked" in names.get("transfer-encoding", "").lower():
        return _ChunkedBody()
    if int(names.get("content-length", "0") or 0) > 0:
        return _LengthBody(int(names["content-length"]))
    return None


@dataclass
class _Exchange:
    fault: Fault | None
    response_bytes: int = 0
    request_bytes: int = 0
    response_head: bool = True
    head_buffer: bytearray = field(default_factory=bytearray)


class _Connection:
    """One client connection and its upstream twin."""

    def __init__(
        self,
        proxy: FaultProxy,
        number: int,
        client: tuple[asyncio.StreamReader, asyncio.StreamWriter],
        upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter],
    ) -> None:
        self.proxy = proxy
        self.number = number
        self.client_reader, self.client_writer = client
        self.upstream_reader, self.upstream_writer = upstream
        self.exchange = _Exchange(None)
        self.stalled = False
        self.finished = asyncio.Event()

    def kill(self, *, graceful: bool = False) -> None:
        if graceful:
            self.client_writer.close()
        else:
            _abort(self.client_writer)
        _abort(self.upstream_writer)
        self.finished.set()

    # -- client -> emulator ----------------------------------------------------------

    async def pump_requests(self) -> None:
        buffer = bytearray()
        state = _RequestState()
        while True:
            data = await self.client_reader.read(_READ_SIZE)
            if not data:
                return
            if self.stalled:
                continue  # a hung server reads nothing more; drop what arrives
            buffer += data
            while buffer:
                if state.body is None:
                    step = await self._take_head(buffer, state)
                else:
                    step = await self._take_body(buffer, state.body, state)
                if step == "stop":
                    return
                if step == "wait":
                    break

    async def _take_head(self, buffer: bytearray, state: _RequestState) -> _Step:
        """Take a request head off ``buffer``: record it, apply its fault, forward it."""
        end = buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(buffer) > _MAX_HEAD:
                raise ValueError("request head too large")
            return "wait"
        head = bytes(buffer[: end + 4])
        del buffer[: end + 4]
        method, target, headers = _parse_head(head)
        fault = self.proxy._select(method, target)
        self.proxy.requests.append(
            RecordedRequest(self.number, method, target, tuple(headers), fault.action if fault else None)
        )
        names = {name.lower(): value for name, value in headers}
        state.body = _request_body(names)
        if fault is not None and fault.action == "respond":
            state.answer = fault
            if state.body is None or "100-continue" in names.get("expect", "").lower():
                await self._answer(fault)
                return "stop"
            return "more"
        self.exchange = _Exchange(fault)
        self.upstream_writer.write(head)
        await self.upstream_writer.drain()
        return "more"

    async def _take_body(self, buffer: bytearray, body: _ChunkedBody | _LengthBody, state: _RequestState) -> _Step:
        """Take what ``buffer`` holds of ``body``: forward it, or swallow it before an answer."""
        consumed, done = body.feed(buffer)
        piece = bytes(buffer[:consumed])
        del buffer[:consumed]
        if done:
            state.body = None
        elif consumed == 0:
            return "wait"  # the rest of a chunk-size line is still on its way
        if state.answer is not None:
            if done:
                await self._answer(state.answer)
                return "stop"
            return "more"
        if piece and not await self._forward_request_body(piece):
            return "stop"
        return "more"

    async def _forward_request_body(self, piece: bytes) -> bool:
        exchange = self.exchange
        fault = exchange.fault
        if fault is not None and fault.phase == "request" and fault.action in {"reset", "close", "stall"}:
            allowed = max(0, fault.after - exchange.request_bytes)
            if len(piece) > allowed:
                self.upstream_writer.write(piece[:allowed])
                exchange.request_bytes += allowed
                with contextlib.suppress(ConnectionError):
                    await self.upstream_writer.drain()
                if fault.action == "stall":
                    self.stalled = True
                    return True
                self.kill(graceful=fault.action == "close")
                return False
        self.upstream_writer.write(piece)
        exchange.request_bytes += len(piece)
        await self.upstream_writer.drain()
        return True

    async def _answer(self, fault: Fault) -> None:
        try:
            reason = HTTPStatus(fault.status).phrase
        except ValueError:
            reason = "Error"
        lines = [f"HTTP/1.1 {fault.status} {reason}", f"Content-Length: {len(fault.body)}", "Connection: close"]
        lines += [f"{name}: {value}" for name, value in fault.headers]
        self.client_writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + fault.body)
        with contextlib.suppress(ConnectionError):
            await self.client_writer.drain()
        self.kill(graceful=True)

    # -- emulator -> client ----------------------------------------------------------

    async def pump_responses(self) -> None:
        while True:
            data = await self.upstream_reader.read(_READ_SIZE)
            if not data:
                if not self.stalled:  # a hung server does not hang up either
                    self.client_writer.close()
                return
            exchange = self.exchange
            if exchange.response_head:
                data = self._rewrite_heads(exchange, data)
                if not data:
                    continue
            if not await self._emit(exchange, data):
                return

    def _rewrite_heads(self, exchange: _Exchange, data: bytes) -> bytes:
        exchange.head_buffer += data
        out = bytearray()
        while exchange.response_head:
            end = exchange.head_buffer.find(b"\r\n\r\n")
            if end < 0:
                return bytes(out)
            head = bytes(exchange.head_buffer[: end + 4])
            del exchange.head_buffer[: end + 4]
            out += self.proxy._rewrite(head)
            # An interim 1xx answer (100 Continue) is followed by the real head.
            status = head.split(b" ", 2)[1] if head.count(b" ") >= 1 else b""
            exchange.response_head = status.startswith(b"1")
        out += exchange.head_buffer
        exchange.head_buffer.clear()
        return bytes(out)

    async def _emit(self, exchange: _Exchange, data: bytes) -> bool:
        if self.stalled:
            return True
        fault = exchange.fault
        if fault is not None and fault.phase == "response" and fault.action in {"reset", "close", "stall"}:
            allowed = max(0, fault.after - exchange.response_bytes)
            if len(data) > allowed:
                self.client_writer.write(data[:allowed])
                exchange.response_bytes += allowed
                with contextlib.suppress(ConnectionError):
                    await self.client_writer.drain()
                if fault.action == "stall":
                    self.stalled = True
                    return True
                self.kill(graceful=fault.action == "close")
                return False
        if fault is not None and fault.action == "slow":
            step = max(1, fault.rate // 20)
            for offset in range(0, len(data), step):
                self.client_writer.write(data[offset : offset + step])
                await self.client_writer.drain()
                await asyncio.sleep(step / fault.rate)
        else:
            self.client_writer.write(data)
            await self.client_writer.drain()
        exchange.response_bytes += len(data)
        return True


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
        self._connections: set[_Connection] = set()
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
            _abort(writer)
            self._tasks.discard(task)
            return
        connection = _Connection(self, next(self._numbers), (reader, writer), upstream)
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
