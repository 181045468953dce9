"""Multipart uploads and copies with a bounded number of parts in flight.

:func:`upload_parts` reads the next part from the input only when fewer than
``max_concurrency`` parts are uploading, so a streamed upload holds at most
``part_size * (max_concurrency + 1)`` bytes. Any failure (the input stream raising, a
part failing after its retries, the caller being cancelled) aborts the upload: no object
appears and no upload is left open to be billed. The input's own exception propagates
unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from litestar_storages.backends.s3.body import request_body
from litestar_storages.backends.s3.client import call
from litestar_storages.backends.s3.config import MAX_OBJECT_SIZE, MAX_PARTS, MIN_PART_SIZE
from litestar_storages.exceptions import StorageValidationError
from litestar_storages.progress import ProgressReporter
from litestar_storages.retry import RetryConfig
from litestar_storages.streams import ByteStream

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client
    from types_aiobotocore_s3.type_defs import CompletedPartTypeDef

__all__ = ("PartScheduler", "copy_parts", "fit_part_size", "iter_parts", "upload_parts")

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


async def abort_quietly(client: S3Client, *, bucket: str, name: str, upload_id: str) -> None:
    """Abort an upload after a failure, shielded from cancellation, ignoring errors.

    The original failure is what the caller must see; if the abort itself fails, the
    bucket's lifecycle rule for incomplete uploads is the last line of defence.

    Args:
        client: The S3 client.
        bucket: The bucket.
        name: The object's full name.
        upload_id: The upload to abort.
    """
    abort = asyncio.ensure_future(client.abort_multipart_upload(Bucket=bucket, Key=name, UploadId=upload_id))
    with contextlib.suppress(Exception, asyncio.CancelledError):
        await asyncio.shield(abort)


async def upload_parts(
    client: S3Client,
    *,
    bucket: str,
    name: str,
    key: str,
    parts: AsyncIterator[bytearray],
    create_args: Mapping[str, Any],
    complete_args: Mapping[str, Any],
    max_concurrency: int,
    retry: RetryConfig,
    reporter: ProgressReporter,
) -> tuple[dict[str, Any], int]:
    """Upload ``parts`` as one multipart upload, aborting it on any failure.

    Args:
        client: The S3 client.
        bucket: The bucket.
        name: The object's full name (storage prefix included).
        key: The storage key, for errors and progress.
        parts: The parts, in order (read lazily, one ahead of the uploads in flight).
        create_args: Extra CreateMultipartUpload arguments (ContentType, Metadata).
        complete_args: Extra CompleteMultipartUpload arguments (IfNoneMatch).
        max_concurrency: Most parts in flight.
        retry: Retry policy of each request.
        reporter: Receives upload progress.

    Returns:
        The CompleteMultipartUpload answer and the object's size.

    Raises:
        StorageError: A translated S3 error.
        Exception: Whatever the input stream raised, unchanged.
    """
    created = await call(
        lambda: client.create_multipart_upload(Bucket=bucket, Key=name, **create_args), key=key, retry=retry
    )
    upload_id = created["UploadId"]
    scheduler = PartScheduler(max_concurrency, reporter)
    size = 0
    try:
        number = 0
        while True:
            # Wait for a free slot before reading the next part, so the part being read
            # is the "+ 1" of the memory bound rather than one more waiting in line.
            await scheduler.reserve()
            part = await anext(parts, None)
            if part is None:
                break
            number += 1
            size += len(part)
            request = _part_request(
                client, bucket=bucket, name=name, key=key, upload_id=upload_id, number=number, body=part, retry=retry
            )
            scheduler.start(number, request, len(part))
            del part, request  # the task holds them now; see iter_parts
        uploaded = await scheduler.drain()
        completed = await call(
            lambda: client.complete_multipart_upload(
                Bucket=bucket,
                Key=name,
                UploadId=upload_id,
                MultipartUpload={"Parts": completed_parts(uploaded)},
                **complete_args,
            ),
            key=key,
            retry=retry,
        )
    except BaseException:
        await scheduler.cancel()
        await abort_quietly(client, bucket=bucket, name=name, upload_id=upload_id)
        raise
    return dict(completed), size


def _part_request(
    client: S3Client,
    *,
    bucket: str,
    name: str,
    key: str,
    upload_id: str,
    number: int,
    body: bytearray,
    retry: RetryConfig,
) -> Callable[[], Awaitable[str]]:
    async def request() -> str:
        response = await call(
            lambda: client.upload_part(
                Bucket=bucket, Key=name, UploadId=upload_id, PartNumber=number, Body=request_body(body)
            ),
            key=key,
            retry=retry,
        )
        return response["ETag"]

    return request


async def copy_parts(
    client: S3Client,
    *,
    bucket: str,
    source: str,
    name: str,
    key: str,
    size: int,
    part_size: int,
    create_args: Mapping[str, Any],
    max_concurrency: int,
    retry: RetryConfig,
) -> dict[str, Any]:
    """Copy an object server-side in parts (UploadPartCopy), for objects over 5 GiB.

    Args:
        client: The S3 client.
        bucket: The bucket.
        source: The source object's full name.
        name: The destination's full name.
        key: The destination key, for errors.
        size: The source's size.
        part_size: The configured part size (grown to fit 10,000 parts).
        create_args: CreateMultipartUpload arguments carrying the source's content type
            and metadata (a part copy does not carry them over by itself).
        max_concurrency: Most parts in flight.
        retry: Retry policy of each request.

    Returns:
        The CompleteMultipartUpload answer.
    """
    part_size = max(MIN_PART_SIZE, fit_part_size(part_size, size, key=key))
    created = await call(
        lambda: client.create_multipart_upload(Bucket=bucket, Key=name, **create_args), key=key, retry=retry
    )
    upload_id = created["UploadId"]
    scheduler = PartScheduler(max_concurrency)
    try:
        for number, start in enumerate(range(0, size, part_size), start=1):
            byte_range = f"bytes={start}-{min(start + part_size, size) - 1}"
            request = _copy_request(
                client,
                bucket=bucket,
                source=source,
                name=name,
                key=key,
                upload_id=upload_id,
                number=number,
                byte_range=byte_range,
                retry=retry,
            )
            await scheduler.submit(number, request, 0)
        copied = await scheduler.drain()
        completed = await call(
            lambda: client.complete_multipart_upload(
                Bucket=bucket, Key=name, UploadId=upload_id, MultipartUpload={"Parts": completed_parts(copied)}
            ),
            key=key,
            retry=retry,
        )
    except BaseException:
        await scheduler.cancel()
        await abort_quietly(client, bucket=bucket, name=name, upload_id=upload_id)
        raise
    return dict(completed)


def _copy_request(
    client: S3Client,
    *,
    bucket: str,
    source: str,
    name: str,
    key: str,
    upload_id: str,
    number: int,
    byte_range: str,
    retry: RetryConfig,
) -> Callable[[], Awaitable[str]]:
    async def request() -> str:
        response = await call(
            lambda: client.upload_part_copy(
                Bucket=bucket,
                Key=name,
                UploadId=upload_id,
                PartNumber=number,
                CopySource={"Bucket": bucket, "Key": source},
                CopySourceRange=byte_range,
            ),
            key=key,
            retry=retry,
        )
        return response["CopyPartResult"]["ETag"]

    return request
