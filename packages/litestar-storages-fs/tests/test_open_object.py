"""open_object: one version's metadata and bytes from one call, whatever happens to the key afterwards."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
from pathlib import Path

import pytest

from litestar_storages import ObjectAttributes, SupportsOpenObject
from litestar_storages.backends.filesystem import FileSystemConfig, FileSystemStorage
from litestar_storages.backends.filesystem.opened_file import HELD_MAX
from litestar_storages.exceptions import InvalidRangeError, StorageError, StorageFileNotFoundError
from litestar_storages.opened import OpenedObject

SMALL = b"small file"
LARGE = bytes(range(256)) * ((HELD_MAX + 4096) // 256)  # one page past what is held whole


@pytest.fixture
def storage(tmp_path: Path) -> FileSystemStorage:
    return FileSystemStorage(FileSystemConfig(path=tmp_path / "root", chunk_size=4096))


async def _read(opened: OpenedObject, start: int, end: int) -> bytes:
    return b"".join([chunk async for chunk in opened.read(start, end)])


def _descriptors() -> int:
    return len(os.listdir("/proc/self/fd" if os.path.isdir("/proc/self/fd") else "/dev/fd"))


async def test_the_storage_offers_the_capability(storage: FileSystemStorage) -> None:
    assert isinstance(storage, SupportsOpenObject)


@pytest.mark.parametrize("content", [SMALL, LARGE, b""], ids=["held", "streamed", "empty"])
async def test_metadata_is_what_info_reports(storage: FileSystemStorage, content: bytes) -> None:
    attributes = ObjectAttributes(cache_control="max-age=60", content_language="fr")
    await storage.put("a/file.bin", content, content_type="video/mp4", metadata={"k": "v"}, attributes=attributes)
    opened = await storage.open_object("a/file.bin")
    try:
        assert opened.file == await storage.info("a/file.bin")
        assert await _read(opened, 0, len(content)) == content
        if content:
            assert await _read(opened, 1, len(content) - 1) == content[1:-1]
    finally:
        opened.close()


@pytest.mark.parametrize("content", [SMALL, LARGE], ids=["held", "streamed"])
async def test_ranges_come_from_the_opened_version_after_overwrite_and_delete(
    storage: FileSystemStorage, content: bytes
) -> None:
    await storage.put("f.bin", content)
    opened = await storage.open_object("f.bin")
    try:
        await storage.put("f.bin", b"new version, another size")
        assert await _read(opened, 0, 5) == content[:5]
        await storage.delete("f.bin")
        assert await _read(opened, len(content) - 7, len(content)) == content[-7:]
        assert await _read(opened, 0, len(content)) == content
    finally:
        opened.close()


async def test_ranges_outside_the_version_and_reads_after_close_are_refused(storage: FileSystemStorage) -> None:
    await storage.put("f.bin", LARGE)
    opened = await storage.open_object("f.bin")
    for start, end in ((-1, 3), (5, 4), (0, len(LARGE) + 1)):
        with pytest.raises(InvalidRangeError):
            opened.read(start, end)
    opened.close()
    opened.close()  # twice is harmless
    with pytest.raises(StorageError):
        opened.read(0, 1)


async def test_missing_keys_and_folders_are_not_found(storage: FileSystemStorage) -> None:
    await storage.put("folder/inside.txt", SMALL)
    for key in ("missing.txt", "folder", "folder/inside.txt/below", "nowhere/file.txt"):
        with pytest.raises(StorageFileNotFoundError):
            await storage.open_object(key)


async def test_a_sidecar_of_another_version_is_never_used(storage: FileSystemStorage, tmp_path: Path) -> None:
    await storage.put("typed.bin", LARGE, content_type="image/png")
    root = tmp_path / "root"
    # The file replaced behind the storage's back (same name, another version): its
    # sidecar names the old version, so the new one has the type guessed from its key.
    (root / "typed.bin").write_bytes(SMALL)
    opened = await storage.open_object("typed.bin")
    try:
        assert opened.file.content_type == "application/octet-stream"
        assert opened.file.size == len(SMALL)
        assert await _read(opened, 0, len(SMALL)) == SMALL
    finally:
        opened.close()


async def test_descriptors_are_released_by_close_early_exits_and_cancellation(storage: FileSystemStorage) -> None:
    await storage.put("f.bin", LARGE)
    await storage.put("s.bin", SMALL)
    await storage.info("f.bin")  # the root's descriptor is open from here on
    gc.collect()  # what earlier tests dropped is closed now, not during the count
    before = _descriptors()
    for _ in range(20):
        opened = await storage.open_object("f.bin")
        chunks = opened.read(0, len(LARGE))
        await anext(chunks)  # a client gone after one chunk
        await chunks.aclose()  # type: ignore[attr-defined]
        opened.close()
        # An opened version dropped without close() (a response never sent).
        del opened
        (await storage.open_object("s.bin")).close()
        opening = asyncio.create_task(storage.open_object("f.bin"))
        await asyncio.sleep(0)
        opening.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            (await opening).close()
    # Abandoned opens are released when their worker thread hands them back: on a
    # loaded machine that can take a while (bounded wait, not a timing assertion).
    for _ in range(200):
        if _descriptors() == before:
            break
        await asyncio.sleep(0.05)
    assert _descriptors() == before
