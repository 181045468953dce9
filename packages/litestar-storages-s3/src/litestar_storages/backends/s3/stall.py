"""Request bodies sent in slices, and a bound on how long the service may stop taking them.

A buffered part goes out as a :class:`PartBody` (core's
:class:`~litestar_storages.bodies.SlicedBody`): botocore sees a seekable file-like
object (for the Content-Length and, on plain HTTP, the payload hash) and aiohttp an
async iterable it writes 64 KiB at a time, so no layer copies the part whole and each
part in flight costs its size once, which the memory bound of multipart uploads counts on.

aiohttp starts its read timeout (``read_timeout``) only once the whole body of a
request is written. While the body is going out, nothing bounds a service that stopped
reading it: the TCP window stays full and the next write waits forever. A
:class:`SendWatch` covers that phase. The body hands it every slice aiohttp asks for;
when aiohttp does not ask for the next one within the limit, the request is cancelled
and fails with a :class:`TimeoutError`, which the error table makes a retryable
:class:`~litestar_storages.exceptions.StorageConnectionError`. A transfer that keeps
moving, however slowly, never trips it: the limit applies to each slice, not to the
whole body.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from litestar_storages.bodies import SlicedBody, sliced_body

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client

__all__ = ("PartBody", "SendWatch", "send")

T = TypeVar("T")


class PartBody(SlicedBody):
    """A buffered part as a request body; the class marks the storage's own bodies.

    Requests carrying one skip ``Expect: 100-continue`` (see
    :func:`~.client.prepare_client`). A body is consumed by one request: each attempt
    gets a new one.
    """

    __slots__ = ()


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
                raise TimeoutError(
                    f"S3 took no more of the request body for {self._limit:g} s (read_timeout)"
                ) from None
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


async def send(client: S3Client, data: bytes | bytearray | memoryview, request: Callable[[Any], Awaitable[T]]) -> T:
    """Make one request carrying ``data`` as its body, under a :class:`SendWatch`.

    Args:
        client: The client making the request (its ``read_timeout`` is the limit).
        data: The body's bytes (small ``bytes`` are passed as they are).
        request: Makes the request from the body object it is given.

    Returns:
        The request's result.
    """
    # The stubs of botocore's Config omit its timeouts; 60 s is botocore's default.
    watch = SendWatch(float(getattr(client.meta.config, "read_timeout", None) or 60))
    body = sliced_body(data)
    return await watch.run(request(body if isinstance(body, bytes) else PartBody(data, watch)))
