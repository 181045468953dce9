"""Downloading without holding the whole file: chunks, ranges and a local copy."""

import asyncio
from pathlib import Path

from litestar_storages import MemoryStorage


async def download_to(storage: MemoryStorage, key: str, destination: Path) -> int:
    # get() is an async generator: each chunk is written before the next is fetched,
    # and the blocking file writes run in a worker thread.
    written = 0
    file = await asyncio.to_thread(destination.open, "wb")
    try:
        async for chunk in storage.get(key):
            await asyncio.to_thread(file.write, chunk)
            written += len(chunk)
    finally:
        await asyncio.to_thread(file.close)
    return written


async def main() -> None:
    storage = MemoryStorage()
    await storage.put("videos/intro.bin", bytes(range(256)) * 1000)

    assert await download_to(storage, "videos/intro.bin", Path("intro.bin")) == 256_000

    # Ranges follow slicing: start inclusive, end exclusive.
    assert await storage.get_bytes("videos/intro.bin", start=0, end=4) == b"\x00\x01\x02\x03"
    # From an offset to the end (resuming a download, for example):
    tail = b"".join([chunk async for chunk in storage.get("videos/intro.bin", start=255_996)])
    assert tail == b"\xfc\xfd\xfe\xff"
    # A range past the end is clipped, as slicing would.
    assert await storage.get_bytes("videos/intro.bin", start=255_998, end=999_999) == b"\xfe\xff"


if __name__ == "__main__":
    asyncio.run(main())
