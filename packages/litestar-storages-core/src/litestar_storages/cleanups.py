"""Cleanup requests that outlive the failed or cancelled operation that started them.

A driver that must undo a half-done operation (abort a multipart upload whose put
failed or was cancelled, abort an upload whose creation was never answered) runs the
undo here: shielded from the caller's cancellation, so it is not cut off halfway, and
waited for at most a few seconds, so a cancelled caller returns promptly even when the
service hangs. What is still running then finishes in the background; the driver's
``close()`` waits briefly for it (:meth:`Cleanups.join`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

__all__ = ("CLEANUP_WAIT", "Cleanups")

CLEANUP_WAIT = 10.0
"""Seconds a failed or cancelled operation waits for its cleanup before leaving it to the background."""


class Cleanups:
    """Cleanup requests that outlive the failed or cancelled operation that started them.

    Attributes:
        wait: Seconds :meth:`run` (and :meth:`join`) wait for a cleanup.
    """

    __slots__ = ("_tasks", "wait")

    def __init__(self, wait: float = CLEANUP_WAIT) -> None:
        """Create an empty set of cleanups, each waited for at most ``wait`` seconds (and by :meth:`join`)."""
        self.wait = wait
        self._tasks: set[asyncio.Task[None]] = set()

    async def run(self, work: Coroutine[Any, Any, None], *, raise_errors: bool = False) -> None:
        """Run ``work`` shielded from cancellation, waiting at most :attr:`wait` seconds for it.

        Args:
            work: The cleanup.
            raise_errors: Raise its error if it failed within the wait (an abort the caller
                asked for); by default the failure that called for the cleanup is what counts.

        Raises:
            asyncio.CancelledError: If the caller is cancelled while waiting; the cleanup goes on.
        """
        task = asyncio.ensure_future(work)
        self._tasks.add(task)  # keeps it alive once nobody awaits it (the loop holds tasks weakly)
        task.add_done_callback(self._finished)
        await asyncio.wait((task,), timeout=self.wait)
        if raise_errors and task.done() and not task.cancelled() and task.exception() is not None:
            raise task.exception()  # type: ignore[misc] # checked just above

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled():
            task.exception()  # retrieved: a cleanup that fails leaves its leftovers to the service's expiry

    async def join(self) -> None:
        """Wait up to :attr:`wait` seconds for the cleanups still running."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=self.wait)

    def __len__(self) -> int:
        return len(self._tasks)
