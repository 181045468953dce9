"""``S3Context``: the client and the state every S3 request shares, in one object.

The driver and the helper modules (upload lifecycle, part copies) take an
:class:`S3Context`, never the storage, and none of them imports ``storage.py`` or
``driver.py``: the dependencies run one way, from ``S3Storage`` to the driver to the
helpers to this module. The context holds the configuration and the bucket, and owns
the lazily opened client and the cleanups of failed uploads.

Retries happen in one layer only: botocore's own retry handler is switched off
(``total_max_attempts=1``) and the engine retries every idempotent request per the
storage's :class:`~litestar_storages.retry.RetryConfig`. Two layers would multiply
(botocore's default 3 tries inside 3 tries of ours make 9 requests and long stalls
before an error surfaces), and the engine's also covers what botocore cannot retry by
itself, such as a part re-sent from its buffer.

Timeouts: ``connect_timeout`` bounds each connection attempt and ``read_timeout`` every
wait for the service: for the answer once the request is out, between two chunks of a
response body, and, through :func:`~.sending.send`, between two slices of a request body
the service takes. Nothing bounds a whole transfer that keeps moving, nor the wait for
a free pooled connection.
"""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING, Any

from aiobotocore.config import AioConfig
from aiobotocore.session import AioSession

from litestar_storages.backends.s3.cleanups import Cleanups
from litestar_storages.backends.s3.errors import errors
from litestar_storages.backends.s3.sending import PartBody

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client

    from litestar_storages.backends.s3.config import S3Config

__all__ = ("S3Context", "client_config", "open_client", "prepare_client")


class S3Context:
    """The client, bucket and cleanups shared by one storage's operations.

    Attributes:
        config: The storage's configuration.
        bucket: ``config.bucket``.
        cleanups: Where aborts of failed or cancelled uploads run.
    """

    __slots__ = (
        "_client",
        "_lock",
        "_owns_client",
        "_session",
        "_stack",
        "bucket",
        "cleanups",
        "config",
    )

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
                client = await open_client(self.config, stack, self._session)
                prepare_client(client)
                self._client = client
                self._stack = stack
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
    """Build the botocore configuration of the client.

    Args:
        config: The storage's configuration.

    Returns:
        An ``AioConfig`` with connection pool, timeouts, addressing style and checksum
        policy from ``config``, and botocore's retries disabled (see the module docstring).
    """
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


async def open_client(config: S3Config, stack: AsyncExitStack, session: AioSession | None = None) -> S3Client:
    """Create the S3 client described by ``config``; ``stack`` closes it.

    Args:
        config: The storage's configuration.
        stack: Receives the client's context, so closing the stack closes the client.
        session: A session to create the client from; a new one (reading the AWS
            chain, and ``config.profile_name``) when omitted.

    Returns:
        The open client.

    Raises:
        StorageError: Translated botocore errors (an unknown profile, a bad region).
    """
    with errors.guard():
        if session is None:
            session = AioSession(profile=config.profile_name)
        client: S3Client = await stack.enter_async_context(
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
    return client


def _no_expect_continue(params: dict[str, Any], **_: Any) -> None:
    if isinstance(params.get("body"), PartBody):
        params["headers"].pop("Expect", None)


def prepare_client(client: S3Client) -> None:
    """Make ``client`` send the storage's part bodies without ``Expect: 100-continue``.

    botocore asks for an interim ``100 Continue`` before every file-like body, and aiohttp
    waits for it with no timeout at all: a service that hangs before answering would hang
    the upload for good. Sending the body at once also saves a round trip per part; a
    request the service refuses then sends its body (at most ``part_size``) in vain.
    Only requests whose body is a :class:`~.sending.PartBody` are changed, so a client
    shared with other code keeps its behaviour there. Registering twice is harmless.

    Args:
        client: The storage's client, created by it or passed in.
    """
    # botocore adds the header in a handler of every S3 call ("before-call.s3"); handlers
    # of more specific events run before it, so this one must sit last at that level.
    client.meta.events.register_last("before-call.s3", _no_expect_continue, unique_id="litestar-storages-no-expect")
