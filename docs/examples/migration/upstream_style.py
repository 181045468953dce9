"""Code written for the single-distribution litestar-storages 0.2.x runs unchanged."""

import asyncio
from pathlib import Path

from litestar_storages import (
    FileSystemConfig,
    FileSystemStorage,
    MemoryConfig,
    MemoryStorage,
    RetryConfig,
    StorageError,
    retry,
)
from litestar_storages.backends import MemoryStorage as SameMemoryStorage
from litestar_storages.exceptions import StorageFileNotFoundError


async def main() -> None:
    storage = FileSystemStorage(FileSystemConfig(path=Path("./uploads")))
    await storage.put("hello.txt", b"Hello, World!")
    content = await storage.get_bytes("hello.txt")
    print(content.decode())

    result = await storage.put("documents/readme.txt", b"Hello, World!", content_type="text/plain")
    print(f"Stored {result.size} bytes")
    exists = await storage.exists("documents/readme.txt")
    print(f"Exists: {exists}")
    await storage.delete("documents/readme.txt")

    limited = MemoryStorage(config=MemoryConfig(max_size=1024 * 1024))
    try:
        await limited.put("large-file.bin", b"\0" * (2 * 1024 * 1024))
    except StorageError as e:
        print(f"Storage full: {e}")

    try:
        await storage.get_bytes("nonexistent.txt")
    except StorageFileNotFoundError as e:
        print(f"Missing: {e.key}")  # "Missing: nonexistent.txt"

    @retry(RetryConfig(max_retries=5, base_delay=0.5))
    async def upload(key: str, data: bytes) -> None:
        await storage.put(key, data)

    await upload("retried.txt", b"data")
    assert SameMemoryStorage is MemoryStorage


if __name__ == "__main__":
    asyncio.run(main())
