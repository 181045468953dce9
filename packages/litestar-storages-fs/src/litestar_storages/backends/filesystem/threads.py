"""Worker-thread hops that survive the cancellation of their caller.

A blocking call handed to a thread cannot be stopped. When the awaiting task is
cancelled, the call still finishes; whatever it created (an open descriptor, a
temporary file) must then be released, not leaked: :func:`hop` hands the result of an
abandoned call to a cleanup function.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ("hop",)

T = TypeVar("T")


async def hop(
    function: Callable[..., T], *args: Any, on_abandon: Callable[[T], None] | None = None, **kwargs: Any
) -> T:
    """Run a blocking function in a worker thread, surviving cancellation of the caller.

    The thread cannot be stopped once started. When the awaiting task is cancelled the
    function still finishes; ``on_abandon`` then receives its result so resources it
    created (an open file, a temporary file) are released instead of leaked.

    Args:
        function: The blocking function.
        *args: Its positional arguments.
        on_abandon: Cleanup for the result of an abandoned call.
        **kwargs: Its keyword arguments.

    Returns:
        The function's result.
    """
    call = functools.partial(function, *args, **kwargs) if kwargs else functools.partial(function, *args)
    future = asyncio.get_running_loop().run_in_executor(None, call)
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        future.add_done_callback(functools.partial(_release, on_abandon))
        raise


def _release(cleanup: Callable[[Any], None] | None, done: asyncio.Future[Any]) -> None:
    # Also marks a failure as retrieved, so asyncio logs no "never retrieved" error.
    if done.cancelled() or done.exception() is not None:
        return
    if cleanup is not None:
        cleanup(done.result())
