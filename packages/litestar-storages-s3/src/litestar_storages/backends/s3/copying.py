"""Server-side copies past S3's 5 GiB CopyObject limit: UploadPartCopy in parts.

CopyObject carries the source's attributes over by itself; a part copy does not, so
the new upload is created with them. Up to ``max_concurrency`` parts are copied at
once; any failure or cancellation aborts the upload (see :mod:`.lifecycle`), so no
partial copy appears.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from litestar_storages.backends.s3.config import MAX_PARTS, MIN_PART_SIZE
from litestar_storages.backends.s3.errors import errors
from litestar_storages.backends.s3.lifecycle import abort_upload, create_upload
from litestar_storages.retry import with_retry

if TYPE_CHECKING:
    from types_aiobotocore_s3.type_defs import CompletedPartTypeDef

    from litestar_storages.backends.s3.context import S3Context

__all__ = ("COPIED_ATTRIBUTES", "copy_in_parts")

COPIED_ATTRIBUTES = (
    "ContentType",
    "Metadata",
    "CacheControl",
    "ContentDisposition",
    "ContentEncoding",
    "ContentLanguage",
)
"""HeadObject fields a part copy must set on the new object itself."""

MIB = 1024 * 1024


async def copy_in_parts(
    context: S3Context, source: str, destination: str, head: Mapping[str, Any], *, key: str | None = None
) -> dict[str, Any]:
    """Copy ``source`` to ``destination`` with UploadPartCopy.

    Args:
        context: The storage's context.
        source: The source object's name.
        destination: The destination's name.
        head: The source's HeadObject answer (size and attributes).
        key: Named in the errors of part copies.

    Returns:
        The CompleteMultipartUpload answer.
    """
    config = context.config
    size = int(head.get("ContentLength", 0))
    # Parts of part_size, grown (to whole MiB) to stay within 10,000 parts.
    part_size = max(MIN_PART_SIZE, config.part_size, math.ceil(math.ceil(size / MAX_PARTS) / MIB) * MIB)
    attributes = {field: head[field] for field in COPIED_ATTRIBUTES if head.get(field)}
    client = await context.client()
    bucket = context.bucket
    upload_id = await create_upload(context, destination, attributes)
    slots = asyncio.Semaphore(config.max_concurrency)

    async def copy_part(number: int, start: int) -> CompletedPartTypeDef:
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

        async with slots:
            # Each part is retried by itself: a late failure must not restart the whole copy.
            return {"PartNumber": number, "ETag": await with_retry(attempt, config.retry)}

    tasks = [
        asyncio.ensure_future(copy_part(number, start))
        for number, start in enumerate(range(0, size, part_size), start=1)
    ]
    try:
        parts = await asyncio.gather(*tasks)
        completed = await client.complete_multipart_upload(
            Bucket=bucket, Key=destination, UploadId=upload_id, MultipartUpload={"Parts": list(parts)}
        )
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        with contextlib.suppress(Exception):  # the failure is what the caller must see
            await abort_upload(context, destination, upload_id)
        raise
    return dict(completed)
