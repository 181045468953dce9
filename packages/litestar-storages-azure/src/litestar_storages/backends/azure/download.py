"""Streamed, resumable blob downloads under one retry budget.

``BlobClient.download_blob`` is not used for reading: its downloader re-reads a body cut
short up to three times itself (hard-coded in azure-storage-blob, with a one-second sleep
between tries, whatever ``retry_total`` says), on top of the storage's ``RetryConfig``:
four attempts became twelve GETs and a 1 s read timeout took 10 s. It also buffers each
range in full before handing out the first byte.

:class:`RangeDownload` sends Get Blob through the client's generated operations instead
(the same pipeline: authentication, timeouts, SDK retries off) and streams the body. One
``RetryConfig`` budget covers the whole read: a failed request or a body cut short is
retried from the byte reached, pinned with ``If-Match`` to the ETag of the first answer so
that the bytes joined all come from one version of the blob. A body is never returned
short: when the attempts run out the last error is raised.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any

from litestar_storages.backends.azure.errors import BACKEND, MAPPER, replaced_during_read
from litestar_storages.exceptions import (
    InvalidRangeError,
    StorageConnectionError,
    StorageError,
)

if TYPE_CHECKING:
    from litestar_storages.backends.azure._sdk import BlobRequests
    from litestar_storages.retry import RetryConfig

__all__ = ("RangeDownload",)


def _body_and_headers(pipeline_response: Any, body: Any, _headers: Any) -> tuple[Any, Mapping[str, str]]:
    # The generated operation hands its raw response to ``cls``: keep the streamed body and
    # the HTTP headers (Content-Length and ETag are all that is needed).
    return body, pipeline_response.http_response.headers


class RangeDownload:
    """One download of ``[start, end)`` of a blob, iterated once.

    Attributes:
        size: Bytes the download yields in all; ``None`` until the first answer arrived.
    """

    __slots__ = ("_body", "_end", "_etag", "_key", "_position", "_requests", "_retry", "_start", "size")

    def __init__(self, requests: BlobRequests, *, key: str, start: int, end: int | None, retry: RetryConfig) -> None:
        """Prepare the download; nothing is sent until iteration starts.

        Args:
            requests: The blob's requests (see ``_sdk.py``).
            key: The storage key, for errors.
            start: First byte to read.
            end: Byte after the last to read, or ``None`` for the end of the blob.
            retry: The one budget of attempts for the whole download.
        """
        self._requests = requests
        self._key = key
        self._start = start
        self._position = start
        self._end = end
        self._retry = retry
        self._etag: str | None = None
        self._body: AsyncIterator[bytes] | None = None
        self.size: int | None = None

    async def __aiter__(self) -> AsyncIterator[bytes]:
        """Yield the bytes as they arrive, resuming a cut transfer within the retry budget.

        Yields:
            Chunks of the range, in order (at most the transport's block size each).

        Raises:
            StorageFileNotFoundError: If the blob does not exist.
            StorageConnectionError: If the attempts ran out before the last byte.
            StorageError: If the blob changed between two attempts.
        """
        failures = 0
        try:
            while True:
                try:
                    chunk = await self._next_chunk()
                except Exception as error:
                    failures += 1
                    if failures >= self._retry.max_attempts or not self._retry.should_retry(error):
                        raise
                    await self._drop()
                    await asyncio.sleep(self._retry.delay_for(failures))
                    continue
                if chunk is None:
                    return
                yield chunk
        finally:
            await self._drop()

    async def _next_chunk(self) -> bytes | None:
        if self._body is None:
            if self._end is not None and self._position >= self._end:
                return None
            if not await self._open():
                return None
        assert self._body is not None  # noqa: S101 - set by _open
        with MAPPER.guard(self._key):
            try:
                chunk = await anext(self._body)
            except StopAsyncIteration:
                chunk = b""
        if not chunk:
            await self._drop()
            if self._end is not None and self._position < self._end:
                # A clean close before Content-Length was reached: as retryable as a reset.
                raise StorageConnectionError(
                    f"{BACKEND}: download of {self._key!r} ended at byte {self._position} of {self._end}",
                    key=self._key,
                )
            return None
        self._position += len(chunk)
        return chunk

    async def _open(self) -> bool:
        resumed = self.size is not None
        # Without a range an empty blob answers 200; ``bytes=0-`` would be refused with 416.
        whole = self._position == 0 and self._end is None
        byte_range: str | None = None
        if not whole:
            last = "" if self._end is None else str(self._end - 1)
            byte_range = f"bytes={self._position}-{last}"
        headers = {"If-Match": self._etag} if resumed and self._etag else None
        # The public download_blob() re-reads cut bodies itself (see the module docstring),
        # so the request goes through the generated operation the SDK itself calls.
        requests = self._requests
        try:
            with MAPPER.guard(self._key):
                body, answer = await requests.download(_body_and_headers, range=byte_range, headers=headers)
        except InvalidRangeError:
            if resumed:
                raise
            return False  # the range starts at or past the end: the protocol clips it to nothing
        except StorageError as error:
            # If-Match failed on a resumed read: the blob was replaced since the first answer.
            replaced = replaced_during_read(error, self._key) if resumed else None
            if replaced is None:
                raise
            raise replaced from error.__cause__
        if not resumed:
            self._etag = answer.get("ETag")
            length = int(answer.get("Content-Length") or 0)
            self._end = self._position + length
            self.size = length
        self._body = body
        return True

    async def _drop(self) -> None:
        body, self._body = self._body, None
        close = getattr(getattr(body, "response", None), "close", None)
        if close is not None:
            # Releases the connection of an unfinished body instead of leaving it to the GC.
            result = close()
            if asyncio.iscoroutine(result):
                await result
