"""Listing blobs page by page (List Blobs), stopping early at a limit."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING

from litestar_storages.backends.azure.client import request
from litestar_storages.backends.azure.properties import stored_file
from litestar_storages.keys import join_key, strip_prefix, validate_prefix
from litestar_storages.listing import validate_limit

if TYPE_CHECKING:
    from azure.storage.blob import BlobProperties
    from azure.storage.blob.aio import ContainerClient
    from litestar_storages.retry import RetryConfig
    from litestar_storages.types import StoredFile

__all__ = ("list_blobs",)


async def list_blobs(
    container_for: Callable[[], ContainerClient],
    prefix: str,
    *,
    limit: int | None,
    storage_prefix: str,
    page_size: int,
    retry: RetryConfig,
) -> AsyncIterator[StoredFile]:
    """Yield the blobs whose keys start with ``prefix`` (what ``AzureStorage.list`` does).

    Args:
        container_for: Returns the container client (asked again for each page).
        prefix: Only keys starting with this string.
        limit: Stop after this many objects.
        storage_prefix: The storage's normalized prefix, joined to keys.
        page_size: Most blobs asked for per request.
        retry: The retry policy of each request.

    Yields:
        Metadata of each object, in Azure's order.
    """
    validate_prefix(prefix)
    remaining = validate_limit(limit)
    token: str | None = None
    name_prefix = join_key(storage_prefix, prefix) or None
    while remaining != 0:
        size = page_size if remaining is None else min(remaining, page_size)
        fetch = functools.partial(_list_page, container_for, name_prefix, size, token)
        page, token = await request(retry, prefix or None, fetch)
        for properties in page:
            yield stored_file(strip_prefix(storage_prefix, properties.name), properties)
            if remaining is not None:
                remaining -= 1
                if remaining == 0:
                    return
        if not token:
            return


async def _list_page(
    container_for: Callable[[], ContainerClient], name_prefix: str | None, page_size: int, token: str | None
) -> tuple[list[BlobProperties], str | None]:
    pages = (
        container_for()
        .list_blobs(name_starts_with=name_prefix, include=["metadata"], results_per_page=page_size)
        .by_page(continuation_token=token)
    )
    page = await anext(pages)
    items = [properties async for properties in page]
    return items, pages.continuation_token  # type: ignore[attr-defined]
