"""Resumable uploads sent chunk by chunk, so a stream of any size needs flat memory.

gcloud-aio-storage starts resumable sessions but sends the whole body in one request,
which needs the data in memory (or a seekable file). Here each chunk is one ``PUT``
with a ``Content-Range``; GCS answers ``308`` until the last one, which it answers with
the object's resource. Chunks but the last must be multiples of 256 KiB. The committed
object's size and MD5 are checked against the bytes sent (see ``integrity``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Mapping
from typing import Any

from litestar_storages.backends.gcs.errors import GCS_ERRORS
from litestar_storages.backends.gcs.integrity import UploadDigest
from litestar_storages.backends.gcs.transport import Transport
from litestar_storages.bodies import SlicedBody
from litestar_storages.exceptions import StorageConnectionError, StorageError
from litestar_storages.retry import RetryConfig, request_retry, with_retry

__all__ = ("ResumableUpload", "persisted_bytes")

_RESUME_INCOMPLETE = 308


def persisted_bytes(range_header: str | None) -> int:
    """Return how many bytes a ``308`` answer says GCS has persisted.

    Args:
        range_header: The answer's ``Range`` header (``"bytes=0-262143"``), if any.

    Returns:
        The count of persisted bytes; 0 without a header.

    Raises:
        StorageError: If the header is malformed.
    """
    if not range_header:
        return 0
    unit, _, span = range_header.partition("=")
    first, _, last = span.partition("-")
    if unit.strip() != "bytes" or first.strip() != "0" or not last.strip().isdigit():
        raise StorageError(f"GCS sent an unexpected resumable-upload Range header: {range_header!r}")
    return int(last) + 1


class ResumableUpload:
    """One resumable upload session: start it, send chunks in order, or cancel it.

    Attributes:
        session_uri: The session's URL (valid for a week; it is the upload's only state).
        offset: Bytes GCS has persisted so far.
        content_type: Sent with every chunk (fake-gcs-server takes the object's type from
            the chunks; GCS from the session, where it is also set).
    """

    __slots__ = ("_digest", "_retry", "_transport", "content_type", "key", "offset", "session_uri")

    def __init__(
        self,
        transport: Transport,
        session_uri: str,
        *,
        content_type: str,
        key: str | None = None,
        retry: RetryConfig | None = None,
        offset: int = 0,
    ) -> None:
        """Attach to an existing session (see :meth:`start` to create one).

        Args:
            transport: The storage's transport.
            session_uri: The session's URL.
            content_type: The object's content type.
            key: The storage key, for error messages.
            retry: How failed chunk requests are retried.
            offset: Bytes already persisted.
        """
        self._transport = transport
        self._retry = retry or request_retry()
        self.session_uri = session_uri
        self.content_type = content_type
        self.key = key
        self.offset = offset
        self._digest = UploadDigest(offset=offset)

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
        key: str | None = None,
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
            key: The storage key, for error messages.
            retry: How failed requests are retried.

        Returns:
            The session.
        """
        body = json.dumps({"name": name, "contentType": content_type, "metadata": dict(metadata)}).encode()
        params = {"uploadType": "resumable", "name": name}
        if if_generation_match is not None:
            params["ifGenerationMatch"] = str(if_generation_match)
        headers = {"Content-Type": "application/json; charset=UTF-8", "X-Upload-Content-Type": content_type}

        async def initiate() -> str:
            with GCS_ERRORS.guard(key):
                response = await transport.request(
                    "POST", transport.upload_url(bucket), headers=headers, params=params, data=body
                )
                response.release()
            location = response.headers.get("Location")
            if not location:
                raise StorageError("GCS opened a resumable upload without a session URL", key=key)
            return location

        policy = retry or request_retry()
        session_uri = await with_retry(initiate, policy)
        return cls(transport, session_uri, content_type=content_type, key=key, retry=policy)

    async def send(self, chunk: bytes | bytearray, *, final: bool) -> dict[str, Any] | None:
        """Send the next chunk; the last one (``final=True``) completes the upload.

        A chunk GCS persisted only in part is completed by further requests. After a
        transient failure the chunk is sent again from the last offset GCS confirmed
        (GCS skips bytes it already holds, so an attempt that did get through is
        harmless); the session's status is never queried, because fake-gcs-server
        commits the partial object on a status query. The committed object's size and
        MD5 are checked against the bytes sent.

        Args:
            chunk: The bytes following those already sent; a multiple of 256 KiB
                unless ``final``. May be empty when ``final``.
            final: Whether this chunk ends the object.

        Returns:
            The object's resource once the upload is complete, else ``None``.

        Raises:
            StorageConnectionError: If retries are exhausted, or if the committed
                object differs from the bytes sent (it is then deleted).
            StorageError: Translated errors (412 -> StorageFileExistsError when a
                precondition failed).
        """
        start, end = self.offset, self.offset + len(chunk)
        # Hashed in a worker thread while the chunk is on the wire; adopted only once
        # GCS confirms the chunk, so a part the caller retries is not hashed twice.
        hashing = asyncio.ensure_future(asyncio.to_thread(_hash_and_release, self._digest, [chunk]))
        try:
            return await self._send(chunk, start, end, hashing, final=final)
        finally:
            hashing.cancel()

    async def _send(
        self, chunk: bytes | bytearray, start: int, end: int, hashing: asyncio.Future[UploadDigest], *, final: bool
    ) -> dict[str, Any] | None:
        view = memoryview(chunk).cast("B")
        position = start
        failures = 0
        stalls = 0
        while True:
            try:
                resource, persisted = await self._put(view[position - start :], position, end, final=final)
            except StorageError as error:
                failures += 1
                if failures >= self._retry.max_attempts or not self._retry.should_retry(error):
                    raise
                await asyncio.sleep(self._retry.delay_for(failures))
                continue
            if resource is not None:
                self._digest = await hashing
                self.offset = end
                return await self._verified(resource, final=final)
            if persisted > end or persisted < start:
                raise StorageError(
                    f"GCS reports {persisted} bytes persisted, outside the chunk {start}-{end} just sent", key=self.key
                )
            if persisted == end and not final:
                self._digest = await hashing
                self.offset = end
                return None
            stalls = stalls + 1 if persisted == position else 0
            if stalls > self._retry.max_attempts:
                raise StorageConnectionError(f"GCS keeps refusing bytes from offset {persisted}", key=self.key)
            position = persisted

    async def _put(
        self, data: memoryview, position: int, end: int, *, final: bool
    ) -> tuple[dict[str, Any] | None, int]:
        total = str(end) if final else "*"
        content_range = f"bytes {position}-{end - 1}/{total}" if data else f"bytes */{total}"
        headers = {
            "Content-Range": content_range,
            "Content-Type": self.content_type,
            # Stated here because aiohttp sends an iterable body chunked otherwise.
            "Content-Length": str(data.nbytes),
        }
        with GCS_ERRORS.guard(self.key):
            # Written 64 KiB at a time from the chunk itself: no copy of it is made,
            # on the event loop or anywhere (see litestar_storages.bodies).
            body = SlicedBody(data) if data else b""
            response = await self._transport.request("PUT", self.session_uri, headers=headers, data=body)
            return await _outcome(response)

    async def _verified(self, resource: dict[str, Any], *, final: bool) -> dict[str, Any]:
        problem = self._digest.mismatch(resource)
        if problem is None and not final:
            # The total is declared with the last chunk only, so an object committed
            # before it holds part of the data, whatever its hash.
            problem = f"GCS committed the object after {self.offset} bytes, before the last chunk"
        if problem is None:
            return resource
        deleted = await self._discard(resource)
        outcome = "it was deleted" if deleted else "deleting it failed: delete it yourself"
        raise StorageConnectionError(
            f"GCS committed an object that differs from the data sent ({problem}); {outcome}", key=self.key
        )

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


def _hash_and_release(digest: UploadDigest, held: list[bytes | bytearray]) -> UploadDigest:
    # The executor keeps a job's arguments until after the loop has been told the job
    # is done, so a chunk passed directly would outlive its hashing while the next chunk
    # is read: two chunks held. Emptied here, in the worker, the chunk dies with the send.
    try:
        return digest.following(held[0])
    finally:
        held.clear()


async def _outcome(response: Any) -> tuple[dict[str, Any] | None, int]:
    if response.status == _RESUME_INCOMPLETE:
        range_header = response.headers.get("Range")
        response.release()
        return None, persisted_bytes(range_header)
    resource: dict[str, Any] = await response.json(content_type=None)
    return resource, int(resource.get("size", 0))
