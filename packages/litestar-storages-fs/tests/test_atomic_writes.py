"""Writes are all or nothing: interrupted, cancelled and concurrent writers never tear a file."""

from __future__ import annotations

import asyncio
import errno
import os
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from pathlib import Path

import pytest

from litestar_storages.backends.filesystem import FileSystemConfig, FileSystemStorage
from litestar_storages.exceptions import StorageError, StorageFileExistsError

MIB = 1024 * 1024


class Boom(Exception):
    pass


async def _stream(data: bytes, chunk: int, *, fail_after: int | None = None) -> AsyncIterator[bytes]:
    for index, start in enumerate(range(0, len(data), chunk)):
        if fail_after is not None and index == fail_after:
            raise Boom("producer failed")
        yield data[start : start + chunk]
        await asyncio.sleep(0)


@pytest.mark.parametrize("fail_after", [0, 1, 5])
@pytest.mark.parametrize("existing", [False, True])
async def test_interrupted_stream_leaves_previous_version_and_no_temp_file(
    storage: FileSystemStorage, root: Path, fail_after: int, existing: bool, temp_files: Callable[[], list[str]]
) -> None:
    if existing:
        await storage.put("doc.bin", b"previous", metadata={"v": "1"}, content_type="text/plain")
    with pytest.raises(Boom):
        await storage.put("doc.bin", _stream(os.urandom(3 * MIB), MIB // 2, fail_after=fail_after), metadata={"v": "2"})
    if existing:
        assert await storage.get_bytes("doc.bin") == b"previous"
        info = await storage.info("doc.bin")
        assert (info.metadata, info.content_type) == ({"v": "1"}, "text/plain")
    else:
        assert not await storage.exists("doc.bin")
    assert temp_files() == []


async def test_cancelled_put_leaves_previous_version_and_no_temp_file(
    storage: FileSystemStorage, root: Path, temp_files: Callable[[], list[str]]
) -> None:
    await storage.put("doc.bin", b"previous")
    started = asyncio.Event()

    async def endless() -> AsyncIterator[bytes]:
        block = b"x" * MIB
        for _ in range(4):
            yield block
        started.set()
        while True:
            yield block
            await asyncio.sleep(0.001)

    task = asyncio.create_task(storage.put("doc.bin", endless()))
    await started.wait()
    await asyncio.sleep(0.05)
    assert len(temp_files()) == 1, "the stream should be going to a temporary file"
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    for _ in range(100):  # the chunk being written when cancelled finishes in its thread first
        if not temp_files():
            break
        await asyncio.sleep(0.01)
    assert temp_files() == []
    assert await storage.get_bytes("doc.bin") == b"previous"


async def test_fifty_concurrent_writers_to_one_key_never_tear(
    storage: FileSystemStorage, root: Path, temp_files: Callable[[], list[str]]
) -> None:
    # Mixed sizes: some writers take the one-hop path, others stream through temporary files.
    def payload(index: int) -> bytes:
        return bytes([index]) * (index * 97_003 % (3 * MIB) + 1)

    async def writer(index: int) -> None:
        data = payload(index)
        source = data if index % 2 else _stream(data, 256 * 1024)
        await storage.put("contended.bin", source, metadata={"writer": str(index)}, content_type=f"x-test/w{index}")

    await asyncio.gather(*(writer(i) for i in range(50)))
    final = await storage.get_bytes("contended.bin")
    winner = final[0]
    assert final == payload(winner), "the file mixes bytes of several writers"
    info = await storage.info("contended.bin")
    assert info.size == len(final)
    # Metadata is that of the writer whose content won, never another's.
    assert info.metadata in ({"writer": str(winner)}, {})
    assert info.content_type in (f"x-test/w{winner}", "application/octet-stream")
    assert temp_files() == []
    assert [item.key async for item in storage.list()] == ["contended.bin"]


async def test_concurrent_metadata_always_matches_content(storage: FileSystemStorage) -> None:
    # Sidecars are tied to one file version, so a reader never sees writer A's bytes with B's metadata.
    async def writer(index: int) -> None:
        await storage.put("tagged.txt", str(index).encode(), metadata={"writer": str(index)})

    for _ in range(5):
        await asyncio.gather(*(writer(i) for i in range(20)))
        info = await storage.info("tagged.txt")
        content = await storage.get_bytes("tagged.txt")
        assert info.metadata in ({"writer": content.decode()}, {})


async def test_fifty_concurrent_exclusive_creates_have_one_winner(
    storage: FileSystemStorage, root: Path, temp_files: Callable[[], list[str]], internal_files: Callable[[], list[str]]
) -> None:
    async def attempt(index: int) -> int | None:
        source = f"writer-{index}".encode() if index % 2 else _stream(f"writer-{index}".encode() * 50_000, 65536)
        try:
            await storage.put("once.txt", source, overwrite=False, metadata={"writer": str(index)})
        except StorageFileExistsError:
            return None
        return index

    winners = [r for r in await asyncio.gather(*(attempt(i) for i in range(50))) if r is not None]
    assert len(winners) == 1
    data = await storage.get_bytes("once.txt")
    expected = f"writer-{winners[0]}".encode()
    assert data == (expected if winners[0] % 2 else expected * 50_000)
    assert (await storage.info("once.txt")).metadata == {"writer": str(winners[0])}
    assert temp_files() == []
    assert len([p for p in internal_files() if os.path.basename(p).startswith(".lss~m.")]) == 1


async def test_exclusive_create_fails_before_consuming_a_large_stream(storage: FileSystemStorage) -> None:
    await storage.put("taken.bin", b"original")
    consumed = 0

    async def counting() -> AsyncIterator[bytes]:
        nonlocal consumed
        for _ in range(64):
            consumed += 1
            yield b"y" * MIB

    with pytest.raises(StorageFileExistsError):
        await storage.put("taken.bin", counting(), overwrite=False)
    assert consumed <= 2
    assert await storage.get_bytes("taken.bin") == b"original"


async def test_reader_keeps_the_version_it_opened(storage: FileSystemStorage) -> None:
    await storage.put("versioned.bin", b"a" * (3 * MIB))
    chunks = storage.get("versioned.bin")
    first = await anext(chunks)
    await storage.put("versioned.bin", b"b" * (3 * MIB))
    rest = b"".join([chunk async for chunk in chunks])
    assert first + rest == b"a" * (3 * MIB)
    assert await storage.get_bytes("versioned.bin") == b"b" * (3 * MIB)


async def test_abandoned_reader_closes_its_file(storage: FileSystemStorage) -> None:
    await storage.put("big.bin", b"z" * (4 * MIB))
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(20):
        chunks = storage.get("big.bin")
        assert isinstance(chunks, AsyncGenerator)
        await anext(chunks)
        await chunks.aclose()
    await asyncio.sleep(0.05)
    assert len(os.listdir("/proc/self/fd")) <= before


async def test_permissions_and_fsync(root: Path) -> None:
    storage = FileSystemStorage(FileSystemConfig(path=root, permissions=0o600, fsync=True))
    await storage.put("private.txt", b"x", metadata={"a": "b"})
    await storage.put("streamed.bin", _stream(b"s" * (2 * MIB), MIB // 4))
    assert os.stat(root / "private.txt").st_mode & 0o777 == 0o600
    assert os.stat(root / "streamed.bin").st_mode & 0o777 == 0o600
    assert await storage.get_bytes("streamed.bin") == b"s" * (2 * MIB)


async def test_empty_parent_folders_are_removed_up_to_the_root(storage: FileSystemStorage, root: Path) -> None:
    await storage.put("a/b/c/deep.txt", b"x", metadata={"m": "1"})
    await storage.put("a/keep.txt", b"x")
    await storage.delete("a/b/c/deep.txt")
    assert not (root / "a" / "b").exists()
    assert (root / "a").is_dir()
    await storage.move("a/keep.txt", "z/y/moved.txt")
    assert sorted(os.listdir(root)) == ["z"]
    await storage.delete_many(["z/y/moved.txt"])
    assert root.is_dir()
    assert os.listdir(root) == []


@pytest.mark.parametrize("chunk", [MIB, 64 * 1024])
async def test_failing_disk_write_midway_raises_and_leaves_previous_version(
    storage: FileSystemStorage, temp_files: Callable[[], list[str]], chunk: int
) -> None:
    # A real write error in the worker thread (EFBIG past RLIMIT_FSIZE, as a full disk
    # would give ENOSPC) while later chunks are still queued: it must reach the caller
    # as a storage error, and nothing of the new version may stay.
    import resource
    import signal

    await storage.put("doc.bin", b"previous")
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (3 * MIB, hard))
    try:
        with pytest.raises(StorageError) as caught:
            await storage.put("doc.bin", _stream(os.urandom(12 * MIB), chunk))
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous_handler)
    assert isinstance(caught.value.__cause__, OSError)
    assert caught.value.__cause__.errno == errno.EFBIG
    assert await storage.get_bytes("doc.bin") == b"previous"
    assert temp_files() == []
