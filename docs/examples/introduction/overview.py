"""The whole API in a few lines: store, stream, link."""

import asyncio
from datetime import timedelta

from litestar_storages import MemoryStorage, Storage


async def tour(storage: Storage, upload: bytes) -> None:
    await storage.put("avatars/42.png", upload)  # bytes, a stream or a file
    async for chunk in storage.get("avatars/42.png"):  # streamed, never all in memory
        print(len(chunk))
    url = await storage.url("avatars/42.png", expires_in=timedelta(hours=1))
    print(url)


if __name__ == "__main__":
    asyncio.run(tour(MemoryStorage(), b"\x89PNG\r\n\x1a\n"))
