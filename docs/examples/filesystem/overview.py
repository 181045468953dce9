"""The overview's example, as written: a file in ./uploads, read back."""

import asyncio
from pathlib import Path

from litestar_storages import FileSystemConfig, FileSystemStorage


async def main() -> None:
    storage = FileSystemStorage(FileSystemConfig(path=Path("./uploads")))
    await storage.put("hello.txt", b"Hello, World!")
    content = await storage.get_bytes("hello.txt")
    print(content.decode())


asyncio.run(main())
