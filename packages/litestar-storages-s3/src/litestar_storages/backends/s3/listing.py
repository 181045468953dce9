"""Listings: ListObjectsV2 pages fetched as the caller iterates."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, Any

from litestar_storages.backends.s3.client import call
from litestar_storages.keys import strip_prefix, validate_prefix
from litestar_storages.listing import validate_limit
from litestar_storages.types import StoredFile

if TYPE_CHECKING:
    from litestar_storages.backends.s3.storage import S3Storage

__all__ = ("list_objects",)

_LIST_PAGE = 1000


async def list_objects(storage: S3Storage, prefix: str, *, limit: int | None) -> AsyncGenerator[StoredFile, None]:
    """List objects under ``prefix``: the body of ``S3Storage.list``, which documents the arguments."""
    validate_prefix(prefix)
    remaining = validate_limit(limit)
    if remaining == 0:
        return
    client = await storage._s3()
    arguments: dict[str, Any] = {
        "Bucket": storage.config.bucket,
        "Prefix": storage._name(prefix) if prefix else storage._prefix,
    }
    while True:
        arguments["MaxKeys"] = _LIST_PAGE if remaining is None else min(_LIST_PAGE, remaining)
        page = await call(
            lambda: client.list_objects_v2(**arguments),
            key=prefix or None,
            retry=storage.config.retry,
        )
        for item in page.get("Contents", []):
            name = item["Key"]
            if name.endswith("/"):
                continue
            yield StoredFile(
                key=strip_prefix(storage._prefix, name),
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
