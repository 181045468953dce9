"""FileSystemStorage: the whole API on a local folder.

Run it as is (``python docs/examples/filesystem/quickstart.py``): it works in a
temporary folder and removes it afterwards.
"""

import asyncio
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

from litestar_storages import FileSystemConfig, FileSystemStorage


async def upload_stream() -> AsyncIterator[bytes]:
    for line in range(3):
        yield f"line {line}\n".encode()


async def main(root: Path) -> None:
    async with FileSystemStorage(FileSystemConfig(path=root / "uploads")) as storage:
        # Content type and custom metadata are kept beside the file and survive restarts.
        stored = await storage.put("reports/2026-11.csv", b"month,total\n2026-11,42\n", metadata={"team": "sales"})
        print(stored.key, stored.size, stored.content_type)  # reports/2026-11.csv 23 text/csv

        # Streams are written to a temporary file and renamed into place when complete.
        await storage.put("logs/app.log", upload_stream(), content_type="text/plain")
        async for chunk in storage.get("logs/app.log", start=0, end=6):
            print(chunk)  # b'line 0'

        # overwrite=False is atomic (a hard link that fails if the key exists).
        try:
            await storage.put("reports/2026-11.csv", b"again", overwrite=False)
        except FileExistsError:
            print("kept the first version")

        # copy() copies in the kernel, move() is a rename; both keep the metadata.
        await storage.copy("reports/2026-11.csv", "archive/2026-11.csv")
        await storage.move("logs/app.log", "archive/app.log")
        print([item.key async for item in storage.list()])
        # ['archive/2026-11.csv', 'archive/app.log', 'reports/2026-11.csv']
        print((await storage.info("archive/2026-11.csv")).metadata)  # {'team': 'sales'}

        # Any string prefix, in key order, stopping early at the limit.
        print([item.key async for item in storage.list("archive/2", limit=10)])  # ['archive/2026-11.csv']

        # Deleting removes the folders it leaves empty (never the root).
        await storage.delete_many(["archive/2026-11.csv", "archive/app.log", "reports/2026-11.csv"])
        print(sorted(path.name for path in (root / "uploads").iterdir()))  # []


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(main(Path(folder)))
