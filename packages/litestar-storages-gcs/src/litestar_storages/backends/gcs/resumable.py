"""Resumable uploads sent chunk by chunk, so a stream of any size needs flat memory.

gcloud-aio-storage starts resumable sessions but sends the whole body in one request,
which needs the data in memory (or a seekable file). Here each chunk is one ``PUT``
with a ``Content-Range``; GCS answers ``308`` until the last one, which it answers with
the object's resource. Chunks but the last must be multiples of 256 KiB. The committed
object's size and MD5 are checked against the bytes sent (see ``integrity``).

Requests raise the SDK's own errors: the engine's error table translates them with the
caller's key. A chunk is retried here (the engine cannot repeat a consumed stream), from
the last offset GCS confirmed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Mapping
from typing import Any

from litestar_storages.backends.gcs.errors import GCSDriverError, UploadBrokenError, retryable
from litestar_storages.backends.gcs.integrity import UploadDigest
from litestar_storages.backends.gcs.transport import Transport
from litestar_storages.bodies import SlicedBody
from litestar_storages.retry import RetryConfig, with_retry

__all__ = ("ResumableUpload", "persisted_bytes", "send_stream")

_RESUME_INCOMPLETE = 308
_ONE_ATTEMPT = RetryConfig(max_attempts=1)

Buffer = bytes | bytearray | memoryview


def persisted_bytes(range_header: str | None) -> int:
    """Return how many bytes a ``308`` answer says GCS has persisted.

    Args:
        range_header: The answer's ``Range`` header (``"bytes=0-262143"``), if any.

    Returns:
        The count of persisted bytes; 0 without a header.

    Raises:
        GCSDriverError: If the header is malformed.
    """
    if not range_header:
        return 0
    unit, _, span = range_header.partition("=")
    first, _, last = span.partition("-")
    if unit.strip() != "bytes" or first.strip() != "0" or not last.strip().isdigit():
        raise GCSDriverError(f"unexpected resumable-upload Range header {range_header!r}")
    return int(last) + 1


class ResumableUpload:
    """One resumable upload session: start it, send chunks in order, or cancel it.

    Attributes:
        session_uri: The session's URL (valid for a week; it is the upload's only state).
        offset: Bytes GCS has persisted so far.
        content_type: Sent with every chunk (fake-gcs-server takes the object's type from
            the chunks; GCS from the session, where it is also set).
    """

    __slots__ = ("_digest", "_retry", "_transport", "content_type", "offset", "session_uri")

    def __init__(
        self, transport: Transport, session_uri: str, *, content_type: str, retry: RetryConfig | None = None
    ) -> None:
        """Attach to an existing session (see :meth:`start` to create one).

        Args:
            transport: The storage's transport.
            session_uri: The session's URL.
            content_type: The object's content type.
            retry: How failed chunk requests are retried; ``None``: not here (the caller does).
        """
        self._transport = transport
        self._retry = retry or _ONE_ATTEMPT
        self.session_uri = session_uri
        self.content_type = content_type
        self.offset = 0
        self._digest = UploadDigest()

    @classmethod
    async def start(
        cls,
        transport: Transport,
        bucket: str,
        name: str,
        *,
        content_type: str,
        metadata: Mapping[str, str],
        if_generation_match: int | None = None,
        retry: RetryConfig | None = None,
    ) -> ResumableUpload:
        """Open a resumable upload session for one object.

        Args:
            transport: The storage's transport.
            bucket: The bucket.
            name: The object's full name.
            content_type: The object's content type.
            metadata: The object's custom metadata.
            if_generation_match: Precondition on the object's generation (``0``: only
                if it does not exist yet), checked by GCS when the upload completes.
            retry: How failed requests are retried; ``None``: not here (the caller does).

        Returns:
            The session.
        """
        body = json.dumps({"name": name, "contentType": content_type, "metadata": dict(metadata)}).encode()
        params = {"uploadType": "resumable", "name": name}
        if if_generation_match is not None:
            params["ifGenerationMatch"] = str(if_generation_match)
        headers = {"Content-Type": "application/json; charset=UTF-8", "X-Upload-Content-Type": content_type}

        async def initiate() -> str:
            response = await transport.request(
                "POST", transport.upload_url(bucket), headers=headers, params=params, data=body
            )
            response.release()
            location = response.headers.get("Location")
            if not location:
                raise GCSDriverError("GCS opened a resumable upload without a session URL")
            return location

        session_uri = await with_retry(initiate, retry or _ONE_ATTEMPT)
        return cls(transport, session_uri, content_type=content_type, retry=retry)

    async def send(self, chunk: Buffer, *, final: bool) -> dict[str, Any] | None:
        """Send the next chunk; the last one (``final=True``) completes the upload.

        A chunk GCS persisted only in part is completed by further requests. After a
        transient failure the chunk is sent again from the last offset GCS confirmed
        (GCS skips bytes it already holds, so an attempt that did get through is
        harmless); the session's status is never queried, because fake-gcs-server
        commits the partial object on a status query. The committed object's size and
        MD5 are checked against the bytes sent. Nothing changes unless it succeeds, so
        a failed ``send`` may be repeated.

        Args:
            chunk: The bytes following those already sent; a multiple of 256 KiB
                unless ``final``. May be empty when ``final``.
            final: Whether this chunk ends the object.

        Returns:
            The object's resource once the upload is complete, else ``None``.

        Raises:
            UploadBrokenError: If GCS keeps refusing bytes, or the committed object
                differs from the bytes sent (it is then deleted).
        """
        start, end = self.offset, self.offset + len(chunk)
        # Hashed in a worker thread while the chunk is on the wire; adopted only once
        # GCS confirms the chunk, so a part the caller retries is not hashed twice.
        hashing = asyncio.ensure_future(asyncio.to_thread(_hash_and_release, self._digest, [chunk]))
        try:
            return await self._send(memoryview(chunk).cast("B"), start, end, hashing, final=final)
        finally:
            hashing.cancel()

    async def _send(
        self, view: memoryview, start: int, end: int, hashing: asyncio.Future[UploadDigest], *, final: bool
    ) -> dict[str, Any] | None:
        position = start
        failures = stalls = 0
        while True:
            try:
                resource, persisted = await self._put(view[position - start :], position, end, final=final)
            except Exception as error:
                failures += 1
                if failures >= self._retry.max_attempts or not retryable(error, self._retry):
                    raise
                await asyncio.sleep(self._retry.delay_for(failures))
                continue
            if resource is not None or (persisted == end and not final):
                self._digest = await hashing
                self.offset = end
                return None if resource is None else await self._verified(resource, final=final)
            if not start <= persisted <= end:
                raise GCSDriverError(f"GCS reports {persisted} bytes persisted, outside the chunk {start}-{end} sent")
            stalls = stalls + 1 if persisted == position else 0
            if stalls > self._retry.max_attempts:
                raise UploadBrokenError(f"GCS keeps refusing bytes from offset {persisted}")
            position = persisted

    async def _put(
        self, data: memoryview, position: int, end: int, *, final: bool
    ) -> tuple[dict[str, Any] | None, int]:
        total = str(end) if final else "*"
        headers = {
            "Content-Range": f"bytes {position}-{end - 1}/{total}" if data else f"bytes */{total}",
            "Content-Type": self.content_type,
            # Stated here because aiohttp sends an iterable body chunked otherwise.
            "Content-Length": str(data.nbytes),
        }
        # Written 64 KiB at a time from the chunk itself: no copy of it is made,
        # on the event loop or anywhere (see litestar_storages.bodies).
        body = SlicedBody(data) if data else b""
        response = await self._transport.request("PUT", self.session_uri, headers=headers, data=body)
        if response.status == _RESUME_INCOMPLETE:
            range_header = response.headers.get("Range")
            response.release()
            return None, persisted_bytes(range_header)
        resource: dict[str, Any] = await response.json(content_type=None)
        return resource, int(resource.get("size", 0))

    async def _verified(self, resource: dict[str, Any], *, final: bool) -> dict[str, Any]:
        problem = self._digest.mismatch(resource)
        if problem is None and not final:
            # The total is declared with the last chunk only, so an object committed
            # before it holds part of the data, whatever its hash.
            problem = f"GCS committed the object after {self.offset} bytes, before the last chunk"
        if problem is None:
            return resource
        outcome = "it was deleted" if await self._discard(resource) else "deleting it failed: delete it yourself"
        raise UploadBrokenError(f"GCS committed an object that differs from the data sent ({problem}); {outcome}")

    async def _discard(self, resource: dict[str, Any]) -> bool:
        # Only this generation: a newer version written meanwhile by someone else stays.
        bucket, name, generation = resource.get("bucket"), resource.get("name"), resource.get("generation")
        if not isinstance(bucket, str) or not isinstance(name, str):
            return False
        params = {"ifGenerationMatch": str(generation)} if generation else {}
        try:
            response = await self._transport.request(
                "DELETE", self._transport.object_url(bucket, name), params=params, raise_for_status=False
            )
            response.release()
        except Exception:  # best effort: the mismatch is the error the caller must see
            return False
        return response.status < 300 or response.status == 404

    async def cancel(self) -> None:
        """Cancel the session so that nothing is stored; best effort, never raises.

        An unfinished session never becomes an object anyway: it expires after a week.
        """
        with contextlib.suppress(Exception):
            response = await self._transport.request("DELETE", self.session_uri, raise_for_status=False)
            # GCS answers 499 to a successful cancellation.
            response.release()


async def send_stream(session: ResumableUpload, chunks: AsyncIterator[bytes], chunk_size: int) -> dict[str, Any]:
    """Send a whole stream through ``session`` in ``chunk_size`` requests and complete it.

    One chunk is held at a time: pieces the stream yields are copied into it once (a
    piece of exactly ``chunk_size``, such as the engine's first block, is sent as it is),
    and the end is found by looking one piece ahead, never a whole chunk.

    Args:
        session: A session just started.
        chunks: The data; its own exceptions propagate unchanged.
        chunk_size: Size of every request but the last (a multiple of 256 KiB).

    Returns:
        The object's resource.
    """
    blocks = _Blocks(chunks, chunk_size)
    while True:
        block = await blocks.next_block()
        completed = await session.send(block, final=await blocks.at_end())
        del block  # dropped before the next block is filled: one chunk held
        if completed is not None:
            return completed


class _Blocks:
    """Cuts a stream of pieces of any size into blocks of one size, one block at a time."""

    __slots__ = ("_chunks", "_held", "_size")

    def __init__(self, chunks: AsyncIterator[bytes], size: int) -> None:
        self._chunks = chunks
        self._size = size
        self._held: memoryview | None = None

    async def _piece(self) -> memoryview | None:
        held, self._held = self._held, None
        if held is not None:
            return held
        async for chunk in self._chunks:  # leaving the loop does not close the stream
            if chunk:
                return memoryview(chunk).cast("B")
        return None

    async def at_end(self) -> bool:
        self._held = await self._piece()
        return self._held is None

    async def next_block(self) -> Buffer:
        piece = await self._piece()
        if piece is None:
            return b""
        if piece.nbytes >= self._size:  # sent as a slice of the piece: no copy
            if piece.nbytes > self._size:
                self._held = piece[self._size :]
            return piece[: self._size]
        # Allocated once at full size and filled in place: a growing bytearray would be
        # reallocated, briefly holding two copies.
        block = bytearray(self._size)
        filled = 0
        with memoryview(block) as target:
            while piece is not None:
                taken = min(self._size - filled, piece.nbytes)
                target[filled : filled + taken] = piece[:taken]
                filled += taken
                if taken < piece.nbytes:
                    self._held = piece[taken:]
                    break
                if filled == self._size:
                    break
                piece = await self._piece()
        del piece
        if filled < self._size:
            del block[filled:]
        return block


def _hash_and_release(digest: UploadDigest, held: list[Buffer]) -> UploadDigest:
    # The executor keeps a job's arguments until after the loop has been told the job
    # is done, so a chunk passed directly would outlive its hashing while the next chunk
    # is read: two chunks held. Emptied here, in the worker, the chunk dies with the send.
    try:
        return digest.following(held[0])
    finally:
        held.clear()
