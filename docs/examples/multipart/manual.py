"""A manual multipart upload: parts sent separately (resumable uploads, parallel parts)."""

import asyncio

from litestar_storages import MemoryStorage

PART_SIZE = 5 * 1024 * 1024  # S3's minimum for every part but the last


async def main() -> None:
    storage = MemoryStorage()
    data = bytes(range(256)) * (11 * 1024 * 1024 // 256)  # 11 MiB: three parts

    upload = await storage.start_multipart_upload("backups/db.dump", metadata={"source": "nightly"})
    try:
        for number, start in enumerate(range(0, len(data), PART_SIZE), start=1):
            await storage.upload_part(upload, number, data[start : start + PART_SIZE])
        print(upload.completed_parts, "parts:", [number for number, _etag in upload.parts])
        stored = await storage.complete_multipart_upload(upload)
    except BaseException:
        # Without this, the service keeps (and bills) the parts already uploaded.
        await storage.abort_multipart_upload(upload)
        raise

    assert stored.size == len(data)
    assert (await storage.info("backups/db.dump")).metadata == {"source": "nightly"}


if __name__ == "__main__":
    asyncio.run(main())
