"""Downloads: one GetObject streamed in chunks, optionally over a byte range."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, Any

from litestar_storages.backends.s3.client import call
from litestar_storages.backends.s3.errors import errors
from litestar_storages.backends.s3.objects import head_object
from litestar_storages.exceptions import InvalidRangeError, StorageConnectionError
from litestar_storages.keys import validate_key
from litestar_storages.progress import ProgressReporter
from litestar_storages.ranges import validate_range
from litestar_storages.streams import DEFAULT_CHUNK_SIZE
from litestar_storages.types import ProgressCallback

if TYPE_CHECKING:
    from litestar_storages.backends.s3.context import S3Context

__all__ = ("read_object",)


async def read_object(
    context: S3Context,
    key: str,
    *,
    start: int | None,
    end: int | None,
    progress: ProgressCallback | None,
) -> AsyncGenerator[bytes, None]:
    """Stream an object's bytes: the body of ``S3Storage.get``, which documents the arguments."""
    first, last = validate_range(start, end, key=key)
    validate_key(key)
    if last is not None and last <= first:
        # An empty range: nothing to read, but a missing key must still raise.
        await head_object(context, key)
        return
    client = await context.client()
    arguments: dict[str, Any] = {"Bucket": context.bucket, "Key": context.name(key)}
    if first or last is not None:
        arguments["Range"] = f"bytes={first}-{'' if last is None else last - 1}"
    try:
        response = await call(lambda: client.get_object(**arguments), key=key, retry=context.retry)
    except InvalidRangeError:
        # 416: the object exists but the range starts at or past its end (or it is
        # empty); ranges are clipped, so that is an empty read.
        return
    body = response["Body"]
    expected = int(response.get("ContentLength", 0))
    reporter = ProgressReporter(progress, operation="download", key=key, total_bytes=expected)
    received = 0
    try:
        async for chunk in errors.guard_stream(body.iter_chunks(DEFAULT_CHUNK_SIZE), key):
            received += len(chunk)
            yield chunk
            await reporter.advance(len(chunk))
    finally:
        body.close()
    if received != expected:
        raise StorageConnectionError(f"Download of {key!r} ended after {received} of {expected} bytes", key=key)
