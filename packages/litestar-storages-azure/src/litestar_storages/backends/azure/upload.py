"""Uploading one object: a single Put Blob when it fits in a block, else staged blocks.

The block list is committed at the end with the content type and metadata; if the
input stream raises, nothing is committed and the error propagates unchanged.

Concurrent uploads of one key: Azure keeps one set of uncommitted blocks per blob, and
a commit (Put Block List) or a Put Blob discards every staged block it does not use,
so of two uploads staging blocks at once, the first to finish discards the other's
blocks, whose own commit then fails with ``InvalidBlockList``. That upload is not
failed: the blob's ETag, read before its first block was staged and again after the
failed commit, proves that another write completed while it ran. Its data is ordered
just before that write, which replaced it: the outcome of two overlapping writes on any
backend ("last writer wins"), reached without sending the data again. See
docs/backends/azure.md.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from azure.core import MatchConditions
from azure.storage.blob import BlobBlock, ContentSettings
from litestar_storages.backends.azure.blocks import block_body, new_upload_id, upload_blocks
from litestar_storages.backends.azure.client import request
from litestar_storages.backends.azure.errors import BACKEND, blocks_discarded
from litestar_storages.backends.azure.metadata import encode_metadata
from litestar_storages.backends.azure.properties import blob_etag, http_date, response_headers
from litestar_storages.content import resolve_content_type, validate_metadata
from litestar_storages.exceptions import ConcurrentWriteError, StorageError, StorageFileExistsError
from litestar_storages.keys import validate_key
from litestar_storages.progress import ProgressReporter
from litestar_storages.streams import ByteStream
from litestar_storages.types import StoredFile

if TYPE_CHECKING:
    from azure.storage.blob.aio import BlobClient
    from litestar_storages.backends.azure._sdk import BlobRequests
    from litestar_storages.retry import RetryConfig
    from litestar_storages.streams import PutData
    from litestar_storages.types import ProgressCallback

__all__ = ("UploadTarget", "commit_blocks", "upload_blob")


@dataclass(frozen=True)
class UploadTarget:
    """The storage's side of an upload: how requests are made."""

    blob_for: Callable[[str], BlobClient]
    """Returns the blob client of a key (called once the key is valid), for staged uploads."""
    requests_for: Callable[[str], BlobRequests]
    """Returns the requests of a key, for a single Put Blob (see ``_sdk.py``)."""
    version: Callable[[str], Awaitable[str | None]]
    """Returns a key's ETag, or ``None`` when it does not exist (read before staging blocks)."""
    retry: RetryConfig
    """The retry policy of each request."""
    max_concurrency: int
    """Most blocks staged at a time."""


async def upload_blob(
    target: UploadTarget,
    key: str,
    data: PutData,
    *,
    content_type: str | None,
    metadata: Mapping[str, str] | None,
    overwrite: bool,
    progress: ProgressCallback | None,
    block_size: int,
) -> StoredFile:
    """Store ``data`` at ``key`` (what ``AzureStorage.put`` and ``put_large`` do).

    Args:
        target: How to reach the blob.
        key: The object's key.
        data: Anything ``put`` accepts.
        content_type: MIME type; guessed from the key when omitted.
        metadata: Custom metadata.
        overwrite: When ``False``, fail atomically if the key exists.
        progress: Callback receiving upload progress.
        block_size: Size of each block, and the most sent in one Put Blob.

    Returns:
        Metadata of the stored object. For an upload in blocks replaced by a concurrent
        write of the same key before its own commit, ``etag`` and ``last_modified`` are
        ``None``: that version never became readable.

    Raises:
        StorageFileExistsError: If ``overwrite`` is false and the key exists.
        ConcurrentWriteError: If the staged blocks were discarded and no other write of
            the key can be seen to have happened meanwhile.
    """
    validate_key(key)
    resolved_type = resolve_content_type(key, content_type)
    checked = validate_metadata(metadata, key=key)
    stream = ByteStream(data, chunk_size=min(block_size, 1024 * 1024), key=key)
    reporter = ProgressReporter(progress, operation="upload", key=key, total_bytes=stream.size)
    encoded = encode_metadata(checked)
    retry = target.retry
    try:
        # Small bytes are sent as they are (no stream, no copy).
        small = isinstance(data, bytes) and len(data) <= block_size
        # Read in place (one copy per byte); at_eof looks at most one input chunk
        # ahead, so a large upload never holds a block it is not sending yet.
        first: bytes | bytearray = data if small else await stream.read_block(block_size)  # type: ignore[assignment]
        if small or len(first) < block_size or await stream.at_eof():
            payload = first if isinstance(first, bytes) else bytes(first)
            del first
            answer = await _put_blob(
                target.requests_for(key),
                key,
                payload,
                content_type=resolved_type,
                encoded=encoded,
                overwrite=overwrite,
                retry=retry,
            )
            etag, modified = blob_etag(answer.get("ETag")), http_date(answer.get("Last-Modified"))
            await reporter.advance(len(payload))
            size = len(payload)
        else:
            before = await target.version(key)
            if not overwrite and before is not None:
                # Fail before uploading the blocks; the commit below stays conditional.
                raise StorageFileExistsError(key, message=f"{BACKEND}: file already exists: {key!r}")
            upload_id = new_upload_id()
            blob = target.blob_for(key)
            settings = ContentSettings(content_type=resolved_type)

            async def stage(identifier: str, block: bytes | bytearray) -> None:
                # A fresh body per attempt, sent in slices (see block_body).
                await request(retry, key, lambda: blob.stage_block(identifier, block_body(block), length=len(block)))

            blocks = [first]
            del first
            ids, size = await upload_blocks(
                stage,
                stream,
                blocks,
                upload_id=upload_id,
                block_size=block_size,
                max_concurrency=target.max_concurrency,
                reporter=reporter,
                key=key,
            )
            try:
                committed = await commit_blocks(blob, key, ids, settings, encoded, overwrite=overwrite, retry=retry)
            except StorageError as error:
                if not blocks_discarded(error):
                    raise
                await _check_replaced(target, key, before, overwrite=overwrite, error=error)
                etag, modified = None, None
            else:
                etag, modified = blob_etag(committed.get("etag")), committed.get("last_modified")
    finally:
        await stream.aclose()
    return StoredFile(
        key=key,
        size=size,
        content_type=resolved_type,
        etag=etag,
        last_modified=modified,
        metadata=checked,
    )


async def _check_replaced(
    target: UploadTarget, key: str, before: str | None, *, overwrite: bool, error: StorageError
) -> None:
    # Called when the commit found our staged blocks gone. They are discarded by any
    # write of the blob (commit, Put Blob, delete) made after they were staged, which is
    # after ``before`` was read: an ETag that changed since proves such a write ended
    # during this upload, which therefore counts as done, then replaced by it.
    after = await target.version(key)
    if after == before:
        raise ConcurrentWriteError(
            f"{BACKEND}: the blocks staged for {key!r} were discarded before the commit, and no other write "
            "of the key can be seen (another write followed by a delete, or blocks left uncommitted for "
            "a week); nothing was written: upload it again",
            key=key,
        ) from error
    if not overwrite and after is not None:
        raise StorageFileExistsError(key, message=f"{BACKEND}: file already exists: {key!r}") from error


async def _put_blob(
    requests: BlobRequests,
    key: str,
    payload: bytes,
    *,
    content_type: str,
    encoded: dict[str, str],
    overwrite: bool,
    retry: RetryConfig,
) -> Mapping[str, str]:
    # One Put Blob through the generated operation, with the headers the public
    # upload_blob() would send (it would also wrap the bytes in a stream, build a
    # BlobClient, a BlobHTTPHeaders model and a deserialized answer; none is needed).
    headers = {"x-ms-blob-content-type": content_type}
    headers.update({f"x-ms-meta-{name}": value for name, value in encoded.items()})
    if not overwrite:
        headers["If-None-Match"] = "*"
    return await request(retry, key, lambda: requests.put(payload, headers, response_headers))


async def commit_blocks(
    blob: BlobClient,
    key: str,
    ids: list[str],
    settings: ContentSettings,
    encoded: dict[str, str],
    *,
    overwrite: bool,
    retry: RetryConfig,
) -> dict[str, Any]:
    """Commit staged blocks, in order, as the blob's content (Put Block List).

    Args:
        blob: The blob's client.
        key: The object's key, named in errors.
        ids: The block ids, in content order.
        settings: Content type to store.
        encoded: Metadata, already encoded for Azure.
        overwrite: When ``False``, commit only if the blob does not exist.
        retry: The retry policy.

    Returns:
        Azure's answer (``etag``, ``last_modified``).
    """
    conditions: dict[str, Any] = {} if overwrite else {"match_condition": MatchConditions.IfMissing}
    blocks = [BlobBlock(block_id=identifier) for identifier in ids]
    return await request(
        retry,
        key,
        lambda: blob.commit_block_list(blocks, content_settings=settings, metadata=encoded, **conditions),
    )
