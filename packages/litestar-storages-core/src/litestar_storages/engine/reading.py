"""Ranged reads: clipping, progress, and short bodies detected, resumed or refused.

A connection can end cleanly before the body is complete (a proxy timing out, a
server restarting). The engine counts every body against the range the driver said it
would send; when it ends short (or breaks with a connection error) the rest is asked
for again from where it stopped, pinned to the same version of the object (same
etag), up to the driver's retry attempts. A version change or attempts running out
raise :class:`~litestar_storages.exceptions.StorageConnectionError`: never a silently
truncated or spliced file.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator

from litestar_storages.engine.calling import call
from litestar_storages.engine.driver import Driver, RangeBody, whole_body
from litestar_storages.error_mapping import ErrorMapper
from litestar_storages.exceptions import (
    ConcurrentWriteError,
    InvalidRangeError,
    StorageConnectionError,
    StorageError,
    StorageFileNotFoundError,
)
from litestar_storages.progress import ProgressReporter
from litestar_storages.types import ProgressCallback

__all__ = ("open_range", "read_bytes", "read_range")


async def open_range(driver: Driver, name: str, key: str, start: int, end: int | None) -> RangeBody:
    """Open bytes ``[start, end)`` of an object through the driver, clipped to the object.

    An empty range (``end <= start``) is not asked of the driver, and a range the
    service cannot satisfy (a 416: it starts at or past the end) is not an error: both
    are an empty body at ``min(start, size)`` of an object that must exist, found with
    one ``head``. Drivers leave both cases here.

    Args:
        driver: The driver.
        name: The object's name.
        key: The storage key (messages).
        start: First byte (validated).
        end: Byte after the last, or ``None`` (validated).

    Returns:
        The opened body.

    Raises:
        StorageFileNotFoundError: If the object does not exist.
    """
    if end is None or end > start:
        try:
            return await call(driver, key, driver.open_range, name, start, end)
        except InvalidRangeError:
            pass  # starts at or past the end: clipped to nothing, below
    stored = await call(driver, key, driver.head, name)
    if stored is None:
        raise StorageFileNotFoundError(key)
    at = min(start, stored.size)
    return whole_body(stored, at, at, b"")


async def read_range(
    driver: Driver,
    name: str,
    key: str,
    *,
    start: int,
    end: int | None,
    progress: ProgressCallback | None,
    opened: RangeBody | None = None,
) -> AsyncIterator[bytes]:
    """Stream bytes ``[start, end)`` of an object, complete or not at all.

    Args:
        driver: The driver.
        name: The object's name.
        key: The storage key (messages, progress).
        start: First byte (validated).
        end: Byte after the last, or ``None`` (validated).
        progress: Sync or async callback receiving download progress.
        opened: The body of ``open_range(name, start, end)`` when the caller opened it
            already (nothing of it consumed), else ``None``.

    Yields:
        The body's chunks.

    Raises:
        StorageFileNotFoundError: If the object does not exist.
        StorageConnectionError: If the body stays short after the retries.
        ConcurrentWriteError: If the object was replaced while it was being resumed.
    """
    errors = driver.errors
    if opened is None:
        opened = await open_range(driver, name, key, start, end)
    expected_end = opened.end
    position = opened.start
    etag = opened.file.etag
    reporter = ProgressReporter(progress, operation="download", key=key, total_bytes=opened.end - opened.start)
    # At least one resume even when the SDK retries by itself: its retries cover
    # requests, not a body that ends early.
    limit = max(2, 1 if driver.retry is None else driver.retry.max_attempts)
    failures = 0
    chunks = opened.chunks
    while True:
        try:
            while (chunk := await _next_chunk(chunks, errors, key)) is not None:
                position += len(chunk)
                yield chunk
                if progress is not None:
                    await reporter.advance(len(chunk))
        except StorageConnectionError:
            failures += 1
            if failures >= limit:
                raise
        else:  # the body ended without an error
            if position >= expected_end:
                return
            failures += 1
            if failures >= limit:
                raise StorageConnectionError(
                    f"{driver.name}: the body of {key!r} ended at byte {position} of {expected_end}", key=key
                )
        finally:
            if isinstance(chunks, AsyncGenerator):  # left early: close it now, not at garbage collection
                await chunks.aclose()
        resumed_at = position
        body = await open_range(driver, name, key, resumed_at, expected_end)
        if body.file.etag != etag or body.start != resumed_at:
            raise ConcurrentWriteError(f"{key!r} changed while it was being read", key=key)
        chunks = body.chunks


async def _next_chunk(chunks: AsyncIterator[bytes], errors: ErrorMapper, key: str) -> bytes | None:
    # Only the fetch is guarded: errors of the consumer's loop body are its own.
    # (ErrorMapper.guard, inline: this runs for every chunk.)
    try:
        return await anext(chunks)
    except StopAsyncIteration:
        return None
    except StorageError:
        raise
    except Exception as error:
        if not isinstance(error, errors.owns):
            raise
        raise errors.translate(error, key) from error


async def read_bytes(driver: Driver, name: str, key: str, *, start: int, end: int | None) -> bytes:
    """Return bytes ``[start, end)`` of an object, complete or not at all.

    A body the driver read whole (:attr:`RangeBody.data`) and of the range's length is
    returned as it is: one driver call and no stream to drive, the common case of
    ``get_bytes`` on a small object. Anything else (a stream, a short body) goes through
    :func:`read_range`, with its resumes.

    Args:
        driver: The driver.
        name: The object's name.
        key: The storage key (messages).
        start: First byte (validated).
        end: Byte after the last, or ``None`` (validated).

    Returns:
        The bytes.
    """
    opened = await open_range(driver, name, key, start, end)
    data = opened.data
    if data is not None and len(data) == opened.end - opened.start:
        return data
    chunks = read_range(driver, name, key, start=start, end=end, progress=None, opened=opened)
    return b"".join([chunk async for chunk in chunks])
