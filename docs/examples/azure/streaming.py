"""Streamed uploads as staged blocks, ranged downloads, and the manual multipart API."""

import asyncio
import os
from collections.abc import AsyncIterator

from litestar_storages import AzureConfig, AzureStorage, ProgressInfo

MIB = 1024 * 1024


async def generate(total: int, chunk: int = 256 * 1024) -> AsyncIterator[bytes]:
    """Stand-in for any async source: an upload request body, another storage, ..."""
    for start in range(0, total, chunk):
        yield bytes([start // chunk % 256]) * min(chunk, total - start)


def show(progress: ProgressInfo) -> None:
    print(f"{progress.operation} {progress.key}: {progress.bytes_transferred} bytes ({progress.percentage})")


async def main(connection_string: str) -> None:
    # 1 MiB blocks, 4 uploaded at once: an upload holds at most ~5 MiB in memory.
    config = AzureConfig(
        container="streaming", connection_string=connection_string, block_size=1 * MIB, max_concurrency=4
    )
    async with AzureStorage(config) as storage:
        await storage.create_container()

        # More than one block: staged blocks, committed at the end with the metadata.
        stored = await storage.put("videos/clip.mp4", generate(6 * MIB + 100), metadata={"camera": "2"}, progress=show)
        print(stored.size, stored.content_type)  # 6291556 video/mp4

        # Downloads stream chunk by chunk; ranges are start-inclusive, end-exclusive.
        total = 0
        async for chunk in storage.get("videos/clip.mp4", start=MIB, end=3 * MIB):
            total += len(chunk)
        assert total == 2 * MIB

        # The manual multipart API: each part is a staged block, committed in part order.
        upload = await storage.start_multipart_upload("logs/day.txt", content_type="text/plain")
        await storage.upload_part(upload, 2, b"second line\n")
        await storage.upload_part(upload, 1, b"first line\n")
        await storage.complete_multipart_upload(upload)
        assert await storage.get_bytes("logs/day.txt") == b"first line\nsecond line\n"

        await storage.delete_many(["videos/clip.mp4", "logs/day.txt"])


if __name__ == "__main__":
    if "AZURE_STORAGE_CONNECTION_STRING" in os.environ:
        asyncio.run(main(os.environ["AZURE_STORAGE_CONNECTION_STRING"]))
    else:
        from litestar_storages.testing.emulators.azurite import Azurite

        with Azurite() as azurite:
            asyncio.run(main(azurite.connection_string))
