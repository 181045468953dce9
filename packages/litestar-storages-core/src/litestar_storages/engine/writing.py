"""Writes: one request, the driver's own streamed upload, or the part pipeline.

The decision, for every driver:

1. Bytes no longer than the driver's ``part_size`` (or its own single-request limit,
   :class:`~litestar_storages.engine.capabilities.SupportsSingleRequestLimit`) go out in one request
   (:meth:`~litestar_storages.engine.driver.Driver.write`), without any stream machinery.
2. Otherwise the first ``part_size`` (or limit) bytes are read. If the input ends there, the object
   is sent in one request too. A driver without parts or streamed writes always gets one
   request (and so holds one object in memory: its service's own limit).
3. A longer input goes to a driver that streams uploads itself
   (:class:`~litestar_storages.engine.capabilities.SupportsStreamWrite`) as one async stream, progress counted as
   it consumes it; else through the part pipeline, :func:`~litestar_storages.engine.pipeline.upload_in_parts`.

A driver whose store is in the process (:class:`~litestar_storages.engine.capabilities.SupportsDirectWrite`)
skips the decision: bytes of any size go to ``write``, anything else to ``write_chunks`` as it comes.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Mapping

from litestar_storages.attributes import NO_ATTRIBUTES, ObjectAttributes
from litestar_storages.engine.abilities import Abilities
from litestar_storages.engine.calling import call
from litestar_storages.engine.capabilities import SupportsDirectWrite, SupportsParts
from litestar_storages.engine.driver import Driver
from litestar_storages.engine.pipeline import fit_part_size, upload_in_parts
from litestar_storages.exceptions import StorageError, StorageFileExistsError, StorageValidationError
from litestar_storages.progress import ProgressReporter, report_progress
from litestar_storages.streams import ByteStream, PutData
from litestar_storages.types import ProgressCallback, StoredFile

__all__ = ("write_object",)


async def write_object(
    driver: Driver,
    abilities: Abilities,
    name: str,
    key: str,
    data: PutData,
    *,
    content_type: str,
    metadata: Mapping[str, str],
    overwrite: bool,
    progress: ProgressCallback | None,
    part_size: int | None = None,
    attributes: ObjectAttributes = NO_ATTRIBUTES,
) -> StoredFile:
    """Store ``data`` as one object, choosing how to send it.

    Args:
        driver: The driver.
        abilities: Its abilities.
        name: The object's name.
        key: The storage key (messages, progress).
        data: Anything ``put`` accepts.
        content_type: The checked content type.
        metadata: The checked metadata.
        overwrite: ``False``: fail if the object exists.
        progress: Sync or async callback receiving upload progress.
        part_size: A part size asked for by the caller (``put_large``), else the driver's.
        attributes: The checked attributes, all declared by the driver.

    Returns:
        Metadata of the stored object (``key`` holds the name).

    Raises:
        StorageValidationError: If ``part_size`` is out of the driver's bounds.
    """
    if abilities.direct is not None:
        if part_size is not None and abilities.parts is not None:
            _checked_part_size(abilities, abilities.parts, part_size, key)  # refused as on every backend, then unused
        return await _write_direct(
            driver,
            abilities.direct,
            name,
            key,
            data,
            content_type=content_type,
            metadata=metadata,
            overwrite=overwrite,
            progress=progress,
            attributes=attributes,
        )
    parts, streams = abilities.parts, abilities.stream
    threshold: int | None = None
    max_parts: int | None = None
    if parts is not None:
        threshold = _checked_part_size(abilities, parts, part_size, key)
        max_parts = parts.max_parts
    if streams is not None:
        threshold, max_parts = threshold or streams.part_size, None  # the driver cuts its own parts
    # The single-request limit: the part size, unless the driver has its own (put_large aside).
    limit = threshold if part_size is not None or abilities.single_limit is None else abilities.single_limit
    if isinstance(data, (bytes, bytearray)) and (limit is None or len(data) <= limit):
        # The common small put: one driver call, no stream and no closure built.
        return await _write_bytes(
            driver,
            name,
            key,
            data,
            content_type=content_type,
            metadata=metadata,
            overwrite=overwrite,
            progress=progress,
            attributes=attributes,
        )
    single = functools.partial(
        _write_one,
        driver,
        name,
        key,
        content_type=content_type,
        metadata=metadata,
        overwrite=overwrite,
        attributes=attributes,
    )
    stream = ByteStream(data, key=key)
    reporter = ProgressReporter(progress, operation="upload", key=key, total_bytes=stream.size)
    if threshold is None:
        body = await stream.read_block(stream.size) if stream.size is not None else await _read_all(stream)
        return await single(body, reporter=reporter)
    if max_parts is not None:
        threshold = fit_part_size(threshold, stream.size, max_parts, key=key)
    first = await stream.read_block(threshold if limit is None else limit)
    if await stream.at_eof():
        return await single(first, reporter=reporter)
    if streams is not None:
        failures: list[BaseException] = []
        chunks = _chain(first, stream, reporter, failures)
        del first
        try:
            return await call(
                driver,
                key,
                streams.write_stream,
                name,
                chunks,
                size=stream.size,
                content_type=content_type,
                metadata=metadata,
                overwrite=overwrite,
                attributes=attributes,
                retry=False,  # the stream is consumed by the first attempt
            )
        except StorageError as error:
            # The caller's own stream failed with an exception of a type the driver owns
            # (an OSError of a file being read, for a local driver): it propagates as it was.
            if failures and error.__cause__ is failures[0]:
                raise failures[0] from None
            raise
    assert parts is not None  # noqa: S101 - threshold is set only with parts or streams
    if not overwrite and abilities.put_parts is None and await call(driver, key, driver.head, name) is not None:
        # Refused before any part is sent (a SupportsPutParts driver refuses in
        # begin_put_parts); the conditional commit still settles a race.
        raise StorageFileExistsError(key)
    # The pipeline must hold the only reference to the first part, so that it is freed
    # once sent: a local here would keep it alive for the whole upload (one part more
    # than the pipeline's bound). The call takes the popped value over from the stack.
    holder = [first]
    del first
    return await upload_in_parts(
        parts,
        name,
        key,
        stream,
        holder.pop(),
        part_size=threshold,
        content_type=content_type,
        metadata=metadata,
        overwrite=overwrite,
        reporter=reporter,
        starter=abilities.put_parts,
        attributes=attributes,
    )


async def _chain(
    first: bytearray, stream: ByteStream, reporter: ProgressReporter, failures: list[BaseException]
) -> AsyncIterator[bytes]:
    size = len(first)
    yield first  # type: ignore[misc] # a bytearray: drivers send buffers as they are, uncopied
    del first
    await reporter.advance(size)
    try:
        async for chunk in report_progress(stream, reporter):
            yield chunk
    except Exception as error:
        failures.append(error)  # the caller's, told apart from the driver's own failures
        raise


def _checked_part_size(abilities: Abilities, driver: SupportsParts, part_size: object, key: str) -> int:
    if part_size is None:
        return driver.part_size
    low, high = abilities.min_part_size, driver.max_part_size
    if not isinstance(part_size, int) or isinstance(part_size, bool) or not low <= part_size <= high:
        raise StorageValidationError(f"part_size must be an int from {low} to {high}, got {part_size!r}", key=key)
    return part_size


async def _write_direct(
    driver: Driver,
    direct: SupportsDirectWrite,
    name: str,
    key: str,
    data: PutData,
    *,
    content_type: str,
    metadata: Mapping[str, str],
    overwrite: bool,
    progress: ProgressCallback | None,
    attributes: ObjectAttributes,
) -> StoredFile:
    if isinstance(data, (bytes, bytearray)):
        return await _write_bytes(
            driver,
            name,
            key,
            data,
            content_type=content_type,
            metadata=metadata,
            overwrite=overwrite,
            progress=progress,
            attributes=attributes,
        )
    stream = ByteStream(data, key=key)
    chunks = aiter(stream)
    if progress is not None:
        reporter = ProgressReporter(progress, operation="upload", key=key, total_bytes=stream.size)
        chunks = report_progress(chunks, reporter)
    return await call(
        driver,
        key,
        direct.write_chunks,
        name,
        chunks,
        content_type=content_type,
        metadata=metadata,
        overwrite=overwrite,
        attributes=attributes,
        retry=False,  # the stream is consumed by the first attempt
    )


async def _write_bytes(
    driver: Driver,
    name: str,
    key: str,
    data: bytes | bytearray,
    *,
    content_type: str,
    metadata: Mapping[str, str],
    overwrite: bool,
    progress: ProgressCallback | None,
    attributes: ObjectAttributes,
) -> StoredFile:
    stored = await call(
        driver,
        key,
        driver.write,
        name,
        data,
        content_type=content_type,
        metadata=metadata,
        overwrite=overwrite,
        attributes=attributes,
        retry=overwrite,  # a repeated conditional write would find its own object and fail
    )
    if progress is not None:
        await ProgressReporter(progress, operation="upload", key=key, total_bytes=len(data)).advance(len(data))
    return stored


async def _read_all(stream: ByteStream) -> bytearray:
    body = bytearray()
    async for chunk in stream:
        body += chunk
    return body


async def _write_one(
    driver: Driver,
    name: str,
    key: str,
    body: bytes | bytearray,
    *,
    content_type: str,
    metadata: Mapping[str, str],
    overwrite: bool,
    attributes: ObjectAttributes,
    reporter: ProgressReporter,
) -> StoredFile:
    stored = await call(
        driver,
        key,
        driver.write,
        name,
        body,
        content_type=content_type,
        metadata=metadata,
        overwrite=overwrite,
        attributes=attributes,
        retry=overwrite,  # a repeated conditional write would find its own object and fail
    )
    await reporter.advance(len(body))
    return stored
