"""Opening the aiobotocore client, and making one guarded, retried request with it.

Retries happen in one layer only: botocore's own retry handler is switched off
(``total_max_attempts=1``) and every request goes through :func:`call`, which retries
per :class:`~litestar_storages.retry.RetryConfig`. Two layers would multiply (botocore's
default 3 tries inside 3 tries of ours make 9 requests and long stalls before an error
surfaces), and ours also covers what botocore cannot retry by itself, such as a whole
streamed upload's single PutObject re-sent from the buffered part.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING, Any, TypeVar

from aiobotocore.config import AioConfig
from aiobotocore.session import AioSession

from litestar_storages.backends.s3.errors import errors
from litestar_storages.retry import RetryConfig, with_retry

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client

    from litestar_storages.backends.s3.config import S3Config

__all__ = ("call", "client_config", "open_client")

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
