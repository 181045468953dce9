"""What the driver's reads and writes lean on, apart from obstore's own calls.

The caller's chunks counted, one-chunk and empty bodies, best-effort removal of staged
objects, and whether a store's copy-if-not-exists is atomic.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import obstore
from obstore.exceptions import BaseError
from obstore.store import AzureStore, GCSStore, LocalStore, MemoryStore, S3Store

if TYPE_CHECKING:
    from obstore.store import ObjectStore

__all__ = ("CountedChunks", "copies_if_absent", "discard", "no_chunks", "one_chunk")


def copies_if_absent(store: ObjectStore) -> bool:
    """Tell whether ``store``'s copy-if-not-exists is atomic and keeps the attributes.

    Azure (``If-None-Match: *`` on Copy Blob), GCS (``ifGenerationMatch=0``), memory and
    local files (a hard link) do. S3 does only when the store is configured with
    ``copy_if_not_exists`` in a mode that copies with CopyObject (``header``,
    ``header-with-status``, ``dynamo``): without it object_store refuses the copy, and
    its ``multipart`` mode rebuilds the object without content type or metadata.

    Args:
        store: The obstore store.

    Returns:
        Whether a conditional copy can stand in for a conditional put of a stream.
    """
    if isinstance(store, S3Store):
        mode = str(store.config.get("copy_if_not_exists", ""))
        return mode.startswith(("header", "dynamo"))
    return isinstance(store, (AzureStore, GCSStore, MemoryStore, LocalStore))


async def discard(store: ObjectStore, name: str) -> None:
    """Delete a staged object, best effort (never raises: the caller's own outcome matters).

    Args:
        store: The obstore store.
        name: The staged object's name.
    """
    try:
        await obstore.delete_async(store, name)
    except (BaseError, FileNotFoundError):
        # Best effort: the put's own outcome (or error) is what the caller needs; a
        # leftover staged object stays hidden from listings.
        return


async def one_chunk(data: bytes) -> AsyncIterator[bytes]:
    """Yield ``data``: a body read whole, as a stream.

    Args:
        data: The bytes.

    Yields:
        ``data``, once.
    """
    yield data


async def no_chunks() -> AsyncIterator[bytes]:
    """Yield nothing: the body of an empty range.

    Yields:
        Nothing.
    """
    empty: tuple[bytes, ...] = ()
    for chunk in empty:  # an async generator that ends at once
        yield chunk


class CountedChunks:
    """Passes the caller's chunks to obstore, counting them and keeping their own error.

    An exception raised by the caller's stream inside ``put_async`` comes back wrapped
    by obstore (or not at all); it is kept here and raised as it is afterwards.
    """

    __slots__ = ("_chunks", "failure", "size")

    def __init__(self, chunks: AsyncIterator[bytes]) -> None:
        """Wrap the caller's ``chunks``."""
        self._chunks = chunks
        self.size = 0
        self.failure: BaseException | None = None

    def __aiter__(self) -> CountedChunks:
        return self

    async def __anext__(self) -> bytes:
        try:
            chunk = await anext(self._chunks)
        except StopAsyncIteration:
            raise
        except BaseException as error:
            self.failure = error
            raise
        self.size += len(chunk)
        return chunk

    def raise_failure(self) -> None:
        """Raise the caller's stream's own error, if it failed."""
        if self.failure is not None:
            raise self.failure
