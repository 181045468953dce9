"""Server-side copies: CopyObject, or UploadPartCopy parts past S3's 5 GiB limit."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litestar_storages.backends.s3.client import call
from litestar_storages.backends.s3.multipart import copy_parts
from litestar_storages.backends.s3.objects import head_object, stored_file
from litestar_storages.backends.s3.writes import response_date
from litestar_storages.keys import validate_key
from litestar_storages.types import StoredFile

if TYPE_CHECKING:
    from litestar_storages.backends.s3.context import S3Context

__all__ = ("copy_object",)

# The attributes a multipart copy must set itself: CopyObject's MetadataDirective=COPY
# carries them over, UploadPartCopy does not.
_COPIED_ATTRIBUTES = (
    "ContentType",
    "Metadata",
    "CacheControl",
    "ContentDisposition",
    "ContentEncoding",
    "ContentLanguage",
)


async def copy_object(context: S3Context, source: str, destination: str) -> StoredFile:
    """Copy an object server-side: the body of ``S3Storage.copy``.

    Args:
        context: The storage's context.
        source: Key to copy from.
        destination: Key to copy to (replaced if it exists).

    Returns:
        Metadata of the copy.
    """
    validate_key(source)
    validate_key(destination)
    head = await head_object(context, source)
    original = stored_file(destination, head)
    if original.size > context.config.multipart_copy_threshold:
        create_args: dict[str, Any] = {field: head[field] for field in _COPIED_ATTRIBUTES if head.get(field)}
        answer = await copy_parts(
            await context.target(destination),
            source=context.name(source),
            size=original.size,
            part_size=context.config.part_size,
            create_args=create_args,
            max_concurrency=context.config.max_concurrency,
        )
        etag, modified = answer.get("ETag"), response_date(answer)
    else:
        client = await context.client()
        bucket, source_name, name = context.bucket, context.name(source), context.name(destination)
        response = await call(
            lambda: client.copy_object(
                Bucket=bucket, Key=name, CopySource={"Bucket": bucket, "Key": source_name}, MetadataDirective="COPY"
            ),
            key=source,
            retry=context.retry,
        )
        result = response.get("CopyObjectResult", {})
        etag, modified = result.get("ETag"), result.get("LastModified")
    return StoredFile(
        key=destination,
        size=original.size,
        content_type=original.content_type,
        etag=etag,
        last_modified=modified,
        metadata=original.metadata,
    )
