"""ObstoreStorage over an in-memory store: the whole Storage API, run by obstore."""

from __future__ import annotations

import asyncio

from obstore.store import MemoryStore

from litestar_storages import ObstoreStorage


async def main() -> None:
    # Any obstore store works the same way: S3Store, AzureStore, GCSStore, LocalStore.
    storage = ObstoreStorage(MemoryStore())
    await storage.put("notes/hello.txt", b"Hello from Rust", metadata={"author": "Ada"})
    info = await storage.info("notes/hello.txt")
    print(info.size, info.content_type, info.metadata)  # 15 text/plain {'author': 'Ada'}
    print(await storage.get_bytes("notes/hello.txt", start=11))  # b'Rust'
    print([stored.key async for stored in storage.list("notes/")])  # ['notes/hello.txt']


if __name__ == "__main__":
    asyncio.run(main())
