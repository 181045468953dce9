"""Opening the aiobotocore client.

Retries happen in one layer only: botocore's own retry handler is switched off
(``total_max_attempts=1``) and the engine retries every idempotent request per the
storage's :class:`~litestar_storages.retry.RetryConfig`. Two layers would multiply
(botocore's default 3 tries inside 3 tries of ours make 9 requests and long stalls
before an error surfaces), and the engine's also covers what botocore cannot retry by
itself, such as a part re-sent from its buffer.

Timeouts: ``connect_timeout`` bounds each connection attempt and ``read_timeout`` every
wait for the service: for the answer once the request is out, between two chunks of a
response body, and, through :func:`~.stall.send` and its :class:`~.stall.SendWatch`,
between two slices of a request body the service takes. Nothing bounds a whole
transfer that keeps moving, nor the wait for a free pooled connection.
"""

from __future__ import annotations

from contextlib import AsyncExitStack
from typing import TYPE_CHECKING, Any

from aiobotocore.config import AioConfig
from aiobotocore.session import AioSession

from litestar_storages.backends.s3.errors import errors
from litestar_storages.backends.s3.stall import PartBody

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client

    from litestar_storages.backends.s3.config import S3Config

__all__ = ("client_config", "open_client", "prepare_client")


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
    Only requests whose body is a :class:`~.stall.PartBody` are changed, so a client
    shared with other code keeps its behaviour there. Registering twice is harmless.

    Args:
        client: The storage's client, created by it or passed in.
    """
    # botocore adds the header in a handler of every S3 call ("before-call.s3"); handlers
    # of more specific events run before it, so this one must sit last at that level.
    client.meta.events.register_last("before-call.s3", _no_expect_continue, unique_id="litestar-storages-no-expect")
