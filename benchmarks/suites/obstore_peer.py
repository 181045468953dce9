"""obstore as a peer: the same adapter over any obstore store, with obstore's defaults."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sized
from typing import Any

from benchmarks.harness.contender import Contender


class ObstoreContender(Contender):
    """obstore's async functions over the store :meth:`make_store` builds."""

    def __init__(self, endpoint: Any) -> None:
        super().__init__(endpoint)
        self._store: Any = None

    def make_store(self) -> Any:
        """Build the obstore store for :attr:`endpoint`."""
        raise NotImplementedError

    async def open(self) -> None:
        self._store = self.make_store()

    async def put_small(self, key: str, data: bytes) -> None:
        import obstore

        await obstore.put_async(self._store, key, data)

    async def get_small(self, key: str) -> Sized:
        import obstore

        result = await obstore.get_async(self._store, key)
        content: Sized = await result.bytes_async()
        return content

    async def info(self, key: str) -> int:
        import obstore

        meta = await obstore.head_async(self._store, key)
        return int(meta["size"])

    async def delete(self, key: str) -> None:
        import obstore

        await obstore.delete_async(self._store, key)

    async def put_stream(self, key: str, chunks: AsyncIterator[bytes], size: int) -> None:
        import obstore

        await obstore.put_async(self._store, key, chunks)

    async def get_stream(self, key: str) -> int:
        import obstore

        result = await obstore.get_async(self._store, key)
        total = 0
        async for chunk in result.stream():
            total += len(chunk)
        return total

    async def list_count(self, prefix: str) -> int:
        import obstore

        count = 0
        # obstore prefixes are whole path segments: "a/b" lists "a/b/..." (no trailing slash).
        async for batch in obstore.list(self._store, prefix.rstrip("/")):
            count += len(batch)
        return count

    async def copy(self, source: str, destination: str) -> None:
        import obstore

        await obstore.copy_async(self._store, source, destination)


OBSTORE_STORAGE = "ObstoreStorage"
"""Column title of litestar-storages' obstore driver, measured beside raw obstore."""


def storage_over(peer: type[ObstoreContender]) -> type[Contender]:
    """Return a contender running ``ObstoreStorage`` over the store ``peer`` builds.

    The driver's target (issue #18) is measured against that peer in the same run:
    client CPU per operation within 1.15x of raw obstore, streamed throughput within 0.95x.

    Args:
        peer: The raw obstore contender of the suite.

    Returns:
        The contender class.
    """
    from benchmarks.harness.contender import StorageContender

    class ObstoreStorageContender(StorageContender):
        name = OBSTORE_STORAGE
        ours = False  # a peer column: the suite's own backend stays "ours"

        def make_storage(self) -> Any:
            from litestar_storages.backends.obstore import ObstoreStorage

            return ObstoreStorage(peer(self.endpoint).make_store())

    return ObstoreStorageContender
