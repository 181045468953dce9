"""One operation per item, a bounded number at once: batches that a service takes one request each.

A driver whose service deletes one object per request (GCS's JSON API, Azure without Blob
Batch) makes a "batch" of that many requests; :func:`run_all` bounds how many are in
flight and waits for every one before raising, so no request is left running. Given the
driver's error table, each item's error names that item (the engine knows no single key
for a batch).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

from litestar_storages.error_mapping import ErrorMapper

__all__ = ("run_all",)

T = TypeVar("T")


async def run_all(
    operation: Callable[[T], Awaitable[object]],
    items: Iterable[T],
    *,
    limit: int,
    errors: ErrorMapper | None = None,
) -> None:
    """Run ``operation(item)`` for each item, at most ``limit`` at once.

    Args:
        operation: The operation of one item.
        items: The items.
        limit: Most operations in flight (>= 1).
        errors: The driver's error table: an error it owns is translated with the item
            (its ``str``) as the key; ``None`` leaves errors as raised.

    Raises:
        Exception: The first error of the operations (by item order), once all have ended.
    """
    slots = asyncio.Semaphore(limit)

    async def one(item: T) -> object:
        async with slots:
            if errors is None:
                return await operation(item)
            with errors.guard(str(item)):
                return await operation(item)

    outcomes = await asyncio.gather(*(one(item) for item in items), return_exceptions=True)
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
