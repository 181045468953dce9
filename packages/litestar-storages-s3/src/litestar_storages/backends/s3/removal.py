"""Batch deletes: DeleteObjects, 1,000 keys per request."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from litestar_storages.backends.s3.client import call
from litestar_storages.backends.s3.errors import batch_delete_error
from litestar_storages.keys import validate_key

if TYPE_CHECKING:
    from litestar_storages.backends.s3.context import S3Context

__all__ = ("delete_objects",)

_DELETE_BATCH = 1000


async def delete_objects(context: S3Context, keys: Iterable[str]) -> None:
    """Delete objects, skipping missing keys: the body of ``S3Storage.delete_many``.

    Args:
        context: The storage's context.
        keys: The keys to delete; all are validated before the first request.

    Raises:
        StorageError: The first per-key error S3 reported.
    """
    checked = list(dict.fromkeys(validate_key(key) for key in keys))
    if not checked:
        return
    client = await context.client()
    bucket, name = context.bucket, context.name
    for start in range(0, len(checked), _DELETE_BATCH):
        batch = checked[start : start + _DELETE_BATCH]
        objects: Any = [{"Key": name(key)} for key in batch]
        response = await call(
            functools.partial(client.delete_objects, Bucket=bucket, Delete={"Objects": objects, "Quiet": True}),
            key=None,
            retry=context.retry,
        )
        failures = response.get("Errors") or []
        if failures:
            failure = failures[0]
            failed_key = context.key(failure.get("Key", ""))
            raise batch_delete_error(failure, failed_key)
