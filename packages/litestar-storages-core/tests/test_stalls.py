"""SendWatch: a request whose body stops moving fails; nothing else does."""

from __future__ import annotations

import asyncio

import pytest

from litestar_storages.bodies import SlicedBody
from litestar_storages.stalls import SendWatch


async def test_the_watch_fails_a_stalled_request_and_nothing_else() -> None:
    stalled = SendWatch(0.05)
    stalled.progress()
    with pytest.raises(TimeoutError, match="took no more of the request body"):
        await stalled.run(asyncio.sleep(5))
    # Once the request is over, a late slice (after an early answer) arms nothing.
    done = SendWatch(0.05)
    assert await done.run(asyncio.sleep(0, result="answer")) == "answer"
    done.progress()
    await asyncio.sleep(0.15)  # cancelled here if the watch were still armed

    # The caller's own cancellation stays a cancellation.
    async def watched_request() -> None:
        armed = SendWatch(5)
        armed.progress()
        await armed.run(asyncio.sleep(5))

    request = asyncio.ensure_future(watched_request())
    await asyncio.sleep(0.01)
    request.cancel()
    with pytest.raises(asyncio.CancelledError):
        await request


async def test_a_body_that_keeps_moving_is_not_cut_off() -> None:
    watch = SendWatch(1.0)

    async def transport() -> int:
        sent = 0
        async for piece in SlicedBody(bytes(40 * 64 * 1024), watch):
            sent += len(piece)
            await asyncio.sleep(0.03)  # slow (1.2 s in all), but every slice well within the limit
        return sent

    assert await watch.run(transport()) == 40 * 64 * 1024
