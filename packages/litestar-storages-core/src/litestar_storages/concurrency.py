"""One operation per item, a bounded number at once: batches that a service takes one request each.

A driver whose service deletes one object per request (GCS's JSON API, Azure without Blob
Batch) makes a "batch" of that many requests; :func:`run_all` bounds how many are in
flight and waits for every one before raising, so no request is left running. Given the
driver's error table, each item's error names that item (the engine knows no single key
for a batch). :func:`run_parts` is for the parts of one object (S3's server-side part
copies): it returns their results, and the first failure cancels the rest, since the
object is lost anyway; it too returns only once nothing is left running.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

from litestar_storages.error_mapping import ErrorMapper

__all__ = ("run_all", "run_parts")

T = TypeVar("T")
RT = TypeVar("RT")


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


async def run_parts(operation: Callable[[T], Awaitable[RT]], items: Iterable[T], *, limit: int) -> list[RT]:
    """Return ``operation(item)`` for each item, in item order, at most ``limit`` running at once.

    Args:
        operation: The operation of one item (one part).
        items: The items.
        limit: Most operations in flight (>= 1).

    Returns:
        The results.

    Raises:
        Exception: The first error of the operations, once the others are cancelled and ended.
        asyncio.CancelledError: If the caller is cancelled; the operations are cancelled too.
    """
    slots = asyncio.Semaphore(limit)

    async def one(item: T) -> RT:
        async with slots:
            return await operation(item)

    tasks = [asyncio.ensure_future(one(item)) for item in items]
    try:
        return await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
