"""Resuming a manual multipart upload from saved state (another request, another process)."""

import asyncio
import json

from litestar_storages import MemoryStorage, MultipartUpload

PART_SIZE = 5 * 1024 * 1024


async def main() -> None:
    storage = MemoryStorage()
    data = bytes(range(256)) * (3 * PART_SIZE // 256)  # three parts
    parts = [data[start : start + PART_SIZE] for start in range(0, len(data), PART_SIZE)]

    upload = await storage.start_multipart_upload("videos/talk.mp4", part_size=PART_SIZE)
    upload.total_parts = len(parts)  # the expected number, for your own bookkeeping
    await storage.upload_part(upload, 1, parts[0])

    # Save the state (a database row, a JSON file) ...
    saved = json.dumps(
        {
            "upload_id": upload.upload_id,
            "key": upload.key,
            "parts": upload.parts,
            "part_size": upload.part_size,
            "total_parts": upload.total_parts,
        }
    )

    # ... and later rebuild the upload from it and carry on after the last part done.
    state = json.loads(saved)
    upload = MultipartUpload(
        upload_id=state["upload_id"],
        key=state["key"],
        parts=[(number, etag) for number, etag in state["parts"]],
        part_size=state["part_size"],
        total_parts=state["total_parts"],
    )
    print(f"resuming after {upload.completed_parts} of {upload.total_parts} parts")
    for part_number in range(upload.completed_parts + 1, len(parts) + 1):
        await storage.upload_part(upload, part_number, parts[part_number - 1])

    stored = await storage.complete_multipart_upload(upload)
    assert stored.size == len(data)


if __name__ == "__main__":
    asyncio.run(main())
