"""The two ends of a transfer: a storage under a prefix, or a local folder.

Both list their files as :class:`Entry` values named relative to where the transfer
starts (``photos/`` in ``images:photos/``, or the local folder), read one as a stream of
chunks and write one from such a stream, so ``cp -r``, ``mv`` and ``sync`` are written
once for every pair of ends.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterable, AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Union

from litestar_storages.attributes import NO_ATTRIBUTES, ObjectAttributes, restricted_to
from litestar_storages.calls import attribute_names, delete_object, open_read, write
from litestar_storages.contrib.cli._local_folder import LocalFolder

if TYPE_CHECKING:
    from litestar_storages.contrib.cli._locations import StorageRef
    from litestar_storages.protocol import Storage

__all__ = ("Entry", "LocalSide", "Side", "StorageSide")


@dataclass(frozen=True)
class Entry:
    """One file at one end of a transfer.

    Attributes:
        name: Its name relative to the end's starting point, ``/``-separated.
        size: Size in bytes.
        etag: The storage's version tag (``None`` for local files).
        modified: Last modification time (UTC), when known.
        content_type: MIME type, when known (storages).
        metadata: Custom metadata (storages).
        attributes: Standard object attributes (storages).
    """

    name: str
    size: int
    etag: str | None = None
    modified: datetime | None = None
    content_type: str | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)
    attributes: ObjectAttributes = NO_ATTRIBUTES


class StorageSide:
    """Files of a storage below a prefix (``""`` for the whole storage)."""

    __slots__ = ("name", "prefix", "storage")

    def __init__(self, ref: StorageRef) -> None:
        """Start at a storage and prefix.

        Args:
            ref: The storage and the prefix (a key prefix, used as it is).
        """
        self.name = ref.name
        self.storage: Storage = ref.storage
        self.prefix = ref.key

    def key(self, name: str) -> str:
        """Return the storage key of ``name``."""
        return self.prefix + name

    def label(self, name: str) -> str:
        """Return how ``name`` is shown to the user (``NAME:KEY``)."""
        return f"{self.name}:{self.key(name)}"

    async def entries(self) -> list[Entry]:
        """List every file below the prefix.

        Returns:
            The files, in key order.
        """
        return [
            Entry(
                stored.key[len(self.prefix) :],
                stored.size,
                stored.etag,
                stored.last_modified,
                stored.content_type,
                stored.metadata,
                stored.attributes,
            )
            async for stored in self.storage.list(self.prefix)
            if stored.key.startswith(self.prefix)
        ]

    async def entry(self, name: str) -> Entry:
        """Describe one file, content type and metadata included (listings may omit them).

        Args:
            name: The file's name below the prefix.

        Returns:
            The file.
        """
        stored = await self.storage.info(self.key(name))
        return Entry(
            name,
            stored.size,
            stored.etag,
            stored.last_modified,
            stored.content_type,
            stored.metadata,
            stored.attributes,
        )

    def read(self, name: str) -> AsyncIterator[bytes]:
        """Stream one file.

        Args:
            name: The file's name below the prefix.

        Returns:
            Its chunks.
        """
        return open_read(self.storage, self.key(name))

    async def write(self, name: str, chunks: AsyncIterable[bytes], source: Entry) -> frozenset[str]:
        """Store one file with the source's content type, metadata and the attributes this storage keeps.

        Args:
            name: Its name below the prefix.
            chunks: The content.
            source: The source file (content type, metadata and attributes travel with it).

        Returns:
            The source's attributes this storage could not keep (for the caller to report).
        """
        wanted = source.attributes.set_names()
        kept = attribute_names(self.storage) & wanted
        await write(
            self.storage,
            self.key(name),
            chunks,
            content_type=source.content_type,
            metadata=dict(source.metadata) or None,
            # Passed only when there is something to keep: a 0.2.x put has no such parameter.
            attributes=restricted_to(source.attributes, kept) if kept else None,
        )
        return wanted - kept

    async def delete(self, name: str) -> None:
        """Delete one file.

        Args:
            name: Its name below the prefix.
        """
        await delete_object(self.storage, self.key(name))

    def shares_storage(self, other: Side) -> bool:
        """Tell whether ``other`` is the same storage (server-side copy and move apply)."""
        return isinstance(other, StorageSide) and other.storage is self.storage


class LocalSide:
    """Files of a local folder (see :mod:`._local_folder` for how it stays confined)."""

    __slots__ = ("folder", "skipped")

    def __init__(self, path: Path) -> None:
        """Start at a local folder.

        Args:
            path: The folder.
        """
        self.folder = LocalFolder(path)
        self.skipped: list[str] = []
        """Entries the last :meth:`entries` left out, with why (links, devices)."""

    def label(self, name: str) -> str:
        """Return how ``name`` is shown to the user (a local path)."""
        return os.path.join(self.folder.path, *name.split("/"))

    async def entries(self) -> list[Entry]:
        """List every regular file below the folder.

        Returns:
            The files, in key order; links and special files are left out (see :attr:`skipped`).
        """
        scan = await self.folder.scan()
        self.skipped = scan.skipped
        return [Entry(found.name, found.size, modified=found.modified) for found in scan.files]

    async def entry(self, name: str) -> Entry:
        """Describe one file.

        Args:
            name: Its path below the folder.

        Returns:
            The file.
        """
        found = await self.folder.stat(name)
        return Entry(name, found.size, modified=found.modified)

    def read(self, name: str) -> AsyncIterator[bytes]:
        """Stream one file.

        Args:
            name: Its path below the folder.

        Returns:
            Its chunks.
        """
        return self.folder.read(name)

    async def write(self, name: str, chunks: AsyncIterable[bytes], source: Entry) -> frozenset[str]:
        """Write one file atomically, with the source's modification time.

        Args:
            name: Its path below the folder (a valid key: nothing escapes the folder).
            chunks: The content.
            source: The source file.

        Returns:
            Nothing lost worth a line: a download keeps bytes only, as ``aws s3 cp`` does.
        """
        await self.folder.write(name, chunks, modified=source.modified)
        return frozenset()

    async def delete(self, name: str) -> None:
        """Delete one file.

        Args:
            name: Its path below the folder.
        """
        await self.folder.delete(name)

    def shares_storage(self, other: Side) -> bool:
        """Local folders are never a storage."""
        return False


Side = Union[StorageSide, LocalSide]
"""Either end of a transfer."""
