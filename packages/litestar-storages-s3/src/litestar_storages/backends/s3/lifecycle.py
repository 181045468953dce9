"""Opening and abandoning multipart uploads so that none is left open.

An open upload keeps its parts stored, and billed, until it is completed or aborted.
Every failure after an upload is created aborts it. The hard case is a caller cancelled
while CreateMultipartUpload is in flight: S3 may have created the upload, but its id is
in an answer nobody is waiting for. :func:`create_upload` keeps that request running
(shielded from the cancellation), waits up to :data:`ANSWER_WAIT` seconds for the answer
and aborts the upload it names. When no answer comes (a hung connection), it lists the
key's open uploads and aborts the one that has no part yet, if there is exactly one.
Upload start times cannot tell which one is new (moto, for one, reports a fixed date),
but an upload whose creation was never answered has no parts, while another writer's
upload soon has some. With two or more such uploads it aborts none, as one of them could
be another writer's; they are left to the bucket's lifecycle rule
(``AbortIncompleteMultipartUpload``), the last line of defence in every case. The one
risk left: if the cancelled request never reached S3 and another writer of the same key
has just begun its upload, that writer's upload is the one aborted, and its put fails.

Cleanup requests run in :class:`Cleanups`, shielded from cancellation. The operation
that starts one waits for it at most :data:`CLEANUP_WAIT` seconds, so a cancelled put
returns promptly even when S3 hangs. After that the request finishes in the background,
and :meth:`S3Storage.close() <litestar_storages.backends.s3.S3Storage.close>` waits for
it.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from litestar_storages.backends.s3.client import call
from litestar_storages.exceptions import StorageConnectionError
from litestar_storages.retry import RetryConfig

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client
    from types_aiobotocore_s3.type_defs import CreateMultipartUploadOutputTypeDef

__all__ = ("ANSWER_WAIT", "CLEANUP_WAIT", "Cleanups", "UploadTarget", "abort_upload", "create_upload")

ANSWER_WAIT = 2.0
"""Seconds a cancelled CreateMultipartUpload still waits for its answer before the key's
open uploads are listed instead."""

CLEANUP_WAIT = 10.0
"""Seconds a failed or cancelled operation waits for its cleanup before leaving it to
finish in the background."""


class Cleanups:
    """Cleanup requests that outlive the failed or cancelled operation that started them."""

    __slots__ = ("_tasks", "wait")

    def __init__(self, wait: float = CLEANUP_WAIT) -> None:
        """Create an empty set of cleanups.

        Args:
            wait: Seconds an operation waits for its cleanup, and :meth:`join` for all.
        """
        self.wait = wait
        self._tasks: set[asyncio.Task[None]] = set()

    async def run(self, work: Coroutine[Any, Any, None]) -> None:
        """Run ``work`` shielded from cancellation, waiting at most :attr:`wait` seconds for it.

        Its errors are swallowed: the failure that called for the cleanup is what the
        caller must see.

        Args:
            work: The cleanup.

        Raises:
            asyncio.CancelledError: If the caller is cancelled while waiting; the
                cleanup goes on.
        """
        task = asyncio.ensure_future(_quietly(work))
        # The set keeps the task alive once nobody awaits it (the event loop holds
        # tasks only weakly).
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        await asyncio.wait((task,), timeout=self.wait)

    async def join(self) -> None:
        """Wait up to :attr:`wait` seconds for the cleanups still running."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=self.wait)

    def __len__(self) -> int:
        return len(self._tasks)


async def _quietly(work: Coroutine[Any, Any, None]) -> None:
    # A cleanup that fails leaves the upload to the bucket's lifecycle rule.
    with contextlib.suppress(Exception):
        await work


@dataclass(frozen=True)
class UploadTarget:
    """The object a multipart upload (or copy) writes, and how its requests are made.

    Attributes:
        client: The S3 client.
        bucket: The bucket.
        name: The object's full name (storage prefix included).
        key: The storage key, for errors and progress.
        retry: Retry policy of each request.
        cleanups: Where aborts and other cleanups run.
    """

    client: S3Client
    bucket: str
    name: str
    key: str
    retry: RetryConfig
    cleanups: Cleanups


async def create_upload(target: UploadTarget, create_args: Mapping[str, Any]) -> str:
    """Begin a multipart upload (CreateMultipartUpload), leaving none open if cancelled meanwhile.

    Args:
        target: The object to write.
        create_args: Extra CreateMultipartUpload arguments (ContentType, Metadata).

    Returns:
        The upload id.

    Raises:
        StorageError: A translated S3 error.
        asyncio.CancelledError: If the caller was cancelled; the upload S3 may have
            created is aborted first (see the module docstring).
    """
    client = target.client
    creating = asyncio.ensure_future(
        call(
            lambda: client.create_multipart_upload(Bucket=target.bucket, Key=target.name, **create_args),
            key=target.key,
            retry=target.retry,
        )
    )
    try:
        created = await asyncio.shield(creating)
    except asyncio.CancelledError:
        await target.cleanups.run(_abandon(target, creating))
        raise
    return created["UploadId"]


async def _abandon(target: UploadTarget, creating: asyncio.Future[CreateMultipartUploadOutputTypeDef]) -> None:
    try:
        created = await asyncio.wait_for(creating, ANSWER_WAIT)
    except (asyncio.TimeoutError, StorageConnectionError):
        # No answer, so no id, yet S3 may have created the upload all the same.
        upload_id = await _sole_empty_upload(target)
    else:
        upload_id = created["UploadId"]
    if upload_id is not None:
        await _abort(target, upload_id)


async def _sole_empty_upload(target: UploadTarget) -> str | None:
    client = target.client
    listing = await call(
        lambda: client.list_multipart_uploads(Bucket=target.bucket, Prefix=target.name),
        key=target.key,
        retry=target.retry,
    )
    empty: list[str] = []
    for upload in listing.get("Uploads", []):
        if upload.get("Key") != target.name:
            continue  # a longer key sharing the prefix
        upload_id = upload["UploadId"]
        parts = await call(
            functools.partial(client.list_parts, Bucket=target.bucket, Key=target.name, UploadId=upload_id, MaxParts=1),
            key=target.key,
            retry=target.retry,
        )
        if not parts.get("Parts"):
            empty.append(upload_id)
            if len(empty) > 1:
                return None
    return empty[0] if empty else None


async def _abort(target: UploadTarget, upload_id: str) -> None:
    client = target.client
    await call(
        lambda: client.abort_multipart_upload(Bucket=target.bucket, Key=target.name, UploadId=upload_id),
        key=target.key,
        retry=target.retry,
    )


async def abort_upload(target: UploadTarget, upload_id: str) -> None:
    """Abort an upload after a failure, shielded from cancellation, ignoring errors.

    Args:
        target: The object the upload was writing.
        upload_id: The upload to abort.

    Raises:
        asyncio.CancelledError: If the caller is cancelled while waiting; the abort goes on.
    """
    await target.cleanups.run(_abort(target, upload_id))
