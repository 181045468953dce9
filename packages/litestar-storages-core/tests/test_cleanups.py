"""Cleanups: shielded from the caller's cancellation, waited for briefly, then left to the background."""

from __future__ import annotations

import asyncio

import pytest

from litestar_storages.cleanups import Cleanups


async def test_cleanups_are_waited_for_briefly_then_finish_in_the_background() -> None:
    cleanups = Cleanups(wait=0.1)
    finished = asyncio.Event()

    async def slow_abort() -> None:
        await asyncio.sleep(0.5)
        finished.set()

    async def failing_abort() -> None:
        raise RuntimeError("the cleanup's own error is not the caller's")

    await cleanups.run(slow_abort())
    assert len(cleanups) == 1  # run() returned while the cleanup still runs
    assert not finished.is_set()
    await cleanups.run(failing_abort())
    cleanups.wait = 5.0
    await cleanups.join()
    assert finished.is_set()
    assert len(cleanups) == 0


async def test_cancelling_the_caller_does_not_cancel_its_cleanup() -> None:
    cleanups = Cleanups(wait=5.0)
    finished = asyncio.Event()

    async def abort() -> None:
        await asyncio.sleep(0.2)
        finished.set()

    waiting = asyncio.ensure_future(cleanups.run(abort()))
    await asyncio.sleep(0.05)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    await cleanups.join()
    assert finished.is_set()


async def test_an_asked_for_cleanup_raises_its_own_error_within_the_wait() -> None:
    cleanups = Cleanups(wait=5.0)

    async def failing_abort() -> None:
        raise RuntimeError("abort refused")

    with pytest.raises(RuntimeError, match="abort refused"):
        await cleanups.run(failing_abort(), raise_errors=True)
    await cleanups.run(failing_abort())  # by default the cleanup's failure is not the caller's
    assert len(cleanups) == 0
