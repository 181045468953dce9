"""Waiting for a server-side copy (Copy Blob) to finish.

Within one account Azure usually completes a copy before answering (status
``success``), but it may answer ``pending`` and finish in the background; the
destination is then polled until the status changes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from litestar_storages.backends.azure.errors import BACKEND
from litestar_storages.exceptions import StorageError

__all__ = ("CopyState", "wait_for_copy")

T = TypeVar("T")

CopyState = tuple[str | None, str | None, T]
"""``(status, status_description, properties)`` of the copy's destination."""


async def wait_for_copy(
    poll: Callable[[], Awaitable[CopyState[T]]],
    *,
    key: str,
    first_delay: float = 0.05,
    max_delay: float = 1.0,
) -> T:
    """Poll the destination until its copy status is no longer ``pending``.

    Args:
        poll: Fetches the destination's copy status, description and properties.
        key: The destination key, for error messages.
        first_delay: Seconds before the first poll; doubles up to ``max_delay``.
        max_delay: Longest wait between polls.

    Returns:
        The properties returned by the last poll, once the copy succeeded.

    Raises:
        StorageError: If the copy failed or was aborted.
    """
    delay = first_delay
    while True:
        await asyncio.sleep(delay)
        status, description, properties = await poll()
        if status == "pending":
            delay = min(max_delay, delay * 2)
            continue
        if status in (None, "success"):
            return properties
        raise StorageError(
            f"{BACKEND}: server-side copy to {key!r} {status}: {description or 'no reason given'}", key=key
        )
