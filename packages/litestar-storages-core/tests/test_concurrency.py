"""run_all and run_parts: bounded concurrency, nothing left running when they return or raise."""

from __future__ import annotations

import asyncio

import pytest

from litestar_storages.concurrency import run_all, run_parts
from litestar_storages.error_mapping import ErrorMapper
from litestar_storages.exceptions import StorageError, StoragePermissionError


async def test_bounded_and_complete() -> None:
    running = peak = 0
    done: list[int] = []

    async def operation(item: int) -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0)
        running -= 1
        done.append(item)

    await run_all(operation, range(20), limit=3)
    assert sorted(done) == list(range(20))
    assert peak == 3


async def test_first_error_raised_after_all_ended() -> None:
    done: list[int] = []

    async def operation(item: int) -> None:
        await asyncio.sleep(0)
        if item in (2, 5):
            raise ValueError(item)
        done.append(item)

    with pytest.raises(ValueError, match="2"):
        await run_all(operation, range(8), limit=2)
    assert sorted(done) == [0, 1, 3, 4, 6, 7]


async def test_errors_name_their_item_and_others_propagate() -> None:
    class SDKError(Exception):
        pass

    def translate(error: Exception, key: str | None) -> StorageError:
        return StoragePermissionError(f"denied: {error}", key=key)

    errors = ErrorMapper(translate, backend="Test", owns=(SDKError,))

    async def operation(item: str) -> None:
        await asyncio.sleep(0)
        if item == "b":
            raise SDKError(item)

    with pytest.raises(StoragePermissionError) as caught:
        await run_all(operation, ["a", "b", "c"], limit=2, errors=errors)
    assert caught.value.key == "b"
    assert isinstance(caught.value.__cause__, SDKError)

    async def buggy(item: str) -> None:
        raise KeyError(item)  # not the SDK's: a bug stays itself

    with pytest.raises(KeyError):
        await run_all(buggy, ["a"], limit=1, errors=errors)


async def test_run_parts_returns_results_in_item_order_within_the_bound() -> None:
    running = peak = 0

    async def operation(item: int) -> int:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.001 * (item % 3))  # finish out of order
        running -= 1
        return item * 10

    assert await run_parts(operation, range(12), limit=4) == [item * 10 for item in range(12)]
    assert peak == 4


async def test_run_parts_first_failure_cancels_the_rest_before_raising() -> None:
    started: list[int] = []
    cancelled: list[int] = []

    async def operation(item: int) -> int:
        started.append(item)
        if item == 1:
            raise ValueError("part 1 refused")
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.append(item)
            raise
        return item

    with pytest.raises(ValueError, match="part 1 refused"):
        await run_parts(operation, range(6), limit=3)
    assert sorted(cancelled) == sorted(set(started) - {1})  # every part in flight was cancelled, none finished
    assert 5 not in started  # the bound held: parts waiting for a slot never started


async def test_run_parts_cancelled_caller_cancels_every_part() -> None:
    cancelled: list[int] = []
    started = asyncio.Event()

    async def operation(item: int) -> int:
        started.set()
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.append(item)
            raise
        return item

    task = asyncio.ensure_future(run_parts(operation, range(4), limit=2))
    await started.wait()
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert sorted(cancelled) == [0, 1]
