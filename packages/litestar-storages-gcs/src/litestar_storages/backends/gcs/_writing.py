"""Changing objects: uploads (one request when small, a resumable session when not), copies, deletes."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from litestar_storages.backends.gcs.config import GCSConfig
from litestar_storages.backends.gcs.errors import GCS_ERRORS
from litestar_storages.backends.gcs.resources import OBJECT_FIELDS, stored_file
from litestar_storages.backends.gcs.resumable import ResumableUpload
from litestar_storages.backends.gcs.transport import Transport
from litestar_storages.bodies import sliced_body
from litestar_storages.content import resolve_content_type, validate_metadata
from litestar_storages.exceptions import StorageError, StorageFileNotFoundError
from litestar_storages.progress import ProgressReporter
from litestar_storages.retry import with_retry
from litestar_storages.streams import ByteStream, PutData
from litestar_storages.types import ProgressCallback, StoredFile

__all__ = ("copy_object", "delete_object", "upload_object")


async def upload_object(
    connect: Callable[[], Transport],
    config: GCSConfig,
    *,
    key: str,
    name: str,
    data: PutData,
    content_type: str | None,
    metadata: Mapping[str, str] | None,
    overwrite: bool,
    progress: ProgressCallback | None,
) -> StoredFile:
    """Store ``data`` as the object ``name`` (the body of ``GCSStorage.put``).

    Args:
        connect: Returns the storage's transport, opening it on first use.
        config: The storage's configuration (bucket, chunk size, retry).
        key: The caller's key (for errors, content type and the result).
        name: The object's full name in the bucket.
        data: Bytes, a sync or async iterable of bytes, or a file-like object.
        content_type: MIME type; guessed from the key when omitted.
        metadata: Custom metadata.
        overwrite: When ``False``, fail if the key exists.
        progress: Sync or async callback receiving upload progress.

    Returns:
        Metadata of the stored object.
    """
    resolved_type = resolve_content_type(key, content_type)
    checked = validate_metadata(metadata, key=key)
    chunk_size = config.chunk_size
    stream = ByteStream(data, chunk_size=chunk_size, key=key)
    reporter = ProgressReporter(progress, operation="upload", key=key, total_bytes=stream.size)
    transport = connect()
    # The caller's stream is read outside every error guard: what it raises
    # reaches the caller unchanged. Small bytes are sent as they are (no copy);
    # anything else is read a chunk at a time, in place (one copy per byte).
    small = isinstance(data, bytes) and len(data) < chunk_size
    first: bytes | bytearray = data if small else await stream.read_block(chunk_size)  # type: ignore[assignment]
    # at_eof looks at most one input chunk ahead: the chunk being sent is the only
    # one held, and it is known to be the last without reading the next one.
    if small or len(first) < chunk_size or await stream.at_eof():
        resource = await _upload_small(
            transport,
            config,
            key=key,
            name=name,
            payload=first,
            content_type=resolved_type,
            metadata=checked,
            overwrite=overwrite,
        )
        await reporter.advance(len(first))
        return stored_file(resource, key)
    session = await ResumableUpload.start(
        transport,
        config.bucket,
        name,
        content_type=resolved_type,
        metadata=checked,
        if_generation_match=None if overwrite else 0,
        key=key,
        retry=config.retry,
    )
    try:
        chunk = first
        del first
        while True:
            final = len(chunk) < chunk_size or await stream.at_eof()
            completed = await session.send(chunk, final=final)
            size = len(chunk)
            # Dropped before the next chunk is read, so only one is ever held.
            del chunk
            await reporter.advance(size)
            if completed is not None:
                return stored_file(completed, key)
            chunk = await stream.read_block(chunk_size)
    except BaseException:
        await session.cancel()
        raise


async def _upload_small(
    transport: Transport,
    config: GCSConfig,
    *,
    key: str,
    name: str,
    payload: bytes | bytearray,
    content_type: str,
    metadata: dict[str, str],
    overwrite: bool,
) -> dict[str, Any]:
    if not metadata and overwrite:
        # Nothing but the bytes and their type to send: a simple media upload, the
        # cheapest request. Not for overwrite=False: fake-gcs-server honours
        # ifGenerationMatch on multipart uploads only, and the check must hold there too.
        return await _upload_media(transport, config, key=key, name=name, payload=payload, content_type=content_type)
    # A multipart upload: it carries the metadata, and ifGenerationMatch=0 is
    # honoured on it by GCS and by fake-gcs-server alike.
    parameters = {} if overwrite else {"ifGenerationMatch": "0"}
    # The SDK wraps bytes in a BytesIO (sharing them); a bytearray it does not take.
    body = payload if isinstance(payload, bytes) else bytes(payload)

    async def upload() -> dict[str, Any]:
        with GCS_ERRORS.guard(key):
            resource: dict[str, Any] = await transport.client.upload(
                config.bucket,
                name,
                body,
                content_type=content_type,
                metadata={"metadata": metadata},
                parameters=dict(parameters),
                force_resumable_upload=False,
                timeout=transport.timeout,
            )
            return resource

    return await with_retry(upload, config.retry)


async def _upload_media(
    transport: Transport,
    config: GCSConfig,
    *,
    key: str,
    name: str,
    payload: bytes | bytearray,
    content_type: str,
) -> dict[str, Any]:
    # Sent through the SDK's session directly: the SDK's upload() wraps the bytes in a
    # BytesIO, measures it by seeking and builds headers it then copies, for nothing
    # a media upload needs. A body over one slice goes out 64 KiB at a time.
    # A partial answer: GCS would send the whole resource (ACLs included) otherwise.
    params = {"uploadType": "media", "name": name, "fields": OBJECT_FIELDS}
    headers = {"Content-Type": content_type, "Content-Length": str(len(payload))}
    url = transport.upload_url(config.bucket)

    async def upload() -> dict[str, Any]:
        with GCS_ERRORS.guard(key):
            response = await transport.request("POST", url, headers=headers, params=params, data=sliced_body(payload))
            resource: dict[str, Any] = await response.json(content_type=None)
            return resource

    return await with_retry(upload, config.retry)


async def copy_object(
    transport: Transport, config: GCSConfig, *, source: str, destination: str, names: tuple[str, str]
) -> StoredFile:
    """Copy an object server-side (``rewrite``, repeated with its token until done).

    Args:
        transport: The storage's client and endpoints.
        config: The storage's configuration (bucket, retry).
        source: The caller's key to copy from (for errors).
        destination: The caller's key to copy to (for the result).
        names: The source's and the destination's full names in the bucket.

    Returns:
        Metadata of the copy.

    Raises:
        StorageError: If GCS did not finish the copy.
    """
    source_name, destination_name = names

    async def rewrite() -> dict[str, Any]:
        with GCS_ERRORS.guard(source):
            answer: dict[str, Any] = await transport.client.copy(
                config.bucket,
                source_name,
                config.bucket,
                new_name=destination_name,
                params={},
                timeout=transport.timeout,
            )
            return answer

    answer = await with_retry(rewrite, config.retry)
    resource = answer.get("resource")
    if not isinstance(resource, dict):
        raise StorageError(f"GCS did not finish copying {source!r} to {destination!r}", key=source)
    return stored_file(resource, destination)


async def delete_object(transport: Transport, config: GCSConfig, *, key: str, name: str, missing_ok: bool) -> None:
    """Delete the object ``name``.

    Args:
        transport: The storage's client and endpoints.
        config: The storage's configuration (bucket, retry).
        key: The caller's key (for errors).
        name: The object's full name in the bucket.
        missing_ok: Succeed silently when the object does not exist.

    Raises:
        StorageFileNotFoundError: If the object does not exist and ``missing_ok`` is false.
    """

    async def remove() -> None:
        with GCS_ERRORS.guard(key):
            await transport.client.delete(config.bucket, name, timeout=transport.timeout)

    try:
        await with_retry(remove, config.retry)
    except StorageFileNotFoundError:
        if not missing_ok:
            raise
