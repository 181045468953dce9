"""The manual multipart API: uploads the caller drives part by part.

These are the bodies of ``S3Storage``'s ``start_multipart_upload``, ``upload_part``,
``complete_multipart_upload`` and ``abort_multipart_upload``, which document them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from litestar_storages.backends.s3.client import call
from litestar_storages.backends.s3.errors import upload_gone
from litestar_storages.backends.s3.lifecycle import create_upload
from litestar_storages.backends.s3.multipart import completed_parts, put_part
from litestar_storages.backends.s3.objects import object_attributes
from litestar_storages.exceptions import StorageError
from litestar_storages.keys import validate_key
from litestar_storages.parts import validate_part
from litestar_storages.types import MultipartUpload

if TYPE_CHECKING:
    from litestar_storages.backends.s3.context import S3Context

__all__ = ("abort_manual", "complete_manual", "start_manual", "upload_manual_part")


async def start_manual(
    context: S3Context, key: str, *, content_type: str | None, metadata: Mapping[str, str] | None, part_size: int
) -> MultipartUpload:
    """Begin a multipart upload (CreateMultipartUpload) and return its state."""
    validate_key(key)
    resolved_type, checked, attributes = object_attributes(key, content_type, metadata)
    upload_id = await create_upload(await context.target(key), attributes)
    return MultipartUpload(
        upload_id=upload_id,
        key=key,
        part_size=part_size,
        content_type=resolved_type,
        metadata=checked,
    )


async def upload_manual_part(context: S3Context, upload: MultipartUpload, part_number: int, data: bytes) -> str:
    """Upload one part (UploadPart), record it in ``upload.parts`` and return its ETag."""
    validate_part(upload, part_number, data)
    etag = await put_part(await context.target(upload.key), upload.upload_id, part_number, data)
    upload.add_part(part_number, etag)
    return etag


async def complete_manual(context: S3Context, upload: MultipartUpload) -> None:
    """Assemble the parts listed in ``upload.parts`` (CompleteMultipartUpload)."""
    client = await context.client()
    bucket, name = context.bucket, context.name(upload.key)
    await call(
        lambda: client.complete_multipart_upload(
            Bucket=bucket,
            Key=name,
            UploadId=upload.upload_id,
            MultipartUpload={"Parts": completed_parts(upload.parts)},
        ),
        key=upload.key,
        retry=context.retry,
    )


async def abort_manual(context: S3Context, upload: MultipartUpload) -> None:
    """Abandon an upload (AbortMultipartUpload); one that no longer exists is not an error."""
    client = await context.client()
    bucket, name = context.bucket, context.name(upload.key)
    try:
        await call(
            lambda: client.abort_multipart_upload(Bucket=bucket, Key=name, UploadId=upload.upload_id),
            key=upload.key,
            retry=context.retry,
        )
    except StorageError as error:
        # Aborting twice, or after completion, is not an error worth raising.
        if not upload_gone(error):
            raise
