"""Upload bodies sent in slices, under a bound on how long S3 may stop taking them.

A buffered part goes out as a :class:`PartBody` (core's
:class:`~litestar_storages.bodies.SlicedBody`): botocore sees a seekable file-like
object (for the Content-Length and, on plain HTTP, the payload hash) and aiohttp an
async iterable it writes 64 KiB at a time, so no layer copies the part whole and each
part in flight costs its size once, which the memory bound of multipart uploads counts
on. Each request runs under core's :class:`~litestar_storages.stalls.SendWatch` with the
client's ``read_timeout``: a service that stops reading the body fails the attempt
(retried as a connection error) instead of hanging it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from litestar_storages.bodies import SlicedBody, sliced_body
from litestar_storages.stalls import SendWatch

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client

__all__ = ("PartBody", "send")

T = TypeVar("T")


class PartBody(SlicedBody):
    """A buffered part as a request body; the class marks the storage's own bodies.

    Requests carrying one skip ``Expect: 100-continue`` (see
    :func:`~.context.prepare_client`). A body is consumed by one request: each attempt
    gets a new one.
    """

    __slots__ = ()


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
