"""Whole-object uploads: one PutObject up to the threshold, a multipart upload past it."""

from __future__ import annotations

from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from litestar_storages.backends.s3.client import send
from litestar_storages.backends.s3.config import S3Config
from litestar_storages.backends.s3.multipart import fit_part_size, iter_parts, upload_parts
from litestar_storages.backends.s3.objects import head_object, object_attributes
from litestar_storages.exceptions import (
    StorageError,
    StorageFileExistsError,
    StorageFileNotFoundError,
    StorageValidationError,
)
from litestar_storages.keys import validate_key
from litestar_storages.progress import ProgressReporter
from litestar_storages.streams import ByteStream, PutData
from litestar_storages.types import ProgressCallback, StoredFile

if TYPE_CHECKING:
    from datetime import datetime

    from litestar_storages.backends.s3.context import S3Context

__all__ = ("put_data", "response_date")


def response_date(response: Mapping[str, Any]) -> datetime | None:
    """Return the server's Date header of a write's answer, or ``None`` when absent or invalid.

    Args:
        response: The answer of PutObject, CompleteMultipartUpload or UploadPartCopy's completion.

    Returns:
        The time the server wrote the object.
    """
    # PutObject and CompleteMultipartUpload answers carry no Last-Modified; the
    # answer's Date header is the server's clock at the write, without another request.
    date = response.get("ResponseMetadata", {}).get("HTTPHeaders", {}).get("date")
    if not date:
        return None
    try:
        return parsedate_to_datetime(date)
    except (TypeError, ValueError):
        return None


async def put_data(
    context: S3Context,
    key: str,
    data: PutData,
    *,
    content_type: str | None,
    metadata: Mapping[str, str] | None,
    overwrite: bool,
    progress: ProgressCallback | None,
    in_parts: bool = False,
    part_size: int | None = None,
) -> StoredFile:
    """Store ``data`` at ``key``: the body of ``S3Storage.put`` and ``S3Storage.put_large``.

    Args:
        context: The storage's context.
        key: The object's key.
        data: Anything ``S3Storage.put`` accepts.
        content_type: MIME type; guessed from the key when omitted.
        metadata: Custom metadata.
        overwrite: When ``False``, fail if the key exists.
        progress: Sync or async callback receiving upload progress.
        in_parts: Upload anything over one part as a multipart upload (``put_large``),
            rather than only what exceeds ``multipart_threshold``.
        part_size: With ``in_parts``, the part size; the configured one when omitted.

    Returns:
        Metadata of the stored object.

    Raises:
        StorageValidationError: If ``part_size`` is out of S3's range.
    """
    config = context.config
    part_size = config.part_size if part_size is None else part_size
    threshold = config.multipart_threshold
    if in_parts:
        try:
            S3Config(bucket=config.bucket, part_size=part_size)
        except StorageError as error:
            raise StorageValidationError(str(error), key=key) from None
        threshold = part_size
    validate_key(key)
    resolved_type, checked, attributes = object_attributes(key, content_type, metadata)
    conditional = not overwrite and config.conditional_writes
    stored = StoredFile(key=key, size=0, content_type=resolved_type, metadata=checked)

    if isinstance(data, bytes) and len(data) <= threshold:
        # The hot path: one PutObject, no stream wrapper, no extra request.
        if not overwrite and not conditional:
            await _refuse_existing(context, key)
        reporter = ProgressReporter(progress, operation="upload", key=key, total_bytes=len(data))
        return await _put_object(
            context, key, data, attributes=attributes, conditional=conditional, reporter=reporter, stored=stored
        )

    stream = ByteStream(data, key=key)
    reporter = ProgressReporter(progress, operation="upload", key=key, total_bytes=stream.size)
    if not overwrite and not conditional:
        await _refuse_existing(context, key)
    try:
        head = await stream.read_block(threshold)
        if len(head) < threshold or await stream.at_eof():
            return await _put_object(
                context, key, head, attributes=attributes, conditional=conditional, reporter=reporter, stored=stored
            )
        # The block read so far moves into the part iterator: no local reference may
        # keep a part alive after it is uploaded (the memory bound counts on it).
        read_ahead = [head]
        del head
        if conditional:
            # Fail before sending gigabytes; the conditional completion below still
            # settles a race with a concurrent writer.
            await _refuse_existing(context, key)
        part_size = fit_part_size(part_size, stream.size, key=key)
        answer, size = await upload_parts(
            await context.target(key),
            iter_parts(stream, read_ahead, part_size, key=key),
            create_args=attributes,
            complete_args={"IfNoneMatch": "*"} if conditional else {},
            max_concurrency=config.max_concurrency,
            reporter=reporter,
        )
    finally:
        await stream.aclose()
    return StoredFile(
        key=key,
        size=size,
        content_type=resolved_type,
        etag=answer.get("ETag"),
        last_modified=response_date(answer),
        metadata=dict(checked),
    )


async def _put_object(
    context: S3Context,
    key: str,
    body: bytes | bytearray,
    *,
    attributes: dict[str, Any],
    conditional: bool,
    reporter: ProgressReporter,
    stored: StoredFile,
) -> StoredFile:
    client = await context.client()
    bucket, name = context.bucket, context.name(key)
    arguments = {**attributes, "IfNoneMatch": "*"} if conditional else attributes
    response = await send(
        client,
        body,
        lambda payload: client.put_object(Bucket=bucket, Key=name, Body=payload, **arguments),
        key=key,
        retry=context.retry,
    )
    await reporter.advance(len(body))
    return StoredFile(
        key=key,
        size=len(body),
        content_type=stored.content_type,
        etag=response.get("ETag"),
        last_modified=response_date(response),
        metadata=dict(stored.metadata),
    )


async def _refuse_existing(context: S3Context, key: str) -> None:
    try:
        await head_object(context, key)
    except StorageFileNotFoundError:
        return
    raise StorageFileExistsError(key)
