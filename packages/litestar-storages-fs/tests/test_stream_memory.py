"""Streams run in flat memory, whichever way chunks are read.

How many thread hops an operation takes is counted in benchmarks/mechanics.py.
"""

from __future__ import annotations

import asyncio
import tracemalloc
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Executor
from typing import Any

import pytest

from litestar_storages.backends.filesystem import FileSystemStorage, reads

MIB = 1024 * 1024


@pytest.mark.parametrize("nowait", ["probe", "threads"])
async def test_streams_run_in_flat_memory(
    storage: FileSystemStorage, monkeypatch: pytest.MonkeyPatch, nowait: str
) -> None:
    if nowait == "threads":  # every chunk read in a worker thread, as where the page cache cannot be probed
        monkeypatch.setattr(reads, "_NOWAIT", None)
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
