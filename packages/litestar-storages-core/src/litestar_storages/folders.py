"""Folder listing built on a recursive listing: what ``list_dir`` does where the service cannot.

A recursive listing of the keys under ``folder`` (sorted, as ``list()`` yields them)
already holds the folder's entries in order: a key with no further ``/`` is a file of
the folder, and the keys below a sub-folder ``folder + "x/"`` come together, right
where the folder's own key ``"x/"`` sorts (nothing that is not below it sorts between
``"x/"`` and its first key). So one pass that keeps only the last folder seen yields
every entry once, in key order, in constant memory. It reads the whole subtree,
though: correct, not fast; backends with a delimiter listing do better.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from typing import TypeAlias

from litestar_storages.types import StoredFile, StoredFolder

__all__ = ("DirEntry", "group_listing")

DirEntry: TypeAlias = "StoredFile | StoredFolder"
"""One entry of a folder listing: an object directly in the folder, or a sub-folder."""


async def group_listing(files: AsyncIterator[StoredFile], folder: str, limit: int | None) -> AsyncIterator[DirEntry]:
    """Turn a recursive, sorted listing of ``folder`` into its direct entries.

    Args:
        files: The objects whose keys start with ``folder``, in key order; closed here
            when the caller stops early (when it is an async generator).
        folder: The checked folder (``""`` or ending with ``/``).
        limit: Most entries to yield (checked), or ``None``.

    Yields:
        The objects directly in ``folder`` and its sub-folders (each once), in key order.
    """
    remaining = limit
    if remaining == 0:
        return
    start = len(folder)
    last_folder: str | None = None
    try:
        async for stored in files:
            slash = stored.key.find("/", start)
            entry: DirEntry
            if slash == -1:
                entry = stored
            else:
                name = stored.key[: slash + 1]
                if name == last_folder:
                    continue  # another key below the folder just yielded
                last_folder = name
                entry = StoredFolder(name)
            yield entry
            if remaining is not None:
                remaining -= 1
                if remaining == 0:
                    return
    finally:
        if isinstance(files, AsyncGenerator):  # stopped early: the listing releases what it holds now
            await files.aclose()
