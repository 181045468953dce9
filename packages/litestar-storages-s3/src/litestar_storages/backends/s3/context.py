"""``S3Context``: the client every S3 request shares, and how request bodies go out.

The driver and its helper modules take an :class:`S3Context`, never the storage, so the
dependencies run one way (storage, driver, helpers, context). Retries happen in one
layer: botocore's are off (``total_max_attempts=1``) and the engine retries idempotent
requests per the storage's :class:`~litestar_storages.retry.RetryConfig`; two layers
would multiply (3 tries inside 3 tries make 9 requests), and only the engine can re-send
a part from its buffer. ``connect_timeout`` bounds each connection attempt and
``read_timeout`` every wait for the service: for the answer, between two chunks of a
response body, and (through :func:`send`) between two slices of a request body.
Nothing bounds a whole transfer that keeps moving, nor the wait for a pooled connection.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING, Any, TypeVar

from aiobotocore.config import AioConfig
from aiobotocore.session import AioSession

from litestar_storages.backends.s3.errors import errors
from litestar_storages.bodies import SlicedBody, sliced_body
from litestar_storages.cleanups import Cleanups
from litestar_storages.stalls import SendWatch

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client

    from litestar_storages.backends.s3.config import S3Config

__all__ = ("PartBody", "S3Context", "client_config", "prepare_client", "send")

T = TypeVar("T")


class S3Context:
    """The client, bucket and cleanups shared by one storage's operations.

    Attributes:
        config: The storage's configuration.
        bucket: ``config.bucket``.
        cleanups: Where aborts of failed or cancelled uploads run.
    """

    __slots__ = ("_client", "_lock", "_owns_client", "_session", "_stack", "bucket", "cleanups", "config")

    def __init__(self, config: S3Config, *, client: S3Client | None = None, session: AioSession | None = None) -> None:
        """Hold ``config``; no connection is made until :meth:`client` is first awaited.

        Args:
            config: Bucket, credentials and transfer settings.
            client: A ready client to use (never closed here); one is opened from
                ``config`` on first use when omitted.
            session: The aiobotocore session to open the client from.
        """
        self.config = config
        self.bucket = config.bucket
        self.cleanups = Cleanups()
        if client is not None:
            prepare_client(client)
        self._client: S3Client | None = client
        self._owns_client = client is None
        self._session = session
        self._stack: AsyncExitStack | None = None
        self._lock = asyncio.Lock()

    async def client(self) -> S3Client:
        """Return the client, opening it on first use (once, however many tasks ask at once).

        Returns:
            The aiobotocore S3 client.
        """
        client = self._client
        if client is not None:
            return client
        async with self._lock:
            if self._client is None:
                stack = AsyncExitStack()
                config = self.config
                with errors.guard():
                    session = AioSession(profile=config.profile_name) if self._session is None else self._session
                    client = await stack.enter_async_context(
                        session.create_client(
                            "s3",
                            region_name=config.region,
                            endpoint_url=config.endpoint_url,
                            aws_access_key_id=config.access_key_id,
                            aws_secret_access_key=config.secret_access_key,
                            aws_session_token=config.session_token,
                            use_ssl=config.use_ssl,
                            verify=config.verify_ssl,
                            config=client_config(config),
                        )
                    )
                prepare_client(client)
                self._client, self._stack = client, stack
            return self._client

    async def close(self) -> None:
        """Wait briefly for running cleanups, then close the client if it was opened here.

        A later :meth:`client` opens a new one; a client passed in is left open.
        """
        await self.cleanups.join()
        if not self._owns_client:
            return
        stack, self._stack = self._stack, None
        self._client = None
        if stack is not None:
            with errors.guard():
                await stack.aclose()

    def __repr__(self) -> str:
        return f"S3Context(bucket={self.bucket!r})"


def client_config(config: S3Config) -> AioConfig:
    """Build the client's botocore configuration from ``config``, botocore's retries off."""
    options: dict[str, Any] = dict(config.client_options)
    s3_options = dict(options.pop("s3", None) or {})
    s3_options["addressing_style"] = config.addressing_style
    options.update(
        region_name=config.region,
        signature_version="s3v4",
        max_pool_connections=config.max_pool_connections,
        connect_timeout=config.connect_timeout,
        read_timeout=config.read_timeout,
        retries={"total_max_attempts": 1, "mode": "standard"},
        s3=s3_options,
        request_checksum_calculation=config.request_checksum_calculation,
        response_checksum_validation=config.response_checksum_validation,
    )
    return AioConfig(**options)


class PartBody(SlicedBody):
    """A buffered body sent in slices (core's :class:`~litestar_storages.bodies.SlicedBody`), uncopied.

    The class marks the storage's own bodies (see :func:`prepare_client`); each attempt gets a new one.
    """

    __slots__ = ()


async def send(client: S3Client, data: bytes | bytearray | memoryview, request: Callable[[Any], Awaitable[T]]) -> T:
    """Make one ``request`` carrying ``data``, failed (retryably) when S3 stops taking the body for ``read_timeout``."""
    # The stubs of botocore's Config omit its timeouts; 60 s is botocore's default.
    watch = SendWatch(float(getattr(client.meta.config, "read_timeout", None) or 60))
    body = sliced_body(data)
    return await watch.run(request(body if isinstance(body, bytes) else PartBody(data, watch)))


def _no_expect_continue(params: dict[str, Any], **_: Any) -> None:
    if isinstance(params.get("body"), PartBody):
        params["headers"].pop("Expect", None)


def prepare_client(client: S3Client) -> None:
    """Make ``client`` send the storage's part bodies without ``Expect: 100-continue``.

    botocore asks for an interim ``100 Continue`` before every file-like body, and aiohttp
    waits for it with no timeout at all: a service that hangs before answering would hang
    the upload for good. Sending the body at once also saves a round trip per part.
    Only requests whose body is a :class:`PartBody` are changed, so a client shared with
    other code keeps its behaviour there. Registering twice is harmless.

    Args:
        client: The storage's client, created by it or passed in.
    """
    # botocore adds the header in a handler of every S3 call ("before-call.s3"); handlers
    # of more specific events run before it, so this one must sit last at that level.
    client.meta.events.register_last("before-call.s3", _no_expect_continue, unique_id="litestar-storages-no-expect")
