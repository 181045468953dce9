"""One client connection through the fault proxy and its upstream twin: the two pumps.

The request pump parses heads and body framing (storages_harness.http_framing), records
each request and applies its fault; the response pump forwards the emulator's answers,
rewriting upload-session URLs and applying response-phase faults.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Literal, TypeAlias

from storages_harness.faults import Fault
from storages_harness.http_framing import (
    MAX_HEAD,
    BodyFraming,
    RecordedRequest,
    body_framing,
    parse_head,
)

__all__ = ("ProxyConnection", "abort_with_reset")

_READ_SIZE = 64 * 1024


def abort_with_reset(writer: asyncio.StreamWriter) -> None:
    """Abort the connection of ``writer`` with a TCP RST, not a clean close."""
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

    body: BodyFraming | None = None
    """The body being received, if any."""
    answer: Fault | None = None
    """The answer the proxy gives once the body is received (a ``respond`` fault)."""


@dataclass
class _Exchange:
    fault: Fault | None
    response_bytes: int = 0
    request_bytes: int = 0
    response_head: bool = True
    head_buffer: bytearray = field(default_factory=bytearray)


class ProxyConnection:
    """One client connection and its upstream twin.

    What it needs of the proxy comes in as callables: ``select`` picks the fault of a
    request (method, target), ``record`` keeps each request seen, ``rewrite`` edits a
    response head (upload-session URLs must come back through the proxy).
    """

    def __init__(
        self,
        number: int,
        client: tuple[asyncio.StreamReader, asyncio.StreamWriter],
        upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter],
        *,
        select: Callable[[str, str], Fault | None],
        record: Callable[[RecordedRequest], None],
        rewrite: Callable[[bytes], bytes],
    ) -> None:
        self._select = select
        self._record = record
        self._rewrite = rewrite
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
            abort_with_reset(self.client_writer)
        abort_with_reset(self.upstream_writer)
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
            if len(buffer) > MAX_HEAD:
                raise ValueError("request head too large")
            return "wait"
        head = bytes(buffer[: end + 4])
        del buffer[: end + 4]
        method, target, headers = parse_head(head)
        fault = self._select(method, target)
        self._record(RecordedRequest(self.number, method, target, tuple(headers), fault.action if fault else None))
        names = {name.lower(): value for name, value in headers}
        state.body = body_framing(names)
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

    async def _take_body(self, buffer: bytearray, body: BodyFraming, state: _RequestState) -> _Step:
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
        if piece and not await self._forwardbody_framing(piece):
            return "stop"
        return "more"

    async def _forwardbody_framing(self, piece: bytes) -> bool:
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
            out += self._rewrite(head)
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
