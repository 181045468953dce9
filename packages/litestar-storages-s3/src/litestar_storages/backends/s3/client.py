"""Opening the aiobotocore client, and making one guarded, retried request with it.

Retries happen in one layer only: botocore's own retry handler is switched off
(``total_max_attempts=1``) and every request goes through :func:`call`, which retries
per :class:`~litestar_storages.retry.RetryConfig`. Two layers would multiply (botocore's
default 3 tries inside 3 tries of ours make 9 requests and long stalls before an error
surfaces), and ours also covers what botocore cannot retry by itself, such as a whole
streamed upload's single PutObject re-sent from the buffered part.

Timeouts: ``connect_timeout`` bounds each connection attempt and ``read_timeout`` every
wait for the service: for the answer once the request is out, between two chunks of a
response body, and, through :func:`send` and its :class:`~.stall.SendWatch`, between two
slices of a request body the service takes. A request that stalls in any of these raises
:class:`~litestar_storages.exceptions.StorageConnectionError` and is retried. Nothing
bounds a whole transfer that keeps moving, nor the wait for a free pooled connection.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING, Any, TypeVar

from aiobotocore.config import AioConfig
from aiobotocore.session import AioSession

from litestar_storages.backends.s3.body import PartBody, request_body
from litestar_storages.backends.s3.errors import errors
from litestar_storages.backends.s3.stall import SendWatch
from litestar_storages.retry import RetryConfig, with_retry

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client

    from litestar_storages.backends.s3.config import S3Config

__all__ = ("call", "client_config", "open_client", "prepare_client", "send")

T = TypeVar("T")


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
    Only requests whose body is a :class:`~.body.PartBody` are changed, so a client
    shared with other code keeps its behaviour there. Registering twice is harmless.

    Args:
        client: The storage's client, created by it or passed in.
    """
    # botocore adds the header in a handler of every S3 call ("before-call.s3"); handlers
    # of more specific events run before it, so this one must sit last at that level.
    client.meta.events.register_last("before-call.s3", _no_expect_continue, unique_id="litestar-storages-no-expect")


async def call(request: Callable[[], Awaitable[T]], *, key: str | None, retry: RetryConfig) -> T:
    """Make one request, translating its errors and retrying the retryable ones.

    Args:
        request: Returns a fresh awaitable for each attempt (the request must be
            repeatable: its body is bytes, never a consumed stream).
        key: The storage key concerned, attached to errors.
        retry: The retry policy.

    Returns:
        The request's result.

    Raises:
        StorageError: The translated error of the last attempt.
    """

    async def attempt() -> T:
        with errors.guard(key):
            return await request()

    return await with_retry(attempt, retry)


async def send(
    client: S3Client,
    data: bytes | bytearray | memoryview,
    request: Callable[[Any], Awaitable[T]],
    *,
    key: str | None,
    retry: RetryConfig,
) -> T:
    """Like :func:`call`, for a request that carries ``data`` as its body.

    Each attempt gets a fresh body and a :class:`~.stall.SendWatch` with the client's
    ``read_timeout``, so a service that stops taking the body fails the attempt (as a
    retryable :class:`~litestar_storages.exceptions.StorageConnectionError`) instead of
    hanging it.

    Args:
        client: The client making the request (its ``read_timeout`` is the limit).
        data: The body's bytes.
        request: Makes the request from the body object it is given.
        key: The storage key concerned, attached to errors.
        retry: The retry policy.

    Returns:
        The request's result.
    """
    # The stubs of botocore's Config omit its timeouts; 60 s is botocore's default.
    limit = float(getattr(client.meta.config, "read_timeout", None) or 60)

    async def watched() -> T:
        watch = SendWatch(limit, key=key)
        return await watch.run(request(request_body(data, watch)))

    return await call(watched, key=key, retry=retry)
