"""Streamed reads of cached data run on the event loop without holding it; other reads go to threads.

The tests check the bytes and that other tasks keep running; the thread hops each path
takes are counted in benchmarks/mechanics.py.
"""

from __future__ import annotations

import asyncio
import ctypes
import errno
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from litestar_storages.backends.filesystem import FileSystemConfig, FileSystemStorage, cachestat, reads

MIB = 1024 * 1024


def _content(size: int) -> bytes:
    return (bytes(range(256)) * (size // 256 + 1))[:size]


async def test_cached_file_streams_whole_chunks(storage: FileSystemStorage) -> None:
    data = _content(8 * MIB + 1000)
    await storage.put("cached.bin", data)  # just written: in the page cache
    chunks = [chunk async for chunk in storage.get("cached.bin")]
    assert [len(chunk) for chunk in chunks] == [MIB] * 8 + [1000]
    assert all(type(chunk) is bytes for chunk in chunks)
    assert b"".join(chunks) == data


async def test_ranged_cached_read(storage: FileSystemStorage) -> None:
    data = _content(4 * MIB)
    await storage.put("ranged.bin", data)
    chunks = [chunk async for chunk in storage.get("ranged.bin", start=MIB // 2 + 3, end=3 * MIB + 7)]
    assert b"".join(chunks) == data[MIB // 2 + 3 : 3 * MIB + 7]
    assert [len(chunk) for chunk in chunks[:-1]] == [MIB] * (len(chunks) - 1)


async def test_reads_on_the_loop_let_other_tasks_run(
    storage: FileSystemStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reads, "_LOOP_SLICE", 0.0)  # a turn after every chunk, whatever the speed
    await storage.put("turns.bin", _content(16 * MIB))
    turns = 0
    done = False

    async def ticker() -> None:
        nonlocal turns
        while not done:
            turns += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    start = turns
    received = 0
    async for chunk in storage.get("turns.bin"):  # the consumer itself never awaits
        received += len(chunk)
    done = True
    await task
    assert received == 16 * MIB
    assert turns - start >= 15  # the other task ran between the chunks


async def test_uncached_pages_read_in_a_thread_give_the_same_bytes(
    storage: FileSystemStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _content(6 * MIB)
    await storage.put("evicted.bin", data)
    answers: Iterator[bool] = iter([True, True, True, False])  # then True forever

    def state(fd: int, offset: int, size: int) -> bool | None:
        return next(answers, True)

    monkeypatch.setattr(reads, "page_cache_state", state)
    chunks = [chunk async for chunk in storage.get("evicted.bin")]
    assert b"".join(chunks) == data
    assert {len(chunk) for chunk in chunks} == {MIB}


async def test_unsupported_probe_falls_back_to_threads(
    storage: FileSystemStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _content(4 * MIB)
    await storage.put("plain.bin", data)

    def unsupported(*args: Any) -> int:
        raise OSError(errno.EOPNOTSUPP, "Operation not supported")

    monkeypatch.setattr(reads, "_CACHESTAT", None)  # a kernel without cachestat: the probes answer
    monkeypatch.setattr(reads, "_NOWAIT", 8)  # as if the platform had the flag
    monkeypatch.setattr(os, "preadv", unsupported)
    chunks = [chunk async for chunk in storage.get("plain.bin")]
    assert b"".join(chunks) == data
    assert [len(chunk) for chunk in chunks] == [MIB] * 4


def test_probe_answers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "f.bin"
    path.write_bytes(b"x" * (MIB + 5))
    fd = os.open(path, os.O_RDONLY)
    try:
        probed: list[int] = []

        def blocking(descriptor: int, buffers: list[bytearray], offset: int, flags: int) -> int:
            probed.append(offset)
            if offset >= 512 * 1024:
                raise BlockingIOError(errno.EAGAIN, "would block")
            return 1

        monkeypatch.setattr(reads, "_CACHESTAT", None)  # a kernel without cachestat: the probes answer
        monkeypatch.setattr(reads, "_NOWAIT", 8)
        monkeypatch.setattr(os, "preadv", blocking)
        assert reads.page_cache_state(fd, 0, MIB) is False
        assert probed == [0, 128 * 1024, 256 * 1024, 384 * 1024, 512 * 1024]  # one probe per stride
        probed.clear()
        assert reads.page_cache_state(fd, 0, 300 * 1024) is True
        assert probed == [0, 128 * 1024, 256 * 1024, 300 * 1024 - 1]  # and the last byte
        monkeypatch.setattr(os, "preadv", lambda *args: 0)  # at or past the end: the file shrank
        assert reads.page_cache_state(fd, 0, MIB) is False
        monkeypatch.setattr(reads, "_NOWAIT", None)  # no RWF_NOWAIT on this platform
        assert reads.page_cache_state(fd, 0, MIB) is None
    finally:
        os.close(fd)


def test_cachestat_counts_the_cached_pages_of_a_range(tmp_path: Path) -> None:
    path = tmp_path / "f.bin"
    path.write_bytes(_content(MIB + 5))
    fd = os.open(path, os.O_RDONLY)
    counter = cachestat.cache_counter()
    assert counter is not None  # Linux: the suite's platform
    try:
        answer = counter(fd, 0, MIB + 5)
        if answer is None:
            # A kernel before 6.5: refused once, never asked again; the probes answer.
            assert counter.available is False
            assert reads.page_cache_state(fd, 0, MIB) is True
            return
        assert answer is True  # just written: cached, the partial last page too
        assert counter(fd, 100, 10) is True
        os.fsync(fd)  # written back, so the kernel may drop the pages
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        assert counter(fd, 0, MIB + 5) is False
        os.pread(fd, 4096, MIB // 2)  # one page back in the cache
        assert counter(fd, MIB // 2, 4096) is True
        assert counter(fd, MIB // 2, 8192) is False
        assert reads.page_cache_state(fd, 0, MIB) is False
        assert reads.page_cache_state(fd, MIB // 2, 4096) is True
    finally:
        os.close(fd)
    assert counter(fd, 0, 1) is False  # a closed descriptor: let the read report it


def test_cachestat_refused_by_a_sandbox_falls_back_to_the_probes(tmp_path: Path) -> None:
    def refused(*args: Any) -> int:
        ctypes.set_errno(errno.EPERM)
        return -1

    counter = cachestat.CacheCounter(refused)
    assert counter(0, 0, 1) is None
    assert counter.available is False  # asked once, not on every chunk


async def test_large_chunks_read_whole(root: Path) -> None:
    storage = FileSystemStorage(FileSystemConfig(path=root, chunk_size=8 * MIB))
    await storage.put("big.bin", _content(24 * MIB))
    chunks = [chunk async for chunk in storage.get("big.bin")]
    assert [len(chunk) for chunk in chunks] == [8 * MIB] * 3
    assert b"".join(chunks) == _content(24 * MIB)
