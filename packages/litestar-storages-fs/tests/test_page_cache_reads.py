"""Streamed reads of cached data run on the event loop; everything else still goes to threads."""

from __future__ import annotations

import asyncio
import errno
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from litestar_storages.backends.filesystem import FileSystemConfig, FileSystemStorage, reads

MIB = 1024 * 1024


@contextmanager
def count_hops() -> Iterator[list[str]]:
    """Record the name of every function the event loop hands to a worker thread."""
    loop = asyncio.get_running_loop()
    original = loop.run_in_executor
    calls: list[str] = []

    def counting(executor: Executor | None, func: Callable[..., Any], *args: Any) -> asyncio.Future[Any]:
        target = getattr(func, "func", func)  # functools.partial
        calls.append(getattr(target, "__name__", repr(target)))
        return original(executor, func, *args)

    loop.run_in_executor = counting  # type: ignore[method-assign,assignment]
    try:
        yield calls
    finally:
        loop.run_in_executor = original  # type: ignore[method-assign]


def _content(size: int) -> bytes:
    return (bytes(range(256)) * (size // 256 + 1))[:size]


@pytest.fixture
def probes(root: Path) -> bool:
    """Whether this platform and filesystem can probe the page cache (Linux: yes).

    Where they cannot (macOS has no ``RWF_NOWAIT``), every chunk after the first is read
    in a worker thread, and the tests below assert that instead.
    """
    root.mkdir(parents=True, exist_ok=True)
    probe = root / "probe.bin"
    probe.write_bytes(b"p" * 8192)
    fd = os.open(probe, os.O_RDONLY)
    try:
        state = reads.page_cache_state(fd, 0, 8192)
    finally:
        os.close(fd)
        probe.unlink()
    return state is not None


async def test_cached_file_streams_without_thread_hops(storage: FileSystemStorage, probes: bool) -> None:
    data = _content(8 * MIB + 1000)
    await storage.put("cached.bin", data)  # just written: in the page cache
    with count_hops() as hops:
        chunks = [chunk async for chunk in storage.get("cached.bin")]
    if probes:
        assert hops == ["open_range_sync"]  # only the open, which resolves the key safely
    else:
        assert hops[0] == "open_range_sync"
        assert set(hops[1:]) == {"read_chunks_sync"}
    assert [len(chunk) for chunk in chunks] == [MIB] * 8 + [1000]
    assert all(type(chunk) is bytes for chunk in chunks)
    assert b"".join(chunks) == data


async def test_ranged_cached_read(storage: FileSystemStorage, probes: bool) -> None:
    data = _content(4 * MIB)
    await storage.put("ranged.bin", data)
    with count_hops() as hops:
        chunks = [chunk async for chunk in storage.get("ranged.bin", start=MIB // 2 + 3, end=3 * MIB + 7)]
    assert len(hops) == 1 if probes else len(hops) > 1
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


async def test_uncached_pages_go_to_a_thread(storage: FileSystemStorage, monkeypatch: pytest.MonkeyPatch) -> None:
    data = _content(6 * MIB)
    await storage.put("evicted.bin", data)
    answers: Iterator[bool] = iter([True, True, True, False])  # then True forever

    def state(fd: int, offset: int, size: int) -> bool | None:
        return next(answers, True)

    monkeypatch.setattr(reads, "page_cache_state", state)
    with count_hops() as hops:
        chunks = [chunk async for chunk in storage.get("evicted.bin")]
    assert b"".join(chunks) == data
    assert {len(chunk) for chunk in chunks} == {MIB}
    assert hops == ["open_range_sync", "read_chunks_sync"]  # the uncached chunk only


async def test_unsupported_probe_falls_back_to_threads(
    storage: FileSystemStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _content(4 * MIB)
    await storage.put("plain.bin", data)
    calls = 0

    def unsupported(*args: Any) -> int:
        nonlocal calls
        calls += 1
        raise OSError(errno.EOPNOTSUPP, "Operation not supported")

    monkeypatch.setattr(reads, "_NOWAIT", 8)  # as if the platform had the flag
    monkeypatch.setattr(os, "preadv", unsupported)
    with count_hops() as hops:
        chunks = [chunk async for chunk in storage.get("plain.bin")]
    assert b"".join(chunks) == data
    assert calls == 1  # asked once per stream, then straight to threads
    assert len(hops) == 4


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


async def test_large_chunks_stay_in_threads(root: Path) -> None:
    storage = FileSystemStorage(FileSystemConfig(path=root, chunk_size=8 * MIB))
    await storage.put("big.bin", _content(24 * MIB))
    with count_hops() as hops:
        received = sum([len(chunk) async for chunk in storage.get("big.bin")])
    assert received == 24 * MIB
    assert len(hops) == 3  # larger than reads._LOOP_CHUNK_MAX: never held on the loop
