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

Cleanup requests run in the context's :class:`~.cleanups.Cleanups`, shielded from
cancellation and waited for at most :data:`~.cleanups.CLEANUP_WAIT` seconds, so a
cancelled put returns promptly even when S3 hangs. The functions here take the
storage's :class:`~.context.S3Context`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from litestar_storages.backends.s3.errors import upload_gone

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client
    from types_aiobotocore_s3.type_defs import CreateMultipartUploadOutputTypeDef

    from litestar_storages.backends.s3.context import S3Context

__all__ = ("ANSWER_WAIT", "abort_upload", "create_upload")

ANSWER_WAIT = 2.0
"""Seconds a cancelled CreateMultipartUpload still waits for its answer before the key's
open uploads are listed instead."""


async def create_upload(context: S3Context, name: str, arguments: Mapping[str, Any]) -> str:
    """Begin a multipart upload (CreateMultipartUpload), leaving none open if cancelled meanwhile.

    Args:
        context: The storage's context.
        name: The object's name.
        arguments: Extra CreateMultipartUpload arguments (ContentType, Metadata).

    Returns:
        The upload id.

    Raises:
        asyncio.CancelledError: If the caller was cancelled; the upload S3 may have
            created is aborted first (see the module docstring).
    """
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
    """Abort an upload (AbortMultipartUpload), shielded from cancellation; one already gone is fine.

    Waits at most the cleanups' ``wait`` (10 s); the abort then goes on in the background.

    Args:
        context: The storage's context.
        name: The object's name.
        upload_id: The upload to abort.

    Raises:
        asyncio.CancelledError: If the caller is cancelled while waiting; the abort goes on.
    """
    client = await context.client()
    await context.cleanups.run(_abort(client, context.bucket, name, upload_id), raise_errors=True)


async def _abort(client: S3Client, bucket: str, name: str, upload_id: str) -> None:
    try:
        await client.abort_multipart_upload(Bucket=bucket, Key=name, UploadId=upload_id)
    except Exception as error:
        if not upload_gone(error):  # aborted twice, or after completion: nothing to do
            raise
