"""CallQueue: small blocking calls drained by a few worker threads, in turn."""

from __future__ import annotations

import asyncio
import threading

import pytest

from litestar_storages.backends.filesystem.call_queue import CallQueue


async def test_results_and_exceptions_reach_the_caller() -> None:
    queue = CallQueue()

    def fail() -> None:
        raise FileNotFoundError("gone")

    assert await queue.run(pow, 2, 10) == 1024
    with pytest.raises(FileNotFoundError, match="gone"):
        await queue.run(fail)
    assert await asyncio.gather(*(queue.run(str, n) for n in range(100))) == [str(n) for n in range(100)]


async def test_queued_calls_run_on_at_most_the_configured_workers() -> None:
    # How many thread hops the queue saves is counted in benchmarks/mechanics.py.
    release = threading.Event()
    threads: set[int] = set()

    def call(n: int) -> int:
        release.wait(5)
        threads.add(threading.get_ident())
        return n

    queue = CallQueue(workers=2)
    calls = asyncio.gather(*(queue.run(call, n) for n in range(64)))
    await asyncio.sleep(0.05)  # every call is queued while the two workers wait
    release.set()
    assert await calls == list(range(64))
    assert len(threads) <= 2


async def test_a_slow_call_does_not_hold_up_the_others() -> None:
    queue = CallQueue(workers=2)
    release = threading.Event()
    slow = asyncio.ensure_future(queue.run(release.wait, 5))
    await asyncio.sleep(0.01)
    assert await asyncio.wait_for(queue.run(pow, 3, 3), timeout=2) == 27
    assert not slow.done()
    release.set()
    assert await slow is True


async def test_a_call_cancelled_before_it_starts_never_runs() -> None:
    queue = CallQueue(workers=1)
    release = threading.Event()
    ran: list[str] = []
    blocker = asyncio.ensure_future(queue.run(release.wait, 5))
    await asyncio.sleep(0.01)
    waiting = asyncio.ensure_future(queue.run(ran.append, "side effect"))
    await asyncio.sleep(0.01)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    release.set()
    await blocker
    await queue.run(ran.append, "after")
    assert ran == ["after"]


def test_a_closed_executor_refuses_the_call_and_leaves_nothing_queued() -> None:
    queue = CallQueue()
    ran: list[int] = []

    async def scenario() -> None:
        await asyncio.get_running_loop().shutdown_default_executor()
        with pytest.raises(RuntimeError):
            await queue.run(ran.append, 1)

    loop = asyncio.new_event_loop()  # its own loop: the test shuts its executor down
    try:
        loop.run_until_complete(scenario())
    finally:
        loop.close()
    assert ran == []
    assert not queue._jobs
    assert queue._active == 0
