"""put() already streams and switches to multipart by itself; put_large() is kept for
code written against the multipart API."""

import asyncio
from collections.abc import AsyncIterator

from litestar_storages import MemoryStorage, ProgressInfo


async def body() -> AsyncIterator[bytes]:
    for _ in range(12):
        yield b"z" * (1024 * 1024)


async def main() -> None:
    storage = MemoryStorage()
    reports: list[ProgressInfo] = []
    stored = await storage.put_large(
        "media/movie.mp4", body(), part_size=8 * 1024 * 1024, progress_callback=reports.append
    )
    assert stored.content_type == "video/mp4"  # guessed from the key
    assert reports[-1].bytes_transferred == 12 * 1024 * 1024


if __name__ == "__main__":
    asyncio.run(main())
