"""Everything put() accepts: bytes, (async) iterables of bytes and file-like objects."""

import asyncio
import io
from collections.abc import AsyncIterator
from pathlib import Path

from litestar_storages import MemoryStorage


async def csv_rows(count: int) -> AsyncIterator[bytes]:
    # An async generator: rows are produced while the upload runs, never all in memory.
    yield b"id,name\n"
    for number in range(count):
        yield f"{number},row {number}\n".encode()


async def main() -> None:
    storage = MemoryStorage()

    await storage.put("exports/rows.csv", csv_rows(10_000))
    await storage.put("small/bytes.bin", b"\x00\x01\x02")
    await storage.put("small/list.txt", [b"several ", b"chunks"])  # any iterable of bytes
    await storage.put("small/buffer.txt", io.BytesIO(b"in-memory file"))

    # An open file: its blocking read() runs in a worker thread, 1 MiB at a time.
    await asyncio.to_thread(Path("local.bin").write_bytes, bytes(range(256)) * 4096)
    with Path("local.bin").open("rb") as file:  # noqa: ASYNC230 - put() reads it in a thread
        stored = await storage.put("blobs/local.bin", file)
    assert stored.size == 1024 * 1024

    # Litestar's UploadFile (async read()) works the same way:
    # await storage.put(f"uploads/{upload.filename}", upload)

    print((await storage.info("exports/rows.csv")).size, "bytes of CSV")


if __name__ == "__main__":
    asyncio.run(main())
