"""Just enough of HTTP/1.1 for the fault proxy: request heads, body framing, the record of a request.

The proxy parses request heads and body framing (``Content-Length`` or chunked) to know
where each exchange starts, so a fault targets one request, not a byte offset on a
kept-alive connection that served others before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

__all__ = ("MAX_HEAD", "BodyFraming", "ChunkedBody", "LengthBody", "RecordedRequest", "body_framing", "parse_head")

MAX_HEAD = 256 * 1024
"""The longest request head the proxy accepts."""


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


class ChunkedBody:
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


class LengthBody:
    """Counter finding where a request body of known ``Content-Length`` ends."""

    __slots__ = ("_remaining",)

    def __init__(self, length: int) -> None:
        self._remaining = length

    def feed(self, buffer: bytes | bytearray) -> tuple[int, bool]:
        take = min(self._remaining, len(buffer))
        self._remaining -= take
        return take, self._remaining == 0


BodyFraming: TypeAlias = ChunkedBody | LengthBody
"""Where a request body ends: by its chunks or by its ``Content-Length``."""


def parse_head(head: bytes) -> tuple[str, str, list[tuple[str, str]]]:
    """Split a request head into its method, target and header lines."""
    lines = head.decode("latin-1").split("\r\n")
    method, target, _version = [*lines[0].split(" ", 2), "", ""][:3]
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if not line:
            continue
        name, _, value = line.partition(":")
        headers.append((name.strip(), value.strip()))
    return method, target, headers


def body_framing(names: dict[str, str]) -> BodyFraming | None:
    """The framing of the body that follows a head, from its (lower-cased) header names."""
    if "chunked" in names.get("transfer-encoding", "").lower():
        return ChunkedBody()
    if int(names.get("content-length", "0") or 0) > 0:
        return LengthBody(int(names["content-length"]))
    return None
