"""Blocking work is batched into few thread hops, and streams run in flat memory."""

from __future__ import annotations

import asyncio
import tracemalloc
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from litestar_storages.backends.filesystem import FileSystemConfig, FileSystemStorage, reads

MIB = 1024 * 1024


@pytest.fixture
def thread_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Read every chunk in worker threads, as where the page cache cannot be probed."""
    monkeypatch.setattr(reads, "_NOWAIT", None)


@contextmanager
def count_hops() -> Iterator[list[str]]:
    """Record every function the event loop hands to a worker thread."""
    loop = asyncio.get_running_loop()
    original = loop.run_in_executor
    calls: list[str] = []

    def counting(executor: Executor | None, func: Callable[..., Any], *args: Any) -> asyncio.Future[Any]:
        target = getattr(func, "func", func)  # functools.partial, context.run wrappers
        calls.append(getattr(target, "__name__", repr(target)))
        return original(executor, func, *args)

    loop.run_in_executor = counting  # type: ignore[method-assign,assignment]
    try:
        yield calls
    finally:
        loop.run_in_executor = original  # type: ignore[method-assign]


async def _small_stream() -> AsyncIterator[bytes]:
    yield b"a" * 512
    yield b"b" * 512


@pytest.mark.parametrize(
    ("operation", "max_hops"),
    [("put-bytes", 1), ("put-stream", 1), ("put-metadata", 1), ("get", 1), ("info", 1), ("exists", 1), ("delete", 1)],
)
async def test_small_operations_take_one_thread_hop(storage: FileSystemStorage, operation: str, max_hops: int) -> None:
    await storage.put("warm.txt", b"x")  # the root is resolved once, on first use
    await storage.put("existing.bin", b"k" * 1024)
    with count_hops() as hops:
        if operation == "put-bytes":
            await storage.put("small.bin", b"k" * 1024)
        elif operation == "put-stream":
            await storage.put("small.bin", _small_stream())
        elif operation == "put-metadata":
            await storage.put("small.bin", b"k", metadata={"a": "b"}, content_type="x/y", overwrite=False)
        elif operation == "get":
            assert await storage.get_bytes("existing.bin") == b"k" * 1024
        elif operation == "info":
            await storage.info("existing.bin")
        elif operation == "exists":
            await storage.exists("existing.bin")
        else:
            await storage.delete("existing.bin")
    assert len(hops) <= max_hops, hops


@pytest.mark.usefixtures("thread_reads")
async def test_large_transfers_take_one_hop_per_megabyte(storage: FileSystemStorage) -> None:
    async def stream() -> AsyncIterator[bytes]:
        for _ in range(8):
            yield b"L" * MIB

    with count_hops() as hops:
        await storage.put("large.bin", stream())
    assert len(hops) <= 9  # open + first chunk, at most one hop per further chunk, commit
    with count_hops() as hops:
        assert len(await storage.get_bytes("large.bin")) == 8 * MIB
    assert len(hops) == 8


@pytest.mark.usefixtures("thread_reads")
async def test_small_chunks_are_batched_per_hop(root: Path) -> None:
    storage = FileSystemStorage(FileSystemConfig(path=root, chunk_size=64 * 1024))

    async def stream() -> AsyncIterator[bytes]:
        for _ in range(256):  # 16 MiB in 64 KiB chunks, faster than the disk
            yield b"c" * (64 * 1024)

    with count_hops() as hops:
        await storage.put("chunky.bin", stream())
    assert len(hops) < 256
    with count_hops() as hops:
        chunks = [chunk async for chunk in storage.get("chunky.bin")]
    assert {len(chunk) for chunk in chunks} == {64 * 1024}
    assert len(chunks) == 256
    assert len(hops) < 64, len(hops)  # read-ahead grows to 1 MiB (16 chunks) per hop


@pytest.mark.usefixtures("thread_reads")
async def test_slow_consumers_and_producers_keep_one_chunk_per_hop(storage: FileSystemStorage) -> None:
    async def slow_stream() -> AsyncIterator[bytes]:
        for _ in range(6):
            await asyncio.sleep(0.02)  # a network upload: the disk is idle between chunks
            yield b"S" * MIB

    with count_hops() as hops:
        await storage.put("slow.bin", slow_stream())
    assert len(hops) == 7  # open + first chunk, one per further chunk, commit
    with count_hops() as hops:
        async for _ in storage.get("slow.bin"):
            await asyncio.sleep(0.02)  # a slow client: read-ahead stays at one chunk
    assert len(hops) == 6


async def test_listing_batches_thread_hops(storage: FileSystemStorage) -> None:
    await storage.delete_many([])
    for index in range(300):
        await storage.put(f"many/{index:04d}.txt", b"x")
    with count_hops() as hops:
        assert len([item async for item in storage.list()]) == 300
    assert len(hops) == 3  # 128 + 128 + 44
    with count_hops() as hops:
        await storage.delete_many([f"many/{index:04d}.txt" for index in range(300)])
    assert len(hops) == 1


async def test_streams_run_in_flat_memory(storage: FileSystemStorage) -> None:
    total = 96 * MIB

    async def produce() -> AsyncIterator[bytes]:
        block = b"m" * MIB
        for _ in range(total // MIB):
            yield block

    tracemalloc.start()
    try:
        await storage.put("flat.bin", produce())
        _, put_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        received = 0
        async for chunk in storage.get("flat.bin"):
            received += len(chunk)
        _, get_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert received == total
    assert put_peak < 8 * MIB, f"put peaked at {put_peak / MIB:.1f} MiB"
    assert get_peak < 8 * MIB, f"get peaked at {get_peak / MIB:.1f} MiB"


async def test_written_chunks_are_released_before_the_write_completes(storage: FileSystemStorage) -> None:
    # The executor keeps a call's arguments until after the caller is told it is done; a
    # chunk still referenced there outlives its write, so the next chunk is allocated while
    # it lives and glibc grows, trims and re-faults the heap (25,000 page faults per 512 MiB).
    loop = asyncio.get_running_loop()
    original = loop.run_in_executor
    handed: list[list[bytes]] = []
    left_when_done: list[int] = []

    def recording(executor: Executor | None, func: Callable[..., Any], *args: Any) -> asyncio.Future[Any]:
        future = original(executor, func, *args)
        batches = [arg for arg in args if isinstance(arg, list)]
        if batches:
            handed.extend(batches)
            future.add_done_callback(lambda _: left_when_done.append(len(batches[0])))
        return future

    async def produce() -> AsyncIterator[bytes]:
        for index in range(8):
            yield bytes([index]) * MIB

    loop.run_in_executor = recording  # type: ignore[method-assign,assignment]
    try:
        await storage.put("released.bin", produce())
    finally:
        loop.run_in_executor = original  # type: ignore[method-assign]
    assert len(handed) >= 6  # every chunk after the first went through a batch
    assert left_when_done == [0] * len(handed)
    assert (await storage.info("released.bin")).size == 8 * MIB
