"""The adapter every contender implements: the same few operations, each the idiomatic way.

A contender is this library or a peer (raw SDK, obstore, fsspec...). Each adapter does
what a user of that library would write, with that library's defaults, so the figures
compare what users get. An operation a library cannot do raises :class:`Unsupported`,
shown as "n/a" with the reason.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sized
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from litestar_storages.base import BaseStorage

Endpoint = Mapping[str, str]
"""Where a suite's service is: URLs, bucket, credentials, root folder (plain strings, picklable)."""


class Unsupported(Exception):
    """The contender has no way to do this operation."""


class Contender:
    """One library under test, bound to one suite's endpoint.

    Subclasses set :attr:`name` and implement what the library can do.
    """

    name: ClassVar[str] = "contender"
    """Column title in the tables."""
    ours: ClassVar[bool] = False
    """True for litestar-storages itself."""

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint

    async def open(self) -> None:
        """Create clients; called once per worker before anything is measured."""

    async def close(self) -> None:
        """Release clients."""

    async def put_small(self, key: str, data: bytes) -> None:
        """Store a small object from bytes."""
        raise Unsupported("no put")

    async def get_small(self, key: str) -> Sized:
        """Return a small object's content (bytes or any buffer the library returns)."""
        raise Unsupported("no get")

    async def info(self, key: str) -> int:
        """Return the object's size from its metadata (no download)."""
        raise Unsupported("no info")

    async def delete(self, key: str) -> None:
        """Delete an object."""
        raise Unsupported("no delete")

    async def put_stream(self, key: str, chunks: AsyncIterator[bytes], size: int) -> None:
        """Store an object from an async stream of chunks of known total ``size``."""
        raise Unsupported("no streamed upload")

    async def get_stream(self, key: str) -> int:
        """Stream an object, dropping the bytes; return how many arrived."""
        raise Unsupported("no streamed download")

    async def list_count(self, prefix: str) -> int:
        """List every object under ``prefix``; return how many."""
        raise Unsupported("no listing")

    async def copy(self, source: str, destination: str) -> None:
        """Copy an object (server-side where the library can)."""
        raise Unsupported("no copy")


class StorageContender(Contender):
    """litestar-storages: the same adapter over any backend, via the public API only."""

    ours = True

    def __init__(self, endpoint: Endpoint) -> None:
        super().__init__(endpoint)
        self._storage: BaseStorage | None = None

    def make_storage(self) -> BaseStorage:
        """Build the storage from :attr:`endpoint` (with the backend's default settings)."""
        raise NotImplementedError

    @property
    def storage(self) -> BaseStorage:
        """The storage built by :meth:`open`."""
        assert self._storage is not None, "open() first"
        return self._storage

    async def open(self) -> None:
        self._storage = self.make_storage()

    async def close(self) -> None:
        if self._storage is not None:
            await self._storage.close()

    async def put_small(self, key: str, data: bytes) -> None:
        await self.storage.put(key, data)

    async def get_small(self, key: str) -> Sized:
        return await self.storage.get_bytes(key)

    async def info(self, key: str) -> int:
        return (await self.storage.info(key)).size

    async def delete(self, key: str) -> None:
        await self.storage.delete(key)

    async def put_stream(self, key: str, chunks: AsyncIterator[bytes], size: int) -> None:
        await self.storage.put(key, chunks)

    async def get_stream(self, key: str) -> int:
        total = 0
        async for chunk in self.storage.get(key):
            total += len(chunk)
        return total

    async def list_count(self, prefix: str) -> int:
        count = 0
        async for _ in self.storage.list(prefix):
            count += 1
        return count

    async def copy(self, source: str, destination: str) -> None:
        await self.storage.copy(source, destination)
