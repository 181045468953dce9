"""Large uploads and downloads with flat memory, progress, and the multipart API."""

from collections.abc import AsyncIterator

from litestar_storages import GCSStorage, ProgressInfo


async def generate(size: int, block: int = 100_000) -> AsyncIterator[bytes]:
    # Stands for any stream: an upload request body, a file read in blocks...
    for start in range(0, size, block):
        yield bytes(min(block, size - start))


def show(info: ProgressInfo) -> None:
    print(f"{info.operation} {info.key}: {info.bytes_transferred} bytes ({info.percentage or 0:.0f}%)")


async def main(storage: GCSStorage) -> None:
    size = 3 * storage.config.chunk_size + 1000
    # More than chunk_size: a resumable session, one chunk_size request at a time.
    stored = await storage.put("videos/raw.bin", generate(size), content_type="video/mp4", progress=show)
    assert stored.size == size

    # Downloads stream as GCS sends them; ranges are slices (end exclusive).
    received = 0
    async for chunk in storage.get("videos/raw.bin", progress=show):
        received += len(chunk)
    assert received == size
    assert await storage.get_bytes("videos/raw.bin", start=size - 10) == bytes(10)

    # The manual multipart API, on a resumable session: parts in order, any size.
    upload = await storage.start_multipart_upload("videos/parts.bin", content_type="video/mp4")
    for number, part in enumerate([bytes(300_000), bytes(500_000), bytes(42)], start=1):
        await storage.upload_part(upload, number, part)
    assembled = await storage.complete_multipart_upload(upload)
    assert assembled.size == 800_042
