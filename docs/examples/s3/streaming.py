"""Large uploads and downloads with flat memory."""

from collections.abc import AsyncIterator

from litestar_storages import S3Storage
from litestar_storages.types import ProgressInfo


async def camera_feed(total: int, chunk: int = 256 * 1024) -> AsyncIterator[bytes]:
    for offset in range(0, total, chunk):
        yield bytes(min(chunk, total - offset))


def show(info: ProgressInfo) -> None:
    print(f"{info.operation} {info.key}: {info.bytes_transferred} bytes")


async def main(storage: S3Storage) -> None:
    # Past multipart_threshold this becomes a multipart upload with max_concurrency
    # parts in flight; memory stays around part_size * (max_concurrency + 1).
    await storage.put("videos/raw.bin", camera_feed(12 * 1024 * 1024), content_type="video/mp4", progress=show)

    # Downloads stream chunk by chunk; a dropped connection raises
    # StorageConnectionError instead of returning a short file.
    received = 0
    async for chunk in storage.get("videos/raw.bin", start=1024 * 1024, progress=show):
        received += len(chunk)
    print("received", received)
