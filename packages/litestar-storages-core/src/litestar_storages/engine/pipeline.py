"""The bounded parallel part pipeline: one streamed upload as parts, for every driver with parts.

The next part is read from the input only once fewer than ``max_concurrency`` parts
are in flight, so an upload holds at most ``part_size * (max_concurrency + 1)`` bytes
(the parts uploading, plus the one being read). Any failure (a part failing after its
retries, the input raising, the caller being cancelled) cancels the parts in flight
and aborts the upload: no object appears. The input's own exception propagates
unchanged. Progress is reported from the driving task in completion order, so reports
only grow.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import Mapping

from litestar_storages.attributes import NO_ATTRIBUTES, ObjectAttributes
from litestar_storages.engine.abilities import PartsDriver
from litestar_storages.engine.calling import call
from litestar_storages.engine.capabilities import SupportsPutParts
from litestar_storages.exceptions import StorageError, StorageValidationError
from litestar_storages.progress import ProgressReporter
from litestar_storages.streams import ByteStream
from litestar_storages.types import StoredFile

__all__ = ("fit_part_size", "upload_in_parts")

MIB = 1024 * 1024


def fit_part_size(part_size: int, total: int | None, max_parts: int, *, key: str) -> int:
    """Return the part size for ``total`` bytes: ``part_size``, or more to fit in ``max_parts``.

    Args:
        part_size: The configured part size.
        total: The object's size, when known.
        max_parts: The service's most parts per object.
        key: The key, for error messages.

    Returns:
        The part size, rounded up to a whole MiB when it had to grow.
    """
    if total is None or total <= part_size * max_parts:
        return part_size
    return math.ceil(math.ceil(total / max_parts) / MIB) * MIB


async def upload_in_parts(
    driver: PartsDriver,
    name: str,
    key: str,
    stream: ByteStream,
    first: bytearray,
    *,
    part_size: int,
    content_type: str,
    metadata: Mapping[str, str],
    overwrite: bool,
    reporter: ProgressReporter,
    starter: SupportsPutParts | None = None,
    attributes: ObjectAttributes = NO_ATTRIBUTES,
) -> StoredFile:
    """Upload ``first`` and then the rest of ``stream`` in parts, committing them as one object.

    Args:
        driver: A driver with parts.
        name: The object's name.
        key: The storage key (messages, progress).
        stream: The input, already read up to the end of ``first``.
        first: The first part (already read to choose this path); not kept after it is sent.
        part_size: Size of every part but the last.
        content_type: The checked content type.
        metadata: The checked metadata.
        overwrite: ``False``: the commit fails if the object exists.
        reporter: Receives the size of each part once uploaded.
        starter: The driver, when it starts the parts of a ``put`` itself
            (:class:`~litestar_storages.engine.capabilities.SupportsPutParts`).
        attributes: The checked attributes.

    Returns:
        Metadata of the stored object.

    Raises:
        StorageError: A translated error of the driver.
        StorageValidationError: If the input needs more than ``driver.max_parts`` parts.
        Exception: Whatever the input stream raised, unchanged.
    """
    if starter is not None:
        upload_id = await call(
            driver,
            key,
            lambda: starter.begin_put_parts(
                name, content_type=content_type, metadata=metadata, overwrite=overwrite, attributes=attributes
            ),
        )
    else:
        upload_id = await call(
            driver,
            key,
            lambda: driver.begin_parts(name, content_type=content_type, metadata=metadata, attributes=attributes),
        )
    in_flight: set[asyncio.Task[tuple[int, str, int]]] = set()
    parts: list[tuple[int, str]] = []

    async def send(number: int, body: bytearray) -> tuple[int, str, int]:
        tag = await call(driver, key, lambda: driver.put_part(name, upload_id, number, body))
        return number, tag, len(body)

    async def settle(done: set[asyncio.Task[tuple[int, str, int]]]) -> None:
        # Every finished task is looked at, so none is left with an unretrieved exception.
        failures = [error for error in (task.exception() for task in done) if error is not None]
        if failures:
            raise failures[0]
        for task in done:
            number, tag, size = task.result()
            parts.append((number, tag))
            await reporter.advance(size)

    try:
        pending: bytearray | None = first
        del first  # the pending slot is the only reference; the task takes it over
        number = 0
        while True:
            while len(in_flight) >= driver.max_concurrency:
                # Wait for a free slot before reading: the part read next takes the
                # memory of the one that finished instead of adding to it.
                done, in_flight = await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
                await settle(done)
            block = pending if pending is not None else await stream.read_block(part_size)
            pending = None
            if not block:
                break
            number += 1
            _check_part_count(number, driver.max_parts, part_size, key)
            in_flight.add(asyncio.ensure_future(send(number, block)))
            del block
        while in_flight:
            done, in_flight = await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
            await settle(done)
        parts.sort()
        return await call(
            driver,
            key,
            lambda: driver.commit_parts(
                name,
                upload_id,
                parts,
                content_type=content_type,
                metadata=metadata,
                overwrite=overwrite,
                attributes=attributes,
            ),
            retry=overwrite,  # a repeated conditional commit would find its own object
        )
    except BaseException:
        for task in in_flight:
            task.cancel()
        await asyncio.gather(*in_flight, return_exceptions=True)
        # The original error (or cancellation) is what the caller must see; a failed
        # abort only leaves parts the service expires by itself.
        with contextlib.suppress(StorageError):
            await call(driver, key, lambda: driver.abort_parts(name, upload_id))
        raise


def _check_part_count(number: int, max_parts: int, part_size: int, key: str) -> None:
    if number > max_parts:
        raise StorageValidationError(
            f"The upload of {key!r} needs more than {max_parts} parts of {part_size} bytes", key=key
        )
