"""Listings: ListObjectsV2 pages fetched as the caller iterates."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, Any

from litestar_storages.backends.s3.client import call
from litestar_storages.keys import validate_prefix
from litestar_storages.listing import validate_limit
from litestar_storages.types import StoredFile

if TYPE_CHECKING:
    from litestar_storages.backends.s3.context import S3Context

__all__ = ("list_objects",)

_LIST_PAGE = 1000


async def list_objects(context: S3Context, prefix: str, *, limit: int | None) -> AsyncGenerator[StoredFile, None]:
    """List objects under ``prefix``: the body of ``S3Storage.list``, which documents the arguments."""
    validate_prefix(prefix)
    remaining = validate_limit(limit)
    if remaining == 0:
        return
    client = await context.client()
    arguments: dict[str, Any] = {
        "Bucket": context.bucket,
        "Prefix": context.name(prefix) if prefix else context.prefix,
    }
    while True:
        arguments["MaxKeys"] = _LIST_PAGE if remaining is None else min(_LIST_PAGE, remaining)
        page = await call(
            lambda: client.list_objects_v2(**arguments),
            key=prefix or None,
            retry=context.retry,
        )
        for item in page.get("Contents", []):
            name = item["Key"]
            if name.endswith("/"):
                continue
            yield StoredFile(
                key=context.key(name),
                size=int(item.get("Size", 0)),
                etag=item.get("ETag"),
                last_modified=item.get("LastModified"),
            )
            if remaining is not None:
                remaining -= 1
                if remaining == 0:
                    return
        token = page.get("NextContinuationToken")
        if not page.get("IsTruncated") or not token:
            return
        arguments["ContinuationToken"] = token
