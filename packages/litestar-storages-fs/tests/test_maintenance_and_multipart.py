"""remove_stale_files() after killed writers; multipart uploads staged on disk."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path

import pytest

from litestar_storages.backends.filesystem import FileSystemConfig, FileSystemStorage
from litestar_storages.exceptions import StorageError, StorageValidationError
from litestar_storages.types import MultipartUpload

MIB = 1024 * 1024

WRITER = textwrap.dedent(
    """
    import asyncio, sys
    from litestar_storages.backends.filesystem import FileSystemConfig, FileSystemStorage

    async def endless():
        for index in range(10**9):
            yield b"k" * (256 * 1024)
            if index == 8:
                print("writing", flush=True)
            await asyncio.sleep(0.001)

    async def main():
        storage = FileSystemStorage(FileSystemConfig(path=sys.argv[1]))
        await storage.put(sys.argv[2], endless())

    asyncio.run(main())
    """
)


def _start_writer(root: Path, key: str) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(root), key], stdout=subprocess.PIPE, text=True, env=os.environ.copy()
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "writing"
    return process


async def test_killed_writers_leave_temp_files_that_cleanup_removes(
    storage: FileSystemStorage, root: Path, temp_files: Callable[[], list[str]]
) -> None:
    await storage.put("victim/existing.bin", b"previous")
    writers = [_start_writer(root, "victim/existing.bin"), _start_writer(root, "new/folder/file.bin")]
    for process in writers:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert len(temp_files()) == 2, "a killed writer leaves its temporary file"
    assert await storage.get_bytes("victim/existing.bin") == b"previous"
    assert [item.key async for item in storage.list()] == ["victim/existing.bin"]

    report = await storage.remove_stale_files()
    assert report.temporary_files == 2
    assert report.folders == 2  # new/folder and new
    assert temp_files() == []
    assert sorted(os.listdir(root)) == ["victim"]
    assert await storage.get_bytes("victim/existing.bin") == b"previous"
    assert (await storage.remove_stale_files()).total == 0


async def test_cleanup_never_touches_a_live_write(
    storage: FileSystemStorage, temp_files: Callable[[], list[str]]
) -> None:
    release = asyncio.Event()

    async def slow() -> AsyncIterator[bytes]:
        for _ in range(3):
            yield b"L" * MIB
        await release.wait()
        yield b"end"

    task = asyncio.create_task(storage.put("live.bin", slow()))
    while not temp_files():
        await asyncio.sleep(0.01)
    report = await storage.remove_stale_files(older_than=timedelta(0))
    assert report.temporary_files == 0
    assert len(temp_files()) == 1
    release.set()
    stored = await task
    assert stored.size == 3 * MIB + 3
    assert await storage.get_bytes("live.bin", start=3 * MIB) == b"end"


async def test_cleanup_removes_abandoned_uploads_and_orphaned_sidecars(
    storage: FileSystemStorage, root: Path, internal_files: Callable[[], list[str]]
) -> None:
    await storage.put("kept.txt", b"x", metadata={"a": "1"})
    upload = await storage.start_multipart_upload("abandoned.bin")
    await storage.upload_part(upload, 1, b"part")
    orphan = root / ".lss~m.kept.txt.3-2"  # a sidecar of a version that no longer exists
    record = {"format": 2, "name": "kept.txt", "size": 3, "mtime_ns": 2, "content_type": "a/b", "metadata": {}}
    orphan.write_text(json.dumps(record))
    assert (await storage.remove_stale_files()).total == 0, "young leftovers are kept by default"
    report = await storage.remove_stale_files(older_than=timedelta(0))
    assert (report.multipart_uploads, report.orphaned_sidecars) == (1, 1)
    assert not orphan.exists()
    assert (await storage.info("kept.txt")).metadata == {"a": "1"}
    assert [p for p in internal_files() if not p.endswith("multipart")] == [
        str(p) for p in root.iterdir() if p.name.startswith(".lss~m.kept.txt.")
    ]
    with pytest.raises(StorageError):
        await storage.complete_multipart_upload(upload)


async def test_multipart_parts_are_staged_on_disk_and_survive_restarts(root: Path) -> None:
    first = FileSystemStorage(FileSystemConfig(path=root))
    upload = await first.start_multipart_upload("video.mp4", metadata={"title": "Holiday"})
    await first.upload_part(upload, 2, b"B" * 1000)
    await first.upload_part(upload, 1, b"A" * MIB)
    staged = sorted(p.name for p in (root / ".lss~multipart" / upload.upload_id).iterdir())
    assert staged == ["00001.part", "00002.part", "upload.json"]
    await first.close()

    # Another process (here: another instance) finishes the upload with the same state.
    second = FileSystemStorage(FileSystemConfig(path=root))
    resumed = MultipartUpload(upload_id=upload.upload_id, key="video.mp4", parts=list(upload.parts))
    await second.upload_part(resumed, 3, b"C")
    stored = await second.complete_multipart_upload(resumed)
    assert stored.size == MIB + 1001
    assert await second.get_bytes("video.mp4") == b"A" * MIB + b"B" * 1000 + b"C"
    info = await second.info("video.mp4")
    assert (info.content_type, info.metadata) == ("video/mp4", {"title": "Holiday"})
    assert list((root / ".lss~multipart").iterdir()) == []


async def test_multipart_part_replaced_and_checked(storage: FileSystemStorage) -> None:
    upload = await storage.start_multipart_upload("p.bin")
    await storage.upload_part(upload, 1, b"old")
    stale = list(upload.parts)
    await storage.upload_part(upload, 1, b"new")
    assert upload.completed_parts == 1
    with pytest.raises(StorageError, match="Part 1"):
        await storage.complete_multipart_upload(MultipartUpload(upload_id=upload.upload_id, key="p.bin", parts=stale))
    assert (await storage.complete_multipart_upload(upload)).size == 3
    assert await storage.get_bytes("p.bin") == b"new"


@pytest.mark.parametrize("upload_id", ["../../etc", "0" * 31, "Z" * 32, ".multipart\\"])
async def test_multipart_upload_id_cannot_name_a_path(storage: FileSystemStorage, upload_id: str) -> None:
    forged = MultipartUpload(upload_id=upload_id, key="x.bin")
    with pytest.raises(StorageValidationError):
        await storage.upload_part(forged, 1, b"x")
    forged.add_part(1, "forged-etag")  # a part on record: completing reaches the id itself
    with pytest.raises(StorageValidationError):
        await storage.complete_multipart_upload(forged)
    with pytest.raises(StorageValidationError):
        await storage.abort_multipart_upload(forged)


@pytest.mark.parametrize("part_number", [0, 10_001, -1, True])
async def test_multipart_part_number_range(storage: FileSystemStorage, part_number: int) -> None:
    upload = await storage.start_multipart_upload("x.bin")
    with pytest.raises(StorageValidationError):
        await storage.upload_part(upload, part_number, b"x")
