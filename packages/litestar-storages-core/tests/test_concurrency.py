"""run_all: bounded concurrency, every operation finished before an error is raised."""

from __future__ import annotations

import asyncio

import pytest

from litestar_storages.concurrency import run_all
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
