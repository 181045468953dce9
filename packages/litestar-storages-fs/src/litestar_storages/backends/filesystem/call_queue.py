"""Small blocking calls (``stat``, ``unlink``, ``rename``) run by a few worker threads in turn.

One ``asyncio.to_thread`` per call costs more than the call itself: 45 to 60 µs of
hand-over (a future, a wake-up of the loop) against 10 to 20 µs of work. Under
concurrency it gets worse: each call's syscalls release and retake the GIL, so dozens of
worker threads contend for it. :class:`CallQueue` instead queues the calls; a worker
thread, started when none is free, runs queued calls one after the other for as long
as the queue holds any, and hands the results back to the loop in groups. At
concurrency 64 a ``stat``-sized call then costs about a third of the CPU, and at
concurrency 1 the same as a thread hop.

A caller cancelled while its call runs never sees the result; a call whose result
owns a resource (an open descriptor) names its release (``on_abandon``), which then
runs on the result instead. Calls leaving a temporary file behind use
:func:`~.threads.hop`.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import threading
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ("CallQueue",)

T = TypeVar("T")

_Release = Callable[[Any], None] | None
_Job = tuple[Callable[..., Any], tuple[Any, ...], "asyncio.Future[Any]", _Release]
_Outcome = tuple["asyncio.Future[Any]", Any, BaseException | None, _Release]

_RESULTS_PER_WAKE_UP = 16
"""Results a worker hands to the loop at once while more calls are queued (at most
a few hundred microseconds of delay for the first of them)."""


class CallQueue:
    """Runs blocking calls in at most ``workers`` threads of the loop's default executor.

    More than one worker keeps one slow call (a file on a stalled network disk) from
    holding up the others.
    """

    __slots__ = ("_active", "_jobs", "_lock", "_workers")

    def __init__(self, workers: int = 2) -> None:
        """Create an empty queue.

        Args:
            workers: Most threads draining the queue at once.
        """
        self._jobs: collections.deque[_Job] = collections.deque()
        self._lock = threading.Lock()
        self._active = 0
        self._workers = workers

    async def run(self, function: Callable[..., T], *args: Any, on_abandon: Callable[[T], None] | None = None) -> T:
        """Run ``function(*args)`` in a worker thread and return its result.

        A call not yet started when the caller is cancelled is skipped; one already
        running finishes, and its result is dropped (given to ``on_abandon`` first).

        Args:
            function: The blocking function.
            *args: Its arguments.
            on_abandon: Releases what a result owns when nobody takes it (its caller
                was cancelled, or its loop closed).

        Returns:
            What the function returned (its exception is raised here).
        """
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        job: _Job = (function, args, future, on_abandon)
        with self._lock:
            self._jobs.append(job)
            start = self._active < self._workers
            if start:
                self._active += 1
        if start:
            try:
                loop.run_in_executor(None, self._drain)
            except BaseException:
                # No thread (the executor is shut down): the call must not run later.
                with self._lock:
                    self._active -= 1
                    if job in self._jobs:
                        self._jobs.remove(job)
                raise
        return await future

    def _next(self) -> _Job | None:
        with self._lock:
            if self._jobs:
                return self._jobs.popleft()
            self._active -= 1
            return None

    def _drain(self) -> None:
        outcomes: list[_Outcome] = []
        while (job := self._next()) is not None:
            function, args, future, release = job
            if future.cancelled():
                continue
            try:
                outcomes.append((future, function(*args), None, release))
            except BaseException as error:  # handed to the caller, whatever it is
                outcomes.append((future, None, error, None))
            del job, args
            if len(outcomes) >= _RESULTS_PER_WAKE_UP:
                _hand_back(outcomes)
                outcomes = []
        _hand_back(outcomes)


def _hand_back(outcomes: list[_Outcome]) -> None:
    by_loop: dict[asyncio.AbstractEventLoop, list[_Outcome]] = {}
    for outcome in outcomes:
        by_loop.setdefault(outcome[0].get_loop(), []).append(outcome)
    for loop, group in by_loop.items():
        try:
            loop.call_soon_threadsafe(_settle, group)
        except RuntimeError:
            # A closed loop: nobody waits for these results any more.
            _release_all(group)


def _release_all(outcomes: list[_Outcome]) -> None:
    for _, result, error, release in outcomes:
        if error is None and release is not None:
            with contextlib.suppress(Exception):
                release(result)


def _settle(outcomes: list[_Outcome]) -> None:
    for future, result, error, release in outcomes:
        if future.done():
            # Cancelled meanwhile: what the result owns is released, not leaked.
            if error is None and release is not None:
                release(result)
            continue
        if error is None:
            future.set_result(result)
        else:
            future.set_exception(error)
