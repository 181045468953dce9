"""Multipart uploads and copies with a bounded number of parts in flight.

:func:`upload_parts` reads the next part from the input only when fewer than
``max_concurrency`` parts are uploading, so a streamed upload holds at most
``part_size * (max_concurrency + 1)`` bytes. Any failure (the input stream raising, a
part failing after its retries, the caller being cancelled) aborts the upload: no object
appears and no upload is left open to be billed (see :mod:`.lifecycle`). The input's own
exception propagates unchanged.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from litestar_storages.backends.s3.client import call, send
from litestar_storages.backends.s3.config import MAX_OBJECT_SIZE, MAX_PARTS, MIN_PART_SIZE
from litestar_storages.backends.s3.lifecycle import UploadTarget, abort_upload, create_upload
from litestar_storages.exceptions import StorageValidationError
from litestar_storages.progress import ProgressReporter
from litestar_storages.streams import ByteStream

if TYPE_CHECKING:
    from types_aiobotocore_s3.type_defs import CompletedPartTypeDef

__all__ = ("PartScheduler", "copy_parts", "fit_part_size", "iter_parts", "put_part", "upload_parts")

MIB = 1024 * 1024


def fit_part_size(part_size: int, total: int | None, *, key: str) -> int:
    """Return the part size for ``total`` bytes: ``part_size``, or more to fit in 10,000 parts.

    Args:
        part_size: The configured part size.
        total: The object's size, when known.
        key: The key, for error messages.

    Returns:
        The part size, rounded up to a whole MiB when it had to grow.

    Raises:
        StorageValidationError: If the object is larger than S3's 5 TiB maximum.
    """
    if total is None:
        return part_size
    if total > MAX_OBJECT_SIZE:
        raise StorageValidationError(f"{total} bytes exceed S3's largest object (5 TiB)", key=key)
    if total <= part_size * MAX_PARTS:
        return part_size
    return math.ceil(math.ceil(total / MAX_PARTS) / MIB) * MIB


async def iter_parts(
    stream: ByteStream, read_ahead: list[bytearray], part_size: int, *, key: str
) -> AsyncIterator[bytearray]:
    """Cut the blocks already read and then the rest of ``stream`` into parts of ``part_size`` bytes.

    Parts are ``bytearray`` blocks from :meth:`ByteStream.read_block`: botocore and
    aiohttp send them without a further copy (a ``bytes`` body is copied into a
    ``BytesIO`` and copied again by aiohttp), so each part in flight costs its size once.

    Args:
        stream: The input, already read up to the end of ``read_ahead``.
        read_ahead: Blocks read from the stream before (to choose multipart), in order;
            emptied as they are used, so that no reference outlives its part.
        part_size: Size of every part but the last.
        key: The key being uploaded, for error messages.

    Yields:
        The parts; only the last may be shorter.

    Raises:
        StorageValidationError: If the input needs more than 10,000 parts.
    """
    count = 0
    carry = bytearray()
    while True:
        block = read_ahead.pop(0) if read_ahead else await stream.read_block(part_size - len(carry))
        if not block:
            break
        # Every yielded block is dropped right after: a local name holding it while the
        # next one is read would keep one more part alive than the memory bound allows.
        if not carry and len(block) == part_size:
            count += 1
            _check_part_count(count, key)
            yield block
            del block
            continue
        carry += block
        del block
        while len(carry) >= part_size:
            count += 1
            _check_part_count(count, key)
            part = carry[:part_size]
            del carry[:part_size]
            yield part
            del part
    if carry:
        _check_part_count(count + 1, key)
        yield carry


def _check_part_count(count: int, key: str) -> None:
    if count > MAX_PARTS:
        raise StorageValidationError(
            f"The upload of {key!r} needs more than {MAX_PARTS} parts: raise S3Config.part_size", key=key
        )


class PartScheduler:
    """Runs part requests with at most ``limit`` in flight and collects their tags.

    Progress is reported from the coroutine that drives the scheduler, in completion
    order, so reports stay monotonic even with async callbacks.
    """

    __slots__ = ("_reporter", "_tasks", "limit", "parts")

    def __init__(self, limit: int, reporter: ProgressReporter | None = None) -> None:
        """Create an empty scheduler.

        Args:
            limit: Most requests in flight.
            reporter: Receives the size of each finished part.
        """
        self.limit = limit
        self.parts: list[tuple[int, str]] = []
        self._reporter = reporter
        self._tasks: set[asyncio.Task[tuple[int, str, int]]] = set()

    async def reserve(self) -> None:
        """Wait until fewer than ``limit`` requests are in flight.

        Raises:
            StorageError: The error of a part that failed meanwhile.
        """
        while len(self._tasks) >= self.limit:
            await self._harvest()

    async def submit(self, number: int, request: Callable[[], Awaitable[str]], size: int) -> None:
        """Start one part's request, first waiting for a free slot.

        Args:
            number: The part number.
            request: Uploads (or copies) the part and returns its ETag.
            size: The part's size in bytes, for progress.

        Raises:
            StorageError: The error of a part that failed meanwhile.
        """
        await self.reserve()
        self.start(number, request, size)

    def start(self, number: int, request: Callable[[], Awaitable[str]], size: int) -> None:
        """Start one part's request now (after :meth:`reserve`).

        Args:
            number: The part number.
            request: Uploads (or copies) the part and returns its ETag.
            size: The part's size in bytes, for progress.
        """

        async def run() -> tuple[int, str, int]:
            return number, await request(), size

        self._tasks.add(asyncio.ensure_future(run()))

    async def drain(self) -> list[tuple[int, str]]:
        """Wait for every request in flight.

        Returns:
            ``(part_number, etag)`` of every part, sorted by part number.

        Raises:
            StorageError: The error of a part that failed.
        """
        while self._tasks:
            await self._harvest()
        return sorted(self.parts)

    async def _harvest(self) -> None:
        done, _ = await asyncio.wait(self._tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            self._tasks.discard(task)
        for task in done:
            number, etag, size = task.result()
            self.parts.append((number, etag))
            if self._reporter is not None:
                await self._reporter.advance(size)

    async def cancel(self) -> None:
        """Cancel every request in flight and wait until they have stopped."""
        tasks, self._tasks = self._tasks, set()
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)


def completed_parts(parts: list[tuple[int, str]]) -> list[CompletedPartTypeDef]:
    """Format ``(number, etag)`` pairs for CompleteMultipartUpload.

    Args:
        parts: The uploaded parts.

    Returns:
        The ``Parts`` list, sorted by part number.
    """
    return [{"PartNumber": number, "ETag": etag} for number, etag in sorted(parts)]


async def put_part(target: UploadTarget, upload_id: str, number: int, body: bytes | bytearray | memoryview) -> str:
    """Upload one part (UploadPart), retried per the target's policy.

    Args:
        target: The object being uploaded.
        upload_id: The multipart upload.
        number: The part's 1-based position.
        body: The part's bytes (sent without a copy).

    Returns:
        The part's ETag.
    """
    client = target.client
    response = await send(
        client,
        body,
        lambda payload: client.upload_part(
            Bucket=target.bucket, Key=target.name, UploadId=upload_id, PartNumber=number, Body=payload
        ),
        key=target.key,
        retry=target.retry,
    )
    return response["ETag"]


async def _multipart(
    target: UploadTarget,
    scheduler: PartScheduler,
    feed: Callable[[str], Awaitable[None]],
    *,
    create_args: Mapping[str, Any],
    complete_args: Mapping[str, Any],
) -> dict[str, Any]:
    # Create, let ``feed`` submit every part to ``scheduler``, complete; abort on any
    # failure or cancellation, whatever raised it.
    upload_id = await create_upload(target, create_args)
    client = target.client
    try:
        await feed(upload_id)
        parts = await scheduler.drain()
        completed = await call(
            lambda: client.complete_multipart_upload(
                Bucket=target.bucket,
                Key=target.name,
                UploadId=upload_id,
                MultipartUpload={"Parts": completed_parts(parts)},
                **complete_args,
            ),
            key=target.key,
            retry=target.retry,
        )
    except BaseException:
        await scheduler.cancel()
        await abort_upload(target, upload_id)
        raise
    return dict(completed)


async def upload_parts(
    target: UploadTarget,
    parts: AsyncIterator[bytearray],
    *,
    create_args: Mapping[str, Any],
    complete_args: Mapping[str, Any],
    max_concurrency: int,
    reporter: ProgressReporter,
) -> tuple[dict[str, Any], int]:
    """Upload ``parts`` as one multipart upload, aborting it on any failure.

    Args:
        target: The object to write.
        parts: The parts, in order (read lazily, one ahead of the uploads in flight).
        create_args: Extra CreateMultipartUpload arguments (ContentType, Metadata).
        complete_args: Extra CompleteMultipartUpload arguments (IfNoneMatch).
        max_concurrency: Most parts in flight.
        reporter: Receives upload progress.

    Returns:
        The CompleteMultipartUpload answer and the object's size.

    Raises:
        StorageError: A translated S3 error.
        Exception: Whatever the input stream raised, unchanged.
    """
    scheduler = PartScheduler(max_concurrency, reporter)
    size = 0

    async def feed(upload_id: str) -> None:
        nonlocal size
        number = 0
        while True:
            # Wait for a free slot before reading the next part, so the part being read
            # is the "+ 1" of the memory bound rather than one more waiting in line.
            await scheduler.reserve()
            part = await anext(parts, None)
            if part is None:
                return
            number += 1
            size += len(part)
            scheduler.start(number, _part_request(target, upload_id, number, part), len(part))
            del part  # the task holds it now; see iter_parts

    completed = await _multipart(target, scheduler, feed, create_args=create_args, complete_args=complete_args)
    return completed, size


def _part_request(target: UploadTarget, upload_id: str, number: int, body: bytearray) -> Callable[[], Awaitable[str]]:
    return lambda: put_part(target, upload_id, number, body)


async def copy_parts(
    target: UploadTarget,
    *,
    source: str,
    size: int,
    part_size: int,
    create_args: Mapping[str, Any],
    max_concurrency: int,
) -> dict[str, Any]:
    """Copy an object server-side in parts (UploadPartCopy), for objects over 5 GiB.

    Args:
        target: The destination.
        source: The source object's full name (in the same bucket).
        size: The source's size.
        part_size: The configured part size (grown to fit 10,000 parts).
        create_args: CreateMultipartUpload arguments carrying the source's content type
            and metadata (a part copy does not carry them over by itself).
        max_concurrency: Most parts in flight.

    Returns:
        The CompleteMultipartUpload answer.
    """
    part_size = max(MIN_PART_SIZE, fit_part_size(part_size, size, key=target.key))
    scheduler = PartScheduler(max_concurrency)

    async def feed(upload_id: str) -> None:
        for number, start in enumerate(range(0, size, part_size), start=1):
            byte_range = f"bytes={start}-{min(start + part_size, size) - 1}"
            await scheduler.submit(number, _copy_request(target, upload_id, number, source, byte_range), 0)

    return await _multipart(target, scheduler, feed, create_args=create_args, complete_args={})


def _copy_request(
    target: UploadTarget, upload_id: str, number: int, source: str, byte_range: str
) -> Callable[[], Awaitable[str]]:
    client = target.client

    async def request() -> str:
        response = await call(
            lambda: client.upload_part_copy(
                Bucket=target.bucket,
                Key=target.name,
                UploadId=upload_id,
                PartNumber=number,
                CopySource={"Bucket": target.bucket, "Key": source},
                CopySourceRange=byte_range,
            ),
            key=target.key,
            retry=target.retry,
        )
        return response["CopyPartResult"]["ETag"]

    return request
