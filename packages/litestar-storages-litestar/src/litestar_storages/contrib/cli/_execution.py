"""Running many transfers with at most ``--jobs`` at once, going on past a failed file."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import anyio

from litestar_storages.exceptions import StorageError

__all__ = ("run_bounded",)

T = TypeVar("T")


async def run_bounded(items: Sequence[T], jobs: int, work: Callable[[T], Awaitable[None]]) -> list[tuple[T, Exception]]:
    """Call ``work(item)`` for every item, ``jobs`` at a time.

    A storage or I/O error fails that item only; it is returned and the others go on.
    Anything else (cancellation, Ctrl-C, a bug) stops every item in flight, each
    cleaning up after itself, and propagates.

    Args:
        items: What to do.
        jobs: At most this many at once.
        work: Does one item.

    Returns:
        The items that failed, with their errors, in the order they failed.
    """
    failures: list[tuple[T, Exception]] = []
    pending = iter(items)

    async def worker() -> None:
        # Workers share one iterator: taking the next item never awaits, so no item is
        # taken twice, and only `jobs` tasks exist however many items there are.
        for item in pending:
            try:
                await work(item)
            except (StorageError, OSError) as error:
                failures.append((item, error))

    async with anyio.create_task_group() as group:
        for _ in range(min(jobs, len(items))):
            group.start_soon(worker)
    return failures
