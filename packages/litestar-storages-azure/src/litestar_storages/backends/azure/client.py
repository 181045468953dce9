"""The SDK client: building it from an ``AzureConfig``, and sending one request through it.

Every request goes through :func:`request`, the one place where SDK errors are
translated (``MAPPER``) and transient failures retried (``with_retry``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from azure.storage.blob.aio import ContainerClient
from litestar_storages.backends.azure.config import MAX_BLOCK_SIZE, AzureConfig
from litestar_storages.backends.azure.errors import BACKEND, MAPPER
from litestar_storages.exceptions import ConfigurationError
from litestar_storages.retry import RetryConfig, with_retry

__all__ = ("build_client", "client_config", "default_credential", "request", "static_credential")

T = TypeVar("T")


def client_config(config: AzureConfig | None, client: ContainerClient | None) -> AzureConfig:
    """Return the storage's configuration, derived from ``client`` when ``config`` is ``None``.

    Args:
        config: The configuration given to the storage, if any.
        client: The client given to the storage, if any.

    Returns:
        ``config``, or one naming the client's container and account URL.

    Raises:
        ConfigurationError: If neither is given, or their containers differ.
    """
    if config is None:
        if client is None:
            raise ConfigurationError("AzureStorage needs an AzureConfig or a ContainerClient", field="container")
        parts = urlsplit(client.url)
        account_url = f"{parts.scheme}://{parts.netloc}{parts.path.rsplit('/', 1)[0]}"
        return AzureConfig(container=client.container_name, account_url=account_url)
    if client is not None and client.container_name != config.container:
        raise ConfigurationError(
            f"AzureConfig.container is {config.container!r} but the client's container is {client.container_name!r}",
            field="container",
        )
    return config


def build_client(config: AzureConfig, credential: Any) -> ContainerClient:
    """Build the ``ContainerClient`` described by ``config``.

    Args:
        config: The storage's configuration.
        credential: What authorizes the requests (ignored by the SDK's parsing of a
            connection string that has its own key).

    Returns:
        A client the caller owns and must close.

    Raises:
        ConfigurationError: If the connection string or account URL is malformed.
    """
    options: dict[str, Any] = {
        # Retries happen once, in with_retry around each request, not also in the SDK.
        "retry_total": 0,
        "max_single_put_size": max(config.block_size, 64 * 1024 * 1024),
        "max_block_size": min(config.block_size, MAX_BLOCK_SIZE),
        "connection_timeout": config.connection_timeout,
        "read_timeout": config.read_timeout,
    }
    try:
        if config.connection_string is not None:
            return ContainerClient.from_connection_string(
                config.connection_string, config.container, credential=credential, **options
            )
        return ContainerClient(config.account_url or "", config.container, credential=credential, **options)
    except ValueError as error:
        field = "connection_string" if config.connection_string is not None else "account_url"
        raise ConfigurationError(f"{BACKEND}: cannot build the Azure client: {error}", field=field) from error


def static_credential(config: AzureConfig) -> tuple[bool, Any]:
    """Return the credential ``config`` names for an account URL, if it names one.

    Args:
        config: The storage's configuration.

    Returns:
        ``(True, credential)`` for an account key, a credential or a SAS token in the
        URL (``None`` then); ``(False, None)`` when a default credential is needed.
    """
    if config.account_key is not None:
        return True, config.account_key
    if config.credential is not None:
        return True, config.credential
    if "?" in (config.account_url or ""):
        return True, None  # a SAS token in the URL authorizes every request
    return False, None


def default_credential() -> Any:
    """Create azure-identity's ``DefaultAzureCredential`` (the caller closes it).

    Raises:
        ConfigurationError: If the ``[identity]`` extra is not installed.
    """
    try:
        # Optional extra ([identity]): imported only when no other credential is configured.
        from azure.identity.aio import (  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415
            DefaultAzureCredential,
        )
    except ImportError as error:
        raise ConfigurationError(
            f"{BACKEND}: AzureConfig.account_url has no account_key, credential or SAS token; install "
            "litestar-storages-azure[identity] to use DefaultAzureCredential, or set one of them",
            field="credential",
        ) from error
    return DefaultAzureCredential()


async def request(retry: RetryConfig, key: str | None, operation: Callable[[], Awaitable[T]]) -> T:
    """Run one SDK request with its errors translated, retried within ``retry``.

    Args:
        retry: The retry policy.
        key: The key concerned, named in translated errors.
        operation: Makes the request; called again for each attempt.

    Returns:
        What ``operation`` returned.
    """

    async def attempt() -> T:
        with MAPPER.guard(key):
            return await operation()

    return await with_retry(attempt, retry)
