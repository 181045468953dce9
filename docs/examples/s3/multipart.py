"""The manual multipart API: parts uploaded by separate requests (or workers)."""

import asyncio

from litestar_storages import S3Storage
from litestar_storages.types import StoredFile

PART = 5 * 1024 * 1024  # S3's smallest part (all but the last)


async def upload_in_parts(storage: S3Storage, key: str, data: bytes) -> StoredFile:
    upload = await storage.start_multipart_upload(key, content_type="application/zip", part_size=PART)
    try:
        for number, start in enumerate(range(0, len(data), PART), start=1):
            await storage.upload_part(upload, number, data[start : start + PART])
        return await storage.complete_multipart_upload(upload)
    except BaseException:
        # An open upload keeps its parts (and bills them) until it is aborted.
        await storage.abort_multipart_upload(upload)
        raise


async def upload_file(storage: S3Storage, key: str, path: str) -> StoredFile:
    # put_large streams the file in parts of the given size (reads run in a thread).
    file = await asyncio.to_thread(open, path, "rb")
    with file:
        return await storage.put_large(key, file, part_size=8 * 1024 * 1024)
