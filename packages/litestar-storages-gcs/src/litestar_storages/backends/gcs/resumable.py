"""Resumable upload sessions, fed part by part by the engine's pipeline and the manual multipart API.

Each request is a ``PUT`` with a ``Content-Range`` (multiples of 256 KiB but the last),
answered ``308`` until the last. Bytes of a part past its last 256 KiB boundary wait for
the next part or the commit. A failed part is sent again (by the engine) from the last
offset GCS confirmed; the status is never queried (fake-gcs-server commits the partial
object then). A retried part that had landed, or an emulator committing early, could
store wrong bytes: the committed object's size and MD5 are checked against the bytes sent.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from litestar_storages.backends.gcs._sdk import Transport
from litestar_storages.backends.gcs.config import CHUNK_GRANULARITY
from litestar_storages.bodies import SlicedBody
from litestar_storages.driver_errors import BrokenTransfer, DriverError
from litestar_storages.hashing import updated_copy
from litestar_storages.sequential_parts import SequentialParts

__all__ = ("ResumableUpload",)

_RESUME_INCOMPLETE = 308
_MAX_STALLS = 5
"""Answers in a row that confirm no new byte before a part is given up (the engine may retry it)."""

Buffer = bytes | bytearray | memoryview


class ResumableUpload:
    """One resumable upload session (its URL, ``session_uri``, is the upload id): parts in order, commit or cancel.

    ``offset`` counts the bytes GCS confirmed. The content type goes with every request:
    fake-gcs-server takes it from the chunks (GCS from the session, where it is set too).
    """

    __slots__ = (
        "_broken",
        "_md5",
        "_parts",
        "_persisted",
        "_transport",
        "content_type",
        "offset",
        "session_uri",
    )

    def __init__(self, transport: Transport, session_uri: str, *, content_type: str) -> None:
        """Attach to a session just opened (see :meth:`start`)."""
        self._transport = transport
        self.session_uri = session_uri
        self.content_type = content_type
        self.offset = self._persisted = 0
        self._md5 = hashlib.md5(usedforsecurity=False)
        self._parts = SequentialParts(CHUNK_GRANULARITY)
        self._broken: BrokenTransfer | None = None

    @classmethod
    async def start(
        cls, transport: Transport, bucket: str, resource: Mapping[str, Any], params: Mapping[str, str]
    ) -> ResumableUpload:
        """Open a session for the object ``resource`` describes (``name``, ``contentType``...) with ``params``."""
        name, content_type = resource["name"], resource["contentType"]
        body = json.dumps(resource).encode()
        params = {"uploadType": "resumable", "name": name, **params}
        headers = {"Content-Type": "application/json; charset=UTF-8", "X-Upload-Content-Type": content_type}
        url = transport.upload_url(bucket)
        response = await transport.request("POST", url, headers=headers, params=params, data=body)
        response.release()
        location = response.headers.get("Location")
        if not location:
            raise DriverError("GCS opened a resumable upload without a session URL")
        return cls(transport, location, content_type=content_type)

    async def put_part(self, number: int, data: Buffer) -> str:
        """Send part ``number`` (1, 2, 3... in order) and return its tag; a failed part may be sent again."""
        return await self._parts.put(number, data, lambda chunk: self._send(chunk, final=False))

    async def commit(self, parts: Sequence[tuple[int, str]]) -> dict[str, Any]:
        """Send the bytes still waiting, once ``parts`` (those the caller lists) are checked; return the object."""
        resource = await self._send(self._parts.rest(parts), final=True)
        return resource or {}  # a final send returns the resource or raises

    async def _send(self, chunk: Buffer, *, final: bool) -> dict[str, Any] | None:
        if self._broken is not None:  # the session is over: a retry gets the same answer
            raise self._broken
        start, end = self.offset, self.offset + len(chunk)
        # Hashed in a worker thread while the chunk is on the wire; adopted only once
        # GCS confirms the chunk, so a chunk sent again is not hashed twice.
        hashing = asyncio.ensure_future(updated_copy(self._md5, chunk))
        view = memoryview(chunk).cast("B")
        position, stalls = max(start, min(self._persisted, end)), 0  # a part sent again goes on where GCS stopped
        try:
            while True:
                resource, persisted = await self._put(view[position - start :], position, end, final=final)
                if resource is not None or (persisted == end and not final):
                    self._md5, self.offset = await hashing, end
                    return None if resource is None else await self._verified(resource, final=final)
                if not start <= persisted <= end:
                    raise DriverError(f"GCS reports {persisted} bytes persisted, outside the chunk {start}-{end}")
                stalls = stalls + 1 if persisted == position else 0
                if stalls > _MAX_STALLS:
                    raise BrokenTransfer(f"GCS keeps refusing bytes from offset {persisted}")
                position = persisted  # GCS kept part of the chunk: the rest goes on from there
        finally:
            hashing.cancel()

    async def _put(
        self, data: memoryview, position: int, end: int, *, final: bool
    ) -> tuple[dict[str, Any] | None, int]:
        total = str(end) if final else "*"
        headers = {
            "Content-Range": f"bytes {position}-{end - 1}/{total}" if data else f"bytes */{total}",
            "Content-Type": self.content_type,
            "Content-Length": str(data.nbytes),  # aiohttp would send an iterable body chunked
        }
        # Written 64 KiB at a time from the chunk itself: no copy (litestar_storages.bodies).
        response = await self._transport.request(
            "PUT", self.session_uri, headers=headers, data=SlicedBody(data) if data else b""
        )
        if response.status == _RESUME_INCOMPLETE:
            response.release()
            held = response.headers.get("Range")  # bytes=0-262143: what GCS holds (nothing without it)
            unit, _, span = (held or "").partition("=")
            first, _, last = span.partition("-")
            if held and (unit.strip() != "bytes" or first.strip() != "0" or not last.strip().isdigit()):
                raise DriverError(f"unexpected resumable-upload Range header {held!r}")
            self._persisted = int(last) + 1 if held else 0
            return None, self._persisted
        resource: dict[str, Any] = await response.json(content_type=None)
        return resource, int(resource.get("size", 0))

    def _mismatch(self, resource: Mapping[str, Any], *, final: bool) -> str | None:
        size, md5 = resource.get("size"), resource.get("md5Hash")
        if not isinstance(size, (str, int)) or not str(size).isdigit():
            return f"GCS reported no size for the object ({size!r}), {self.offset} bytes were sent"
        if int(size) != self.offset:
            return f"GCS stored {int(size)} bytes, {self.offset} were sent"
        sent = base64.b64encode(self._md5.digest()).decode("ascii")
        if isinstance(md5, str) and md5 and md5 != sent:
            return f"GCS stored MD5 {md5}, the bytes sent have MD5 {sent}"
        if not final:  # the total comes with the last chunk only: what was committed before is partial
            return f"GCS committed the object after {self.offset} bytes, before the last chunk"
        return None

    async def _verified(self, resource: dict[str, Any], *, final: bool) -> dict[str, Any]:
        problem = self._mismatch(resource, final=final)
        if problem is None:
            return resource
        outcome = "it was deleted" if await self._discard(resource) else "deleting it failed: delete it yourself"
        self._broken = BrokenTransfer(f"GCS committed an object that differs from the data sent ({problem}); {outcome}")
        raise self._broken

    async def _discard(self, resource: dict[str, Any]) -> bool:
        # Only this generation: a newer version written meanwhile by someone else stays.
        bucket, name, generation = resource.get("bucket"), resource.get("name"), resource.get("generation")
        if not isinstance(bucket, str) or not isinstance(name, str):
            return False
        params = {"ifGenerationMatch": str(generation)} if generation else {}
        try:
            url = self._transport.object_url(bucket, name)
            response = await self._transport.request("DELETE", url, params=params, raise_for_status=False)
            response.release()
        except Exception:  # best effort: the mismatch is the error the caller must see
            return False
        return response.status < 300 or response.status == 404

    async def cancel(self) -> None:
        """Cancel the session so that nothing is stored; best effort, never raises (it would expire in a week)."""
        with contextlib.suppress(Exception):
            # GCS answers 499 to a successful cancellation.
            (await self._transport.request("DELETE", self.session_uri, raise_for_status=False)).release()
