"""Streamed uploads as staged blocks: block ids and the bounded-concurrency pipeline.

A block blob is assembled from blocks uploaded with Put Block ("staged") and made
visible by one Put Block List ("commit"). Until the commit nothing is visible, so an
upload whose input fails simply never commits; Azure garbage-collects uncommitted
blocks after a week.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import IO, cast

from litestar_storages.backends.azure.config import MAX_BLOCK_SIZE
from litestar_storages.bodies import SlicedBody
from litestar_storages.exceptions import StorageError, StorageValidationError
from litestar_storages.progress import ProgressReporter
from litestar_storages.streams import ByteStream

__all__ = (
    "MAX_BLOCKS",
    "BlockStager",
    "block_body",
    "block_id",
    "check_part_size",
    "new_upload_id",
    "require_parts",
    "upload_blocks",
)

MAX_BLOCKS = 50_000
"""Most committed blocks a block blob may have."""


BlockStager = Callable[[str, bytes | bytearray], Awaitable[None]]
"""Uploads one block: ``stage(block_id, data)``."""


def block_body(data: bytes | bytearray | memoryview) -> IO[bytes]:
    """Return the body to stage ``data`` with: a fresh one for each attempt.

    A :class:`~litestar_storages.bodies.SlicedBody` over the block, which aiohttp (under
    azure-core) writes 64 KiB at a time: a block handed over as ``bytes`` is written in
    one call, and asyncio's transport then copies the part the socket did not take,
    on the event loop. It is seekable, so the SDK's own retries can rewind it too.

    Args:
        data: The block's bytes (not copied).

    Returns:
        The body, typed as the SDK's stubs expect (it reads like a binary file).
    """
    return cast("IO[bytes]", SlicedBody(data))


def new_upload_id() -> str:
    """Return a fresh upload id (32 hex digits) that prefixes one upload's block ids."""
    return uuid.uuid4().hex


def block_id(upload_id: str, number: int) -> str:
    """Return the id of block ``number`` of an upload.

    Azure requires every block id of one blob, committed or not, to have the same
    length, and concurrent uploads to the same blob must not reuse each other's ids:
    32 hex digits of upload id plus six decimal digits satisfy both.

    Args:
        upload_id: From :func:`new_upload_id`.
        number: The block's position, 0 to 999,999.

    Returns:
        The block id (the SDK base64-encodes it on the wire).
    """
    return f"{upload_id}{number:06d}"


async def upload_blocks(
    stage: BlockStager,
    stream: ByteStream,
    first_blocks: list[bytes | bytearray],
    *,
    upload_id: str,
    block_size: int,
    max_concurrency: int,
    reporter: ProgressReporter,
    key: str,
) -> tuple[list[str], int]:
    """Stage ``first_blocks`` and then the rest of ``stream``, ``max_concurrency`` at a time.

    The next block is read from the stream while earlier ones upload, once fewer than
    ``max_concurrency`` are in flight, so at most ``block_size * max_concurrency`` bytes
    of blocks are held (each block is read in place, with ``ByteStream.read_block``, so
    reading one never holds it twice). If the stream or any upload fails, the uploads
    still in flight are cancelled and the error is raised as it is.

    Args:
        stage: Uploads one block.
        stream: The rest of the data, read ``block_size`` bytes at a time.
        first_blocks: Blocks already read from the stream (to decide it was large);
            emptied as they are staged.
        upload_id: Prefix of the block ids.
        block_size: Size of each block but the last.
        max_concurrency: Most uploads in flight.
        reporter: Receives the size of each block once it is staged.
        key: The storage key, for error messages.

    Returns:
        The block ids in order, and the total number of bytes.

    Raises:
        StorageValidationError: If the data needs more than :data:`MAX_BLOCKS` blocks.
    """
    ids: list[str] = []
    in_flight: set[asyncio.Task[int]] = set()
    total = 0

    async def upload(identifier: str, data: bytes | bytearray) -> int:
        await stage(identifier, data)
        return len(data)

    async def settle(done: set[asyncio.Task[int]]) -> None:
        # Look at every finished task so none is left with an unretrieved exception.
        errors = [error for error in (task.exception() for task in done) if error is not None]
        if errors:
            raise errors[0]
        for task in done:
            await reporter.advance(task.result())

    # Consumed in place, so neither the caller nor this frame keeps staged blocks alive.
    pending = first_blocks
    try:
        while True:
            if len(in_flight) >= max_concurrency:
                # Wait for a free slot before reading: the block read next then takes
                # the memory of the one just sent, instead of adding to it.
                done, in_flight = await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
                await settle(done)
            block = pending.pop(0) if pending else await stream.read_block(block_size)
            if not block:
                break
            _check_block_count(len(ids), block_size, key)
            identifier = block_id(upload_id, len(ids))
            ids.append(identifier)
            total += len(block)
            in_flight.add(asyncio.ensure_future(upload(identifier, block)))
            del block  # hold only the in-flight copies
        while in_flight:
            done, in_flight = await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
            await settle(done)
    except BaseException:
        for task in in_flight:
            task.cancel()
        await asyncio.gather(*in_flight, return_exceptions=True)
        raise
    return ids, total


def _check_block_count(count: int, block_size: int, key: str) -> None:
    if count >= MAX_BLOCKS:
        raise StorageValidationError(
            f"Upload of {key!r} needs more than {MAX_BLOCKS} blocks of {block_size} bytes: "
            "raise AzureConfig.block_size",
            key=key,
        )


def check_part_size(part_size: object, key: str) -> int:
    """Check a block size asked for by ``start_multipart_upload`` or ``put_large``.

    Args:
        part_size: The caller's part size.
        key: The upload's key, for error messages.

    Returns:
        The part size.

    Raises:
        StorageValidationError: If it is not an int from 1 to ``MAX_BLOCK_SIZE``.
    """
    if not isinstance(part_size, int) or not 1 <= part_size <= MAX_BLOCK_SIZE:
        raise StorageValidationError(f"part_size must be 1 to {MAX_BLOCK_SIZE} bytes, got {part_size!r}", key=key)
    return part_size


def require_parts(parts: list[tuple[int, str]], key: str) -> list[str]:
    """Return the block ids of a manual multipart upload in part order.

    Args:
        parts: ``(part_number, block_id)`` pairs recorded by ``upload_part``.
        key: The upload's key, for error messages.

    Returns:
        The block ids to commit.

    Raises:
        StorageError: If no part was uploaded (or the upload was aborted).
    """
    if not parts:
        raise StorageError(f"Multipart upload of {key!r} has no parts: it was aborted or nothing was uploaded", key=key)
    return [identifier for _, identifier in sorted(parts)]
