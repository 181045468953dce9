"""fsspec calls and their litestar-storages equivalents."""

import asyncio
from datetime import timedelta

from litestar_storages import MemoryStorage


async def main() -> None:
    storage = MemoryStorage()  # fsspec: fsspec.filesystem("memory")

    await storage.put("data/2026/a.csv", b"x,y\n1,2\n")  # fs.pipe_file("bucket/data/2026/a.csv", ...)
    await storage.put("data/2026/b.csv", b"x,y\n3,4\n")
    await storage.put("data/readme.txt", b"about the data")

    assert await storage.get_bytes("data/2026/a.csv") == b"x,y\n1,2\n"  # fs.cat_file(path)
    assert await storage.get_bytes("data/2026/a.csv", start=4, end=7) == b"1,2"  # fs.cat_file(path, 4, 7)

    found = [stored.key async for stored in storage.list("data/")]  # fs.find("bucket/data/")
    assert found == ["data/2026/a.csv", "data/2026/b.csv", "data/readme.txt"]

    info = await storage.info("data/readme.txt")  # fs.info(path)
    print(info.size, info.content_type, info.etag)

    await storage.copy("data/readme.txt", "archive/readme.txt")  # fs.copy(a, b)
    await storage.move("data/2026/b.csv", "archive/b.csv")  # fs.mv(a, b)
    await storage.delete_many(["data/2026/a.csv", "archive/b.csv"])  # fs.rm([...])

    url = await storage.url("archive/readme.txt", expires_in=timedelta(hours=1))  # fs.sign(path, 3600)
    print(url)

    try:
        await storage.get_bytes("data/2026/a.csv")
    except FileNotFoundError:  # as with fsspec, a missing file is a FileNotFoundError
        print("deleted")


if __name__ == "__main__":
    asyncio.run(main())
