"""Objects staged in a reserved folder: manual multipart parts, and conditional streamed puts.

obstore exposes no multipart-upload handle that could outlive a call, so the manual
multipart API (``start_multipart_upload`` / ``upload_part`` / ``complete`` / ``abort``,
resumable from another process) stages each part as an ordinary object under
:data:`STAGING_FOLDER`, at the top of the store. Completing streams the parts, in
number order, into one ``put_async`` (obstore's own multipart upload, so memory stays at
one part in flight per connection) and deletes them; aborting deletes them. The folder is
hidden from listings and reserved: keep no objects of your own there.

A streamed ``put(..., overwrite=False)`` is staged there too (see
:func:`staged_put_name`): obstore sends a conditional put as one request holding the
whole body, so the body is streamed to a staged object instead and copied to its name
with a conditional copy (copy-if-not-exists), then the staged object is deleted.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING

import obstore

if TYPE_CHECKING:
    from obstore.store import ObjectStore

__all__ = ("STAGING_FOLDER", "discard_parts", "is_staged", "part_name", "staged_body", "staged_put_name")

STAGING_FOLDER = ".litestar-storages-parts"
"""Top-level folder of the store holding the parts of unfinished manual multipart uploads."""


def is_staged(name: str) -> bool:
    """Tell whether an object name is a staged part (hidden from listings).

    Args:
        name: An object name.

    Returns:
        ``True`` for names inside :data:`STAGING_FOLDER`.
    """
    return name.startswith(STAGING_FOLDER + "/")


def part_name(upload_id: str, number: int) -> str:
    """Return the name a part is staged under.

    Args:
        upload_id: The upload's identifier.
        number: The part number (1 to 10,000).

    Returns:
        The staged object's name; names sort in part order.
    """
    return f"{STAGING_FOLDER}/{upload_id}/{number:05d}"


def staged_put_name() -> str:
    """Return a fresh name for the staged body of a conditional streamed put.

    Returns:
        A name inside :data:`STAGING_FOLDER` that no multipart upload uses (those are
        bare hexadecimal identifiers).
    """
    return f"{STAGING_FOLDER}/put-{uuid.uuid4().hex}"


async def staged_body(store: ObjectStore, names: Sequence[str]) -> AsyncIterator[bytes]:
    """Stream the staged parts, one after the other.

    Args:
        store: The store.
        names: The parts' names, in order.

    Yields:
        Their bytes.
    """
    for name in names:
        result = await obstore.get_async(store, name)
        async for chunk in result.stream():
            yield bytes(chunk)


async def discard_parts(store: ObjectStore, upload_id: str) -> None:
    """Delete every staged part of an upload; nothing to delete is fine.

    Args:
        store: The store.
        upload_id: The upload's identifier.
    """
    names = [meta["path"] async for batch in obstore.list(store, f"{STAGING_FOLDER}/{upload_id}") for meta in batch]
    if names:
        await obstore.delete_async(store, names)
