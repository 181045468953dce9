"""Cleanup requests that outlive the failed or cancelled operation that started them.

An abort of a multipart upload must run even when the caller that needs it was
cancelled, and must not hold that caller for long when S3 hangs: :class:`Cleanups`
runs each one as a task of its own, waits a bounded time, and lets
``S3Storage.close()`` wait for the
rest.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

__all__ = ("CLEANUP_WAIT", "Cleanups")

CLEANUP_WAIT = 10.0
"""Seconds a failed or cancelled operation waits for its cleanup before leaving it to
finish in the background."""


class Cleanups:
    """Cleanup requests that outlive the failed or cancelled operation that started them."""

    __slots__ = ("_tasks", "wait")

    def __init__(self, wait: float = CLEANUP_WAIT) -> None:
        """Create an empty set of cleanups.

        Args:
            wait: Seconds an operation waits for its cleanup, and :meth:`join` for all.
        """
        self.wait = wait
        self._tasks: set[asyncio.Task[None]] = set()

    async def run(self, work: Coroutine[Any, Any, None], *, raise_errors: bool = False) -> None:
        """Run ``work`` shielded from cancellation, waiting at most :attr:`wait` seconds for it.

        Args:
            work: The cleanup.
            raise_errors: Raise the cleanup's error if it failed within the wait (an
                abort the caller asked for); by default errors are swallowed, since the
                failure that called for the cleanup is what the caller must see.

        Raises:
            asyncio.CancelledError: If the caller is cancelled while waiting; the
                cleanup goes on.
        """
        task = asyncio.ensure_future(work)
        # The set keeps the task alive once nobody awaits it (the event loop holds
        # tasks only weakly).
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        await asyncio.wait((task,), timeout=self.wait)
        if raise_errors and task.done() and not task.cancelled() and task.exception() is not None:
            raise task.exception()  # type: ignore[misc] # checked just above

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled():
            task.exception()  # retrieved: a cleanup that fails leaves the upload to the lifecycle rule

    async def join(self) -> None:
        """Wait up to :attr:`wait` seconds for the cleanups still running."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=self.wait)

    def __len__(self) -> int:
        return len(self._tasks)
