"""A bound on how long a service may stop taking a request body.

aiohttp starts its read timeout only once the whole body of a request is written.
While the body is going out, nothing bounds a service that stopped reading it: the TCP
window stays full and the next write waits forever. A :class:`SendWatch` covers that
phase. It is the :class:`~litestar_storages.bodies.SendMonitor` of a
:class:`~litestar_storages.bodies.SlicedBody`, which tells it about every slice the
transport asks for; when the transport does not ask for the next one within the limit,
the request is cancelled and fails with a :class:`TimeoutError` (which drivers' error
tables make a retryable :class:`~litestar_storages.exceptions.StorageConnectionError`).
A transfer that keeps moving, however slowly, never trips it: the limit applies to each
slice, not to the whole body.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

__all__ = ("SendWatch",)

T = TypeVar("T")


class SendWatch:
    """Cancels the request of the current task when its body stops moving for ``limit`` seconds.

    Create it in the task that makes the request, pass it to the request's body and
    await the request through :meth:`run`, which turns the watch's own cancellation
    into a :class:`TimeoutError` (and lets any other cancellation through).
    """

    __slots__ = ("_fired", "_handle", "_limit", "_task")

    def __init__(self, limit: float) -> None:
        """Create an idle watch for the running task.

        Args:
            limit: Seconds the service may take to accept the next slice of the body.
        """
        self._limit = limit
        self._task = asyncio.current_task()
        self._handle: asyncio.TimerHandle | None = None
        self._fired = False

    def progress(self) -> None:
        """Note that the transport took the previous slice: the next one is due within the limit."""
        if self._handle is not None:
            self._handle.cancel()
        if self._task is not None and not self._fired:
            self._handle = asyncio.get_running_loop().call_later(self._limit, self._fire)

    def finish(self) -> None:
        """Stop watching: the body is out, and aiohttp's read timeout bounds the wait for the answer."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _fire(self) -> None:
        self._handle = None
        self._fired = True
        if self._task is not None:
            self._task.cancel()

    async def run(self, request: Awaitable[T]) -> T:
        """Await ``request`` under the watch.

        Args:
            request: The request, whose body reports to this watch.

        Returns:
            The request's result.

        Raises:
            TimeoutError: If the watch cancelled the request.
        """
        try:
            return await request
        except asyncio.CancelledError:
            if self._fired and self._withdraw():
                raise TimeoutError(f"The service took no more of the request body for {self._limit:g} s") from None
            raise
        finally:
            # The body may still be asked for a slice after the request is over (an
            # early answer): the watch must never cancel the task once run() is done.
            self._task = None
            self.finish()

    def _withdraw(self) -> bool:
        # Python 3.11+ counts cancellation requests: take ours back and let the
        # request fail as a timeout only if nobody else (the caller) cancelled too.
        uncancel = getattr(self._task, "uncancel", None)
        return uncancel is None or uncancel() == 0
