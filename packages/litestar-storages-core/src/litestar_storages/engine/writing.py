"""Writes: one request, the driver's own streamed upload, or the part pipeline.

The decision, for every driver:

1. A driver that streams uploads itself (:class:`~.capabilities.SupportsStreamWrite`)
   gets the input as one async stream, with progress counted as it consumes it.
2. Otherwise the first ``part_size`` bytes are read. If the input ends there, or the
   driver has no parts, the object is sent in one request (:meth:`~.driver.Driver.write`;
   a driver without parts therefore holds one object in memory, which is its service's
   own limit).
3. Else the object goes through :func:`~.pipeline.upload_in_parts`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

from litestar_storages.engine.calling import call
from litestar_storages.engine.capabilities import SupportsParts, SupportsStreamWrite
from litestar_storages.engine.driver import Driver
from litestar_storages.engine.pipeline import PartsDriver, fit_part_size, upload_in_parts
from litestar_storages.exceptions import StorageValidationError
from litestar_storages.progress import ProgressReporter, report_progress
from litestar_storages.streams import ByteStream, PutData
from litestar_storages.types import ProgressCallback, StoredFile

__all__ = ("write_object",)


async def write_object(
    driver: Driver,
    name: str,
    key: str,
    data: PutData,
    *,
    content_type: str,
    metadata: Mapping[str, str],
    overwrite: bool,
    progress: ProgressCallback | None,
    part_size: int | None = None,
) -> StoredFile:
    """Store ``data`` as one object, choosing how to send it.

    Args:
        driver: The driver.
        name: The object's name.
        key: The storage key (messages, progress).
        data: Anything ``put`` accepts.
        content_type: The checked content type.
        metadata: The checked metadata.
        overwrite: ``False``: fail if the object exists.
        progress: Sync or async callback receiving upload progress.
        part_size: A part size asked for by the caller (``put_large``), else the driver's.

    Returns:
        Metadata of the stored object (``key`` holds the name).

    Raises:
        StorageValidationError: If ``part_size`` is out of the driver's bounds.
    """
    stream = ByteStream(data, key=key)
    reporter = ProgressReporter(progress, operation="upload", key=key, total_bytes=stream.size)
    if isinstance(driver, SupportsStreamWrite):
        chunks = stream if progress is None else report_progress(stream, reporter)
        return await call(
            driver,
            key,
            lambda: driver.write_stream(
                name,
                aiter(chunks),
                size=stream.size,
                content_type=content_type,
                metadata=metadata,
                overwrite=overwrite,
            ),
            retry=False,  # the stream is consumed by the first attempt
        )
    single = functools.partial(
        _write_one, driver, name, key, content_type=content_type, metadata=metadata, overwrite=overwrite
    )
    if not isinstance(driver, SupportsParts):
        body = await stream.read_block(stream.size) if stream.size is not None else await _read_all(stream)
        return await single(body, reporter=reporter)
    parts_driver: PartsDriver = driver
    size = _checked_part_size(parts_driver, part_size, key)
    size = fit_part_size(size, stream.size, parts_driver.max_parts, key=key)
    first = await stream.read_block(size)
    if await stream.at_eof():
        return await single(first, reporter=reporter)
    return await upload_in_parts(
        parts_driver,
        name,
        key,
        stream,
        first,
        part_size=size,
        content_type=content_type,
        metadata=metadata,
        overwrite=overwrite,
        reporter=reporter,
    )


def _checked_part_size(driver: SupportsParts, part_size: object, key: str) -> int:
    if part_size is None:
        return driver.part_size
    if not isinstance(part_size, int) or isinstance(part_size, bool) or not 1 <= part_size <= driver.max_part_size:
        raise StorageValidationError(
            f"part_size must be an int from 1 to {driver.max_part_size}, got {part_size!r}", key=key
        )
    return part_size


async def _read_all(stream: ByteStream) -> bytearray:
    body = bytearray()
    async for chunk in stream:
        body += chunk
    return body


async def _write_one(
    driver: Driver,
    name: str,
    key: str,
    body: bytearray,
    *,
    content_type: str,
    metadata: Mapping[str, str],
    overwrite: bool,
    reporter: ProgressReporter,
) -> StoredFile:
    stored = await call(
        driver,
        key,
        lambda: driver.write(name, body, content_type=content_type, metadata=metadata, overwrite=overwrite),
        retry=overwrite,  # a repeated conditional write would find its own object and fail
    )
    await reporter.advance(len(body))
    return stored
