"""django-storages habits, in litestar-storages: free names and one-level listings."""

import asyncio
import uuid
from pathlib import PurePosixPath

from litestar_storages import MemoryStorage, Storage, StorageFileExistsError


async def save(storage: Storage, name: str, data: bytes) -> str:
    """Like django's Storage.save(): never overwrites; returns the name actually used."""
    candidate = name
    while True:
        try:
            await storage.put(candidate, data, overwrite=False)  # atomic: no race between check and write
        except StorageFileExistsError:
            path = PurePosixPath(name)
            candidate = str(path.with_name(f"{path.stem}_{uuid.uuid4().hex[:7]}{path.suffix}"))
        else:
            return candidate


async def listdir(storage: Storage, path: str) -> tuple[list[str], list[str]]:
    """Like django's Storage.listdir(): the folders and files directly under ``path``."""
    prefix = f"{path.rstrip('/')}/" if path else ""
    folders: set[str] = set()
    files: list[str] = []
    async for stored in storage.list(prefix):
        head, slash, _rest = stored.key[len(prefix) :].partition("/")
        if slash:
            folders.add(head)
        else:
            files.append(head)
    return sorted(folders), files


async def main() -> None:
    storage = MemoryStorage()

    first = await save(storage, "avatars/me.png", b"1")
    second = await save(storage, "avatars/me.png", b"2")
    assert first == "avatars/me.png"
    assert second != first
    assert second.startswith("avatars/me_")
    assert second.endswith(".png")

    await storage.put("avatars/2026/old.png", b"3")
    folders, files = await listdir(storage, "avatars")
    assert folders == ["2026"]
    assert files == sorted(["me.png", second.removeprefix("avatars/")])

    # storage.delete(name) in django-storages is silent for a missing name:
    await storage.delete("avatars/none.png", missing_ok=True)
    # storage.size(name), storage.get_modified_time(name):
    info = await storage.info(first)
    print(info.size, info.last_modified)


if __name__ == "__main__":
    asyncio.run(main())
