"""Folder listing: the files directly in a folder and its sub-folders, as a file browser shows them."""

import asyncio
import tempfile

from litestar_storages import FileSystemConfig, FileSystemStorage, MemoryStorage, StoredFile, StoredFolder
from litestar_storages.calls import list_folder
from litestar_storages.exceptions import InvalidKeyError


async def browse(storage: MemoryStorage | FileSystemStorage) -> None:
    for key in ("report.pdf", "photos/cat.jpg", "photos/2026/jan/dog.jpg", "photos/2026/feb.jpg", "photos-old/x.jpg"):
        await storage.put(key, b"...")

    # The root: one entry per sub-folder however many objects it holds, in key order
    # (a folder sorts as its key with the "/": "photos-old/" before "photos/").
    root = [entry.key async for entry in storage.list_dir()]
    assert root == ["photos-old/", "photos/", "report.pdf"]

    # "photos" and "photos/" are the same folder; "photos-old/" is another one.
    async for entry in storage.list_dir("photos"):
        if isinstance(entry, StoredFolder):
            print(f"{'DIR':>8}  {entry.key}  (name: {entry.name})")
        else:
            assert isinstance(entry, StoredFile)
            print(f"{entry.size:>8}  {entry.key}")
    in_2026 = [entry.key async for entry in storage.list_dir("photos/2026/")]
    assert in_2026 == ["photos/2026/feb.jpg", "photos/2026/jan/"]

    # limit counts entries (files and folders); a missing folder lists nothing.
    assert [entry.key async for entry in storage.list_dir(limit=1)] == ["photos-old/"]
    assert [entry async for entry in storage.list_dir("nowhere")] == []

    # A folder exists while an object below it does.
    await storage.delete("photos/2026/jan/dog.jpg")
    assert [entry.key async for entry in storage.list_dir("photos/2026")] == ["photos/2026/feb.jpg"]

    # Folders follow the key rules: "..", absolute and empty segments are refused.
    for bad in ("..", "/etc", "photos//2026"):
        try:
            [entry async for entry in storage.list_dir(bad)]
        except InvalidKeyError:
            pass
        else:
            raise AssertionError(bad)

    # list() stays recursive: every key under a string prefix.
    assert [file.key async for file in storage.list("photos")] == [
        "photos-old/x.jpg",
        "photos/2026/feb.jpg",
        "photos/cat.jpg",
    ]

    # Code that takes any storage, even a class written for 0.2.x without list_dir:
    assert [entry.key async for entry in list_folder(storage, "photos")] == ["photos/2026/", "photos/cat.jpg"]


async def main() -> None:
    await browse(MemoryStorage())
    with tempfile.TemporaryDirectory() as folder:
        async with FileSystemStorage(FileSystemConfig(path=folder)) as storage:
            await browse(storage)


if __name__ == "__main__":
    asyncio.run(main())
