"""Multipart uploads the driver opens itself, so that none is left open: creation, abort, part copies.

An open upload keeps its parts stored, and billed, until it is completed or aborted;
every failure after an upload is created aborts it. The hard case is a caller cancelled
while CreateMultipartUpload is in flight: S3 may have created the upload, but its id is
in an answer nobody is waiting for. :func:`create_upload` keeps that request running
(shielded), waits up to :data:`ANSWER_WAIT` seconds for the answer and aborts the upload
it names. When no answer comes (a hung connection), it lists the key's open uploads and
aborts the one that has no part yet, if there is exactly one: start times cannot tell
which is new (moto reports a fixed date), but an upload whose creation was never
answered has no parts, while another writer's soon has some. With two or more it aborts
none (one could be another writer's) and leaves them to the bucket's lifecycle rule
(``AbortIncompleteMultipartUpload``), the last line of defence in every case. The one
risk left: if the cancelled request never reached S3 and another writer of the same key
has just begun its upload, that writer's upload is aborted, and its put fails.

Cleanups run in the context's :class:`~litestar_storages.cleanups.Cleanups` (core's),
shielded from cancellation and waited for a few seconds, so a cancelled put returns
promptly even when S3 hangs; ``S3Storage.close()`` waits for the rest.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from litestar_storages.backends.s3.config import MAX_PARTS
from litestar_storages.backends.s3.errors import errors, upload_gone
from litestar_storages.concurrency import run_parts
from litestar_storages.engine.pipeline import fit_part_size
from litestar_storages.retry import with_retry

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client
    from types_aiobotocore_s3.type_defs import CompletedPartTypeDef, CreateMultipartUploadOutputTypeDef

    from litestar_storages.backends.s3.context import S3Context

__all__ = ("ANSWER_WAIT", "abort_upload", "copy_in_parts", "create_upload")

ANSWER_WAIT = 2.0
"""Seconds a cancelled CreateMultipartUpload still waits for its answer before the key's
open uploads are listed instead."""


async def create_upload(context: S3Context, name: str, arguments: Mapping[str, Any]) -> str:
    """Begin a multipart upload with ``arguments`` and return its id, leaving none open if cancelled meanwhile."""
    client = await context.client()
    creating = asyncio.ensure_future(client.create_multipart_upload(Bucket=context.bucket, Key=name, **arguments))
    try:
        created = await asyncio.shield(creating)
    except asyncio.CancelledError:
        await context.cleanups.run(_abandon(client, context.bucket, name, creating))
        raise
    return created["UploadId"]


async def _abandon(
    client: S3Client, bucket: str, name: str, creating: asyncio.Future[CreateMultipartUploadOutputTypeDef]
) -> None:
    try:
        created = await asyncio.wait_for(creating, ANSWER_WAIT)
    except Exception:
        upload_id = await _sole_empty_upload(client, bucket, name)
    else:
        upload_id = created["UploadId"]
    if upload_id is not None:
        await client.abort_multipart_upload(Bucket=bucket, Key=name, UploadId=upload_id)


async def _sole_empty_upload(client: S3Client, bucket: str, name: str) -> str | None:
    listing = await client.list_multipart_uploads(Bucket=bucket, Prefix=name)
    empty: list[str] = []
    for upload in listing.get("Uploads", []):
        if upload.get("Key") != name:
            continue  # a longer key sharing the prefix
        upload_id = upload["UploadId"]
        parts = await client.list_parts(Bucket=bucket, Key=name, UploadId=upload_id, MaxParts=1)
        if not parts.get("Parts"):
            empty.append(upload_id)
            if len(empty) > 1:
                return None
    return empty[0] if empty else None


async def abort_upload(context: S3Context, name: str, upload_id: str) -> None:
    """Abort an upload as a cleanup (see :class:`~litestar_storages.cleanups.Cleanups`); one already gone is fine."""
    client = await context.client()
    await context.cleanups.run(_abort(client, context.bucket, name, upload_id), raise_errors=True)


async def _abort(client: S3Client, bucket: str, name: str, upload_id: str) -> None:
    try:
        await client.abort_multipart_upload(Bucket=bucket, Key=name, UploadId=upload_id)
    except Exception as error:
        if not upload_gone(error):  # aborted twice, or after completion: nothing to do
            raise


async def copy_in_parts(
    context: S3Context, source: str, destination: str, size: int, arguments: Mapping[str, Any], *, key: str
) -> Any:
    """Copy ``source`` (``size`` bytes) with UploadPartCopy, the upload created with ``arguments``; abort on failure."""
    config = context.config
    part_size = fit_part_size(config.part_size, size, MAX_PARTS, key=key)
    client = await context.client()
    bucket = context.bucket
    upload_id = await create_upload(context, destination, arguments)

    async def copy_part(part: tuple[int, int]) -> CompletedPartTypeDef:
        number, start = part

        async def attempt() -> str:
            with errors.guard(key):
                answer = await client.upload_part_copy(
                    Bucket=bucket,
                    Key=destination,
                    UploadId=upload_id,
                    PartNumber=number,
                    CopySource={"Bucket": bucket, "Key": source},
                    CopySourceRange=f"bytes={start}-{min(start + part_size, size) - 1}",
                )
            return answer["CopyPartResult"]["ETag"]

        return {"PartNumber": number, "ETag": await with_retry(attempt, config.retry)}

    try:
        parts = await run_parts(copy_part, enumerate(range(0, size, part_size), 1), limit=config.max_concurrency)
        return await client.complete_multipart_upload(
            Bucket=bucket, Key=destination, UploadId=upload_id, MultipartUpload={"Parts": parts}
        )
    except BaseException:
        with contextlib.suppress(Exception):  # the failure is what the caller must see
            await abort_upload(context, destination, upload_id)
        raise
