"""Quick start on MemoryStorage: no service, no files, the same API as every backend."""

import asyncio
from datetime import timedelta

from litestar_storages import MemoryStorage, Storage, StoredFile


async def save_report(storage: Storage, name: str, body: bytes) -> StoredFile:
    # Annotated with the Storage protocol: works with any backend.
    return await storage.put(f"reports/{name}", body, metadata={"generated-by": "quickstart"})


async def main() -> None:
    async with MemoryStorage() as storage:
        stored = await save_report(storage, "2026-11.csv", b"month,total\n2026-11,42\n")
        print(stored.key, stored.size, stored.content_type)  # reports/2026-11.csv 23 text/csv

        assert await storage.exists("reports/2026-11.csv")
        assert await storage.get_bytes("reports/2026-11.csv") == b"month,total\n2026-11,42\n"

        info = await storage.info("reports/2026-11.csv")
        assert info.metadata == {"generated-by": "quickstart"}

        print([item.key async for item in storage.list("reports/")])  # ['reports/2026-11.csv']
        print(await storage.url("reports/2026-11.csv", expires_in=timedelta(minutes=5)))

        await storage.delete("reports/2026-11.csv")
        assert not await storage.exists("reports/2026-11.csv")


if __name__ == "__main__":
    asyncio.run(main())
