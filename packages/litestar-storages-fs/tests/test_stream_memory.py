"""Streams run in flat memory, whichever way chunks are read.

How many thread hops an operation takes is counted in benchmarks/mechanics.py.
"""

from __future__ import annotations

import sys
import tracemalloc
from collections.abc import AsyncIterator

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


async def test_written_chunks_are_released_while_the_stream_goes_on(storage: FileSystemStorage) -> None:
    # A chunk still referenced after its write (by an executor work item, a batch list)
    # outlives it, so the next chunks are allocated while it lives and glibc grows, trims
    # and re-faults the heap (25,000 page faults per 512 MiB). By the time the producer is
    # asked for chunk n + 3 (the engine holds one chunk ahead, the write queue one, one is
    # being written), chunk n must be written and referenced by nobody but us.
    made: list[bytes] = []
    still_held: list[int] = []

    async def produce() -> AsyncIterator[bytes]:
        for index in range(12):
            if index >= 3:
                # 2 references: the list's and getrefcount's argument.
                still_held.append(sys.getrefcount(made[index - 3]) - 2)
            made.append(bytes([index]) * MIB)
            yield made[-1]

    await storage.put("released.bin", produce())
    assert still_held == [0] * 9
    assert await storage.get_bytes("released.bin") == b"".join(made)
