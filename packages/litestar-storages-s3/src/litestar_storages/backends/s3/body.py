"""A buffered part as a request body that is sent in slices, never copied whole.

Handing botocore a ``bytes`` body costs two extra copies of it (botocore wraps it in a
``BytesIO``, which aiohttp then un-shares), and even a ``bytearray`` is copied once more
on Python 3.11, whose asyncio transport copies whatever the socket did not take at
once. Core's :class:`~litestar_storages.bodies.SlicedBody` avoids all three: botocore
sees a seekable file-like object (for the Content-Length and, on plain HTTP, the payload
hash) and aiohttp an async iterable, which it writes 64 KiB at a time with flow control.
Each part in flight then costs its size once, which is what the memory bound of
multipart uploads counts on.

Each slice aiohttp asks for is reported to a :class:`~.stall.SendWatch`, which fails the
request when the service stops taking the body (aiohttp bounds nothing while it writes).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litestar_storages.bodies import SLICE, SlicedBody, sliced_body

if TYPE_CHECKING:
    from litestar_storages.backends.s3.stall import SendWatch

__all__ = ("SLICE", "PartBody", "request_body")


class PartBody(SlicedBody):
    """Read-only view of one buffered part, readable by botocore and streamable by aiohttp.

    A body is consumed by one request: create a new one for each attempt. The class
    marks the storage's own bodies, whose requests skip ``Expect: 100-continue``.
    """

    __slots__ = ()


def request_body(data: bytes | bytearray | memoryview, watch: SendWatch | None = None) -> Any:
    """Return what to pass as ``Body=``: small ``bytes`` as they are, anything else as a :class:`PartBody`.

    Call it inside the request factory, so that each attempt gets a fresh body. Small
    bodies need no watch: they fit in the transport's buffer at once.

    Args:
        data: The bytes to send.
        watch: The watch of the attempt, for a :class:`PartBody`.

    Returns:
        The body object (typed ``Any``: botocore's stubs do not know file-likes that
        are not ``IO`` subclasses).
    """
    body = sliced_body(data)
    return body if isinstance(body, bytes) else PartBody(data, watch)
