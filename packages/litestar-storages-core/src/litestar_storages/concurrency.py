"""One operation per item, a bounded number at once: batches that a service takes one request each.

A driver whose service deletes one object per request (GCS's JSON API, Azure without Blob
Batch) makes a "batch" of that many requests; :func:`run_all` bounds how many are in
flight and waits for every one before raising, so no request is left running.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

__all__ = ("run_all",)

T = TypeVar("T")


async def run_all(operation: Callable[[T], Awaitable[object]], items: Iterable[T], *, limit: int) -> None:
    """Run ``operation(item)`` for each item, at most ``limit`` at once.

    Args:
        operation: The operation of one item.
        items: The items.
        limit: Most operations in flight (>= 1).

    Raises:
        Exception: The first error of the operations (by item order), once all have ended.
    """
    slots = asyncio.Semaphore(limit)

    async def one(item: T) -> object:
        async with slots:
            return await operation(item)

    outcomes = await asyncio.gather(*(one(item) for item in items), return_exceptions=True)
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
