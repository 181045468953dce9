"""Progress callbacks on uploads and downloads, sync or async."""

import asyncio
from collections.abc import AsyncIterator

from litestar_storages import MemoryStorage, ProgressInfo


async def chunks(count: int, size: int) -> AsyncIterator[bytes]:
    for _ in range(count):
        yield b"x" * size


def print_progress(info: ProgressInfo) -> None:
    # total_bytes is None when the size is not known in advance (a generator).
    total = "?" if info.total_bytes is None else info.total_bytes
    print(f"{info.operation} {info.key}: {info.bytes_transferred}/{total}")


async def main() -> None:
    storage = MemoryStorage()

    await storage.put("big.bin", chunks(4, 256 * 1024), progress=print_progress)

    # An async callback is awaited: it can update a database or push to a websocket.
    seen: list[float | None] = []

    async def record(info: ProgressInfo) -> None:
        seen.append(info.percentage)

    async for _chunk in storage.get("big.bin", progress=record):
        pass
    assert seen[-1] == 100.0

    # With bytes the total is known, so percentages are available on upload too.
    await storage.put("known.bin", b"y" * 1000, progress=record)
    assert seen[-1] == 100.0


if __name__ == "__main__":
    asyncio.run(main())
