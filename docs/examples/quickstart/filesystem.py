"""Quick start on the local filesystem: files under ./uploads."""

import asyncio
from pathlib import Path

from litestar_storages import FileSystemConfig, FileSystemStorage


async def main() -> None:
    config = FileSystemConfig(path=Path("uploads"))
    async with FileSystemStorage(config) as storage:
        await storage.put("photos/cat.txt", b"a photo of a cat, in text form")

        # Stream the file back chunk by chunk...
        async for chunk in storage.get("photos/cat.txt"):
            print(len(chunk), "bytes")
        # ...or read it whole.
        assert await storage.get_bytes("photos/cat.txt") == b"a photo of a cat, in text form"

        # Copy and move run inside the backend; listing is recursive and sorted.
        await storage.copy("photos/cat.txt", "photos/cat-copy.txt")
        await storage.move("photos/cat-copy.txt", "archive/cat.txt")
        print([item.key async for item in storage.list()])  # ['archive/cat.txt', 'photos/cat.txt']

    # The files are ordinary files in the folder.
    assert await asyncio.to_thread(Path("uploads/photos/cat.txt").read_bytes) == b"a photo of a cat, in text form"


if __name__ == "__main__":
    asyncio.run(main())
