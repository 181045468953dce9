"""Resumable uploads sent chunk by chunk, so a stream of any size needs flat memory.

gcloud-aio-storage starts resumable sessions but sends the whole body in one request,
which needs the data in memory (or a seekable file). Here each chunk is one ``PUT``
with a ``Content-Range``; GCS answers ``308`` until the last one, which it answers with
the object's resource. Chunks but the last must be multiples of 256 KiB. The committed
object's size and MD5 are checked against the bytes sent (see ``integrity``).

Requests raise the SDK's own errors, which the engine's error table translates with the
caller's key. A failed chunk is sent again here, from the last offset GCS confirmed:
the engine cannot repeat a stream it has consumed.
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
    """Return how many bytes a ``308`` answer's ``Range`` header (``bytes=0-262143``) says GCS holds.

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

    def __init__(self, transport: Transport, session_uri: str, *, content_type: str, retry: RetryConfig) -> None:
        """Attach to a session just opened (see :meth:`start`); ``retry`` repeats failed chunks."""
        self._transport = transport
        self._retry = retry
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
            url = transport.upload_url(bucket)
            response = await transport.request("POST", url, headers=headers, params=params, data=body)
            response.release()
            location = response.headers.get("Location")
            if not location:
                raise GCSDriverError("GCS opened a resumable upload without a session URL")
            return location

        policy = retry or _ONE_ATTEMPT
        return cls(transport, await with_retry(initiate, policy), content_type=content_type, retry=policy)

    async def send(self, chunk: Buffer, *, final: bool) -> dict[str, Any] | None:
        """Send the next chunk; the last one (``final=True``) completes the upload.

        A chunk GCS persisted only in part is completed by further requests. After a
        transient failure the chunk is sent again from the last offset GCS confirmed
        (GCS skips bytes it already holds); the session's status is never queried,
        because fake-gcs-server commits the partial object on a status query. Nothing
        changes unless the chunk is confirmed, so a failed ``send`` may be repeated.

        Args:
            chunk: The bytes following those already sent; a multiple of 256 KiB
                unless ``final`` (then possibly empty).
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
        view = memoryview(chunk).cast("B")
        position, failures, stalls = start, 0, 0
        try:
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
                    self._digest, self.offset = await hashing, end
                    return None if resource is None else await self._verified(resource, final=final)
                if not start <= persisted <= end:
                    raise GCSDriverError(f"GCS reports {persisted} bytes persisted, outside the chunk {start}-{end}")
                stalls = stalls + 1 if persisted == position else 0
                if stalls > self._retry.max_attempts:
                    raise UploadBrokenError(f"GCS keeps refusing bytes from offset {persisted}")
                position = persisted
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
        # Written 64 KiB at a time from the chunk itself: no copy of it is made (litestar_storages.bodies).
        response = await self._transport.request(
            "PUT", self.session_uri, headers=headers, data=SlicedBody(data) if data else b""
        )
        if response.status == _RESUME_INCOMPLETE:
            response.release()
            return None, persisted_bytes(response.headers.get("Range"))
        resource: dict[str, Any] = await response.json(content_type=None)
        return resource, int(resource.get("size", 0))

    async def _verified(self, resource: dict[str, Any], *, final: bool) -> dict[str, Any]:
        problem = self._digest.mismatch(resource)
        if problem is None and not final:
            # The total is declared with the last chunk only: an object committed before
            # it holds part of the data, whatever its hash.
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
        url = self._transport.object_url(bucket, name)
        try:
            response = await self._transport.request("DELETE", url, params=params, raise_for_status=False)
            response.release()
        except Exception:  # best effort: the mismatch is the error the caller must see
            return False
        return response.status < 300 or response.status == 404

    async def cancel(self) -> None:
        """Cancel the session so that nothing is stored; best effort, never raises.

        An unfinished session never becomes an object anyway: it expires after a week.
        """
        with contextlib.suppress(Exception):
            # GCS answers 499 to a successful cancellation.
            (await self._transport.request("DELETE", self.session_uri, raise_for_status=False)).release()


async def send_stream(session: ResumableUpload, chunks: AsyncIterator[bytes], chunk_size: int) -> dict[str, Any]:
    """Send a whole stream through ``session`` in ``chunk_size`` requests and complete it.

    One chunk is held at a time: the stream's pieces are copied into it once (a piece of
    ``chunk_size`` or more, such as the engine's first block, is sent in slices of
    itself), and the end is found by looking one piece ahead, never a whole chunk.

    Args:
        session: A session just started.
        chunks: The data; its own exceptions propagate unchanged.
        chunk_size: Size of every request but the last (a multiple of 256 KiB).

    Returns:
        The object's resource.
    """
    held: memoryview | None = None

    async def piece() -> memoryview | None:
        nonlocal held
        if held is not None:
            current, held = held, None
            return current
        async for chunk in chunks:  # leaving the loop does not close the stream
            if chunk:
                return memoryview(chunk).cast("B")
        return None

    while True:
        current = await piece()
        block: Buffer = b""
        if current is not None and current.nbytes >= chunk_size:
            block, held = current[:chunk_size], current[chunk_size:] or None
        elif current is not None:
            # Allocated once at full size and filled in place: a growing bytearray would
            # be reallocated, briefly holding two copies.
            buffer, filled = bytearray(chunk_size), 0
            with memoryview(buffer) as target:
                while current is not None and filled < chunk_size:
                    taken = min(chunk_size - filled, current.nbytes)
                    target[filled : filled + taken] = current[:taken]
                    filled += taken
                    held = current[taken:] or None
                    current = await piece() if held is None and filled < chunk_size else None
            del buffer[filled:]
            block = buffer
            del buffer
        held = await piece()  # one piece ahead: is this block the last?
        completed = await session.send(block, final=held is None)
        del block, current  # dropped before the next block is filled: one chunk held
        if completed is not None:
            return completed


def _hash_and_release(digest: UploadDigest, held: list[Buffer]) -> UploadDigest:
    # The executor keeps a job's arguments until after the loop has been told the job
    # is done, so a chunk passed directly would outlive its hashing while the next chunk
    # is read: two chunks held. Emptied here, in the worker, the chunk dies with the send.
    try:
        return digest.following(held[0])
    finally:
        held.clear()
