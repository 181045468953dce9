"""Cancelling a put or a get at any point leaves nothing behind, and the storage works on.

After each cancellation: the key holds its previous content (or nothing) or the complete
new content, never part of it; no temporary file or open multipart upload remains; the
same storage instance keeps working; and, for the clouds, ``close()`` leaves no
connection open (the fault proxy counts them).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
from storages_harness.backends import NETWORK_IDS, Backend
from storages_harness.checks import assert_no_leftovers, pattern, read_or_none, stream, through_proxy
from storages_harness.proxy import stall

MIB = 1024 * 1024
LARGE = 6 * MIB + 4321
"""Above every backend's multipart/block/resumable threshold in the suite's configs."""
CHUNK = 64 * 1024
OLD = b"the previous version"


async def _source(data: bytes, cancel_at: int) -> AsyncIterator[bytes]:
    """Yield ``data``; cancel the consuming task once ``cancel_at`` bytes have gone out."""
    task = asyncio.current_task()
    assert task is not None
    sent = 0
    for offset in range(0, len(data), CHUNK):
        if sent >= cancel_at:
            task.cancel()
        piece = data[offset : offset + CHUNK]
        yield piece
        sent += len(piece)
        await asyncio.sleep(0)
    if sent >= cancel_at:
        task.cancel()  # the source is exhausted: cancellation hits the commit step


@pytest.mark.parametrize("previous", ["absent", "present"])
@pytest.mark.parametrize("point", ["first-chunk", "half", "after-last-chunk"])
async def test_cancel_put_at_source_points(backend: Backend, point: str, previous: str) -> None:
    data = pattern(LARGE, salt=3)
    cancel_at = {"first-chunk": 0, "half": LARGE // 2, "after-last-chunk": LARGE}[point]
    async with through_proxy(backend) as setup:
        storage = setup.storage
        if previous == "present":
            await storage.put("target.bin", OLD)
        task = asyncio.ensure_future(storage.put("target.bin", _source(data, cancel_at)))
        with contextlib.suppress(asyncio.CancelledError):
            await task
        assert task.cancelled(), "put() swallowed the cancellation"
        content = await read_or_none(storage, "target.bin")
        allowed = {None if previous == "absent" else OLD, data}
        assert content in allowed, f"torn object after cancel at {point}: {len(content or b'')} bytes"
        if setup.proxy is not None and content != data:
            await asyncio.sleep(0.1)  # a shielded clean-up request may still be on its way
            assert backend.abandoned_sessions(setup.proxy.requests) == [], "upload sessions left open"
        await assert_no_leftovers(backend, setup.namespace)
        # The same instance (and its connection pool) keeps working.
        await storage.put("after.bin", b"still works")
        assert await storage.get_bytes("after.bin") == b"still works"


@pytest.mark.backends("memory", "filesystem")
async def test_cancel_put_at_timed_points(backend: Backend) -> None:
    # Local backends: cancel after a delay, wherever the write (or its worker thread) is.
    data = pattern(LARGE, salt=5)
    async with through_proxy(backend) as setup:
        storage = setup.storage
        for index, delay in enumerate((0, 0.001, 0.005, 0.02, 0.05, 0.1, 0.2, 0.4)):
            key = f"timed/{index}.bin"
            await storage.put(key, OLD)
            task = asyncio.ensure_future(storage.put(key, _source(data, LARGE + 1)))
            await asyncio.sleep(delay)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            content = await read_or_none(storage, key)
            assert content in {OLD, data}, f"torn object after a cancel at {delay}s: {len(content or b'')} bytes"
            await assert_no_leftovers(backend, setup.namespace)
        assert len([item async for item in storage.list("timed/")]) == 8


@pytest.mark.backends(*NETWORK_IDS)
async def test_cancel_put_while_each_request_is_in_flight(backend: Backend) -> None:
    """Cancel a large put while its n-th request awaits its answer, for n across the upload.

    The service has handled the request (created the multipart upload, stored the part,
    committed the blocks...) but the proxy holds its answer back when the caller
    cancels: each step of the upload protocol is a point where cancellation can land.
    """
    data = pattern(LARGE, salt=9)
    async with through_proxy(backend) as setup:
        assert setup.proxy is not None
        await setup.storage.put("probe.bin", stream(data))
        count = len(setup.proxy.requests)
        points = sorted({0, 1, 2, count // 2, count - 2, count - 1} & set(range(count)))
        problems: list[str] = []
        for n in points:
            key = f"each/{n}.bin"
            await setup.storage.put(key, OLD)
            setup.proxy.clear()
            setup.proxy.add(stall(0, skip=n))
            task = asyncio.ensure_future(setup.storage.put(key, stream(data)))
            for _ in range(1000):
                if len(setup.proxy.requests) > n or task.done():
                    break
                await asyncio.sleep(0.01)
            held = setup.proxy.requests[n] if len(setup.proxy.requests) > n else None
            await asyncio.sleep(0.2)  # the service has handled it; only its answer is held back
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await asyncio.sleep(0.1)  # a shielded clean-up request may still be on its way
            requests = list(setup.proxy.requests)
            setup.proxy.clear()
            where = f"request {n + 1} of {count}" + (f" ({held.method} {held.target[:80]})" if held else "")
            content = await read_or_none(setup.storage, key)
            if content not in {OLD, data}:
                problems.append(f"torn object after a cancel during {where}")
            if content != data and backend.abandoned_sessions(requests):
                problems.append(f"cancel during {where} left upload sessions open")
            leftovers = await backend.leftovers(setup.namespace)
            if leftovers:
                problems.append(f"cancel during {where} left {leftovers}")
                await backend.purge(setup.namespace)
        # Every point is tried before failing, so the report names all of them.
        assert problems == []


async def test_cancelled_and_abandoned_downloads_do_not_exhaust_the_pool(backend: Backend) -> None:
    data = pattern(LARGE, salt=7)
    async with through_proxy(backend) as setup:
        storage = setup.storage
        await storage.put("big.bin", data)

        async def read_then_cancel(after: int) -> None:
            task = asyncio.current_task()
            assert task is not None
            received = 0
            async for chunk in storage.get("big.bin"):
                received += len(chunk)
                if received >= after:
                    task.cancel()
                    await asyncio.sleep(0)

        # More cancelled downloads than any backend's pool holds connections.
        for round_ in range(24):
            task = asyncio.ensure_future(read_then_cancel(after=1 + round_ * 100_000))
            with contextlib.suppress(asyncio.CancelledError):
                await task
            assert task.cancelled()
        # Downloads abandoned part-way (the generator closed by the caller).
        for _ in range(12):
            async with contextlib.aclosing(storage.get("big.bin")) as chunks:  # type: ignore[type-var]
                async for _chunk in chunks:
                    break
        # Cancelled before the first byte arrived.
        for delay in (0, 0.001, 0.003):
            whole = asyncio.ensure_future(storage.get_bytes("big.bin"))
            await asyncio.sleep(delay)
            whole.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await whole

        results = await asyncio.wait_for(
            asyncio.gather(*(storage.get_bytes("big.bin", start=i * 1000, end=i * 1000 + 5000) for i in range(16))),
            timeout=60,
        )
        assert results == [data[i * 1000 : i * 1000 + 5000] for i in range(16)]
        assert await storage.get_bytes("big.bin") == data
