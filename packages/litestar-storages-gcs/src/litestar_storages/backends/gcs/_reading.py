"""Reading: object downloads (whole or ranged), metadata and listing pages."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

from litestar_storages.backends.gcs.config import GCSConfig
from litestar_storages.backends.gcs.errors import GCS_ERRORS, range_past_end
from litestar_storages.backends.gcs.resources import LIST_FIELDS, OBJECT_FIELDS, stored_file
from litestar_storages.backends.gcs.transport import Transport
from litestar_storages.exceptions import (
    ConfigurationError,
    StorageError,
    StorageFileNotFoundError,
)
from litestar_storages.keys import validate_prefix
from litestar_storages.listing import validate_limit
from litestar_storages.progress import ProgressReporter
from litestar_storages.retry import with_retry
from litestar_storages.streams import DEFAULT_CHUNK_SIZE
from litestar_storages.types import ProgressCallback, StoredFile

__all__ = ("download", "fetch_info", "list_objects", "read_object")


async def download(
    transport: Transport,
    config: GCSConfig,
    *,
    key: str,
    name: str,
    first: int,
    last: int | None,
    progress: ProgressCallback | None,
) -> AsyncIterator[bytes]:
    """Stream the bytes ``first`` to ``last`` (exclusive) of the object ``name``.

    Args:
        transport: The storage's client and endpoints.
        config: The storage's configuration (bucket, retry).
        key: The caller's key (for errors and progress).
        name: The object's full name in the bucket.
        first: First byte to read.
        last: Byte after the last to read, or ``None`` for the end of the object.
        progress: Sync or async callback receiving download progress.

    Yields:
        Chunks of the content, as they arrive.
    """
    headers = {}
    if first or last is not None:
        headers["Range"] = f"bytes={first}-{'' if last is None else last - 1}"

    async def open_stream() -> Any:
        try:
            with GCS_ERRORS.guard(key):
                return await transport.client.download_stream(
                    config.bucket, name, headers=dict(headers), timeout=transport.timeout
                )
        except StorageError as error:
            if range_past_end(error):
                return None  # the range starts past the end: nothing to read
            raise

    response = await with_retry(open_stream, config.retry)
    if response is None:
        return
    async with response:
        reporter = ProgressReporter(
            progress, operation="download", key=key, total_bytes=response.content_length or None
        )
        async for chunk in GCS_ERRORS.guard_stream(_read_chunks(response), key):
            yield chunk
            await reporter.advance(len(chunk))


async def fetch_info(transport: Transport, config: GCSConfig, *, key: str, name: str) -> StoredFile:
    """Fetch the metadata of the object ``name``.

    Args:
        transport: The storage's client and endpoints.
        config: The storage's configuration (bucket, retry).
        key: The caller's key (for errors and the result).
        name: The object's full name in the bucket.

    Returns:
        Its size, content type, etag, update time and custom metadata.
    """
    # Our own request rather than the SDK's download_metadata(): that one cannot ask
    # for a partial response, and decodes the body to text before parsing it.
    url = transport.object_url(config.bucket, name)
    params = {"alt": "json", "fields": OBJECT_FIELDS}

    async def fetch() -> dict[str, Any]:
        with GCS_ERRORS.guard(key):
            response = await transport.request("GET", url, params=params)
            resource: dict[str, Any] = await response.json(content_type=None)
            return resource

    return stored_file(await with_retry(fetch, config.retry), key)


async def read_object(
    transport: Transport, config: GCSConfig, *, key: str, name: str, first: int, last: int | None
) -> bytes:
    """Return the bytes ``first`` to ``last`` (exclusive) of the object ``name`` in one read.

    The whole answer is read at once (the body of ``GCSStorage.get_bytes``), so a
    failed transfer is retried as a whole, like any other request.

    Args:
        transport: The storage's client and endpoints.
        config: The storage's configuration (bucket, retry).
        key: The caller's key (for errors).
        name: The object's full name in the bucket.
        first: First byte to read.
        last: Byte after the last to read, or ``None`` for the end of the object.

    Returns:
        The content.
    """
    url = transport.object_url(config.bucket, name)
    headers = {"Range": f"bytes={first}-{'' if last is None else last - 1}"} if first or last is not None else None
    params = {"alt": "media"}

    async def fetch() -> bytes:
        try:
            with GCS_ERRORS.guard(key):
                response = await transport.request("GET", url, headers=headers, params=params)
                async with response:
                    content: bytes = await response.read()
                return content
        except StorageError as error:
            if range_past_end(error):
                return b""  # the range starts past the end: nothing to read
            raise

    return await with_retry(fetch, config.retry)


async def list_objects(
    connect: Callable[[], Transport], config: GCSConfig, *, root: str, prefix: str, limit: int | None
) -> AsyncIterator[StoredFile]:
    """List objects under ``root + prefix``, page by page, in key order.

    Args:
        connect: Returns the storage's transport, opening it on first use.
        config: The storage's configuration (bucket, page size, retry).
        root: The storage's normalized key prefix (stripped from the keys yielded).
        prefix: The caller's prefix (already validated).
        limit: Stop after this many results (no further page is fetched).

    Yields:
        Metadata of each object.

    Raises:
        InvalidKeyError: If the prefix could never match a valid key.
        StorageValidationError: If ``limit`` is negative.
    """
    validate_prefix(prefix)
    remaining = validate_limit(limit)
    transport = connect()
    # Every name GCS lists starts with root + prefix (the request's prefix), so the
    # storage's root is cut by slicing, with no test per object.
    cut = len(root)
    params = {"prefix": root + prefix, "fields": LIST_FIELDS}
    while remaining is None or remaining > 0:
        page_size = config.list_page_size if remaining is None else min(remaining, config.list_page_size)
        params["maxResults"] = str(page_size)
        page = await with_retry(lambda: _list_page(transport, config, dict(params)), config.retry)
        items: list[dict[str, Any]] = page.get("items") or []
        if remaining is not None:
            # Counted per page, not per object: the loop below only builds and yields.
            items = items[:remaining]
            remaining -= len(items)
        for item in items:
            yield stored_file(item, item["name"][cut:])
        token = page.get("nextPageToken")
        if not token:
            return
        params["pageToken"] = token


async def _list_page(transport: Transport, config: GCSConfig, params: dict[str, str]) -> dict[str, Any]:
    try:
        with GCS_ERRORS.guard():
            page: dict[str, Any] = await transport.client.list_objects(
                config.bucket, params=params, timeout=transport.timeout
            )
            return page
    except StorageFileNotFoundError as error:
        raise ConfigurationError(f"GCS bucket {config.bucket!r} does not exist", field="bucket") from error.__cause__


async def _read_chunks(response: Any) -> AsyncIterator[bytes]:
    while True:
        chunk: bytes = await response.read(DEFAULT_CHUNK_SIZE)
        if not chunk:
            return
        yield chunk
