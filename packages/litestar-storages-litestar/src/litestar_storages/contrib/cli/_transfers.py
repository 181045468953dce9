"""Moving one file between two ends: streamed, or copied server-side within one storage."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from litestar_storages.contrib.cli._sides import LocalSide, Side, StorageSide

if TYPE_CHECKING:
    from litestar_storages.contrib.cli._planning import Copy
    from litestar_storages.contrib.cli._progress import TransferProgress
    from litestar_storages.contrib.cli._sides import Entry

__all__ = ("Route",)

_PAST = {"upload": "uploaded", "download": "downloaded", "copy": "copied", "move": "moved"}


@dataclass(frozen=True)
class Route:
    """Where files go: from one end to the other, copied or moved.

    Attributes:
        source: Where files are read.
        destination: Where they are written.
        move: Delete each source file once its copy is complete.
    """

    source: Side
    destination: Side
    move: bool = False

    @property
    def verb(self) -> str:
        """What each line of output says: ``upload``, ``download``, ``copy`` or ``move``."""
        if self.move:
            return "move"
        if isinstance(self.source, LocalSide):
            return "upload"
        return "download" if isinstance(self.destination, LocalSide) else "copy"

    @property
    def done(self) -> str:
        """The verb in the past tense, for the summary: ``uploaded``, ``copied``..."""
        return _PAST[self.verb]

    def describe(self, item: Copy) -> str:
        """Return ``verb: SOURCE -> DESTINATION`` for one file."""
        return f"{self.verb}: {self.source.label(item.source.name)} -> {self.destination.label(item.target)}"

    async def transfer(self, item: Copy, progress: TransferProgress) -> frozenset[str]:
        """Copy (or move) one file.

        Within one storage the storage's own ``copy``/``move`` runs (server-side where
        the backend has it); otherwise the bytes stream from one end to the other, and
        a moved source is deleted only after its copy is complete.

        Args:
            item: The file and its name at the destination.
            progress: Counts the bytes.

        Returns:
            The names of the source's attributes the destination could not keep.
        """
        source, destination = self.source, self.destination
        if (
            isinstance(source, StorageSide)
            and isinstance(destination, StorageSide)
            and source.shares_storage(destination)
        ):
            operation = source.storage.move if self.move else source.storage.copy
            await operation(source.key(item.source.name), destination.key(item.target))
            progress.advance(item.source.size)
            return frozenset()
        details = await self._details(item.source)
        chunks = progress.track(destination.label(item.target), details.size, source.read(details.name))
        lost = await destination.write(item.target, chunks, details)
        if self.move:
            await source.delete(item.source.name)
        return lost

    async def _details(self, entry: Entry) -> Entry:
        # Listings of some backends (S3) carry no content type, metadata or attributes:
        # ask for them, so they travel with a copy to another storage.
        if isinstance(self.source, StorageSide) and (
            entry.content_type is None or isinstance(self.destination, StorageSide)
        ):
            return await self.source.entry(entry.name)
        return entry
