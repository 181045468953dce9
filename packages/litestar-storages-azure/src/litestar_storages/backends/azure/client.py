"""The SDK client: building it from an ``AzureConfig``, with its credential and logging.

azure-core logs every request and answer, headers included, at INFO on the logger
``azure.core.pipeline.policies.http_logging_policy`` (its ``HttpLoggingPolicy``). An
application whose root logger is at INFO (Litestar sets it so) would print two records
per storage operation. Clients the storage builds therefore hand that policy a logger of
their own that is off, unless ``AzureConfig.http_logging`` turns the SDK's logger back on;
the global logging configuration is left alone.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from azure.storage.blob.aio import ContainerClient
from litestar_storages.backends.azure.config import MAX_BLOCK_SIZE, AzureConfig
from litestar_storages.backends.azure.errors import BACKEND
from litestar_storages.exceptions import ConfigurationError

__all__ = ("build_client", "client_config", "default_credential", "static_credential")

_QUIET = logging.Logger("litestar_storages.backends.azure.quiet")
"""The HTTP logging policy's logger when ``http_logging`` is off: outside the logging
tree (no parent, no handler) and disabled, so the policy returns at its first check."""
_QUIET.disabled = True


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
    if not config.http_logging:
        options["logger"] = _QUIET  # read by azure-core's HttpLoggingPolicy only
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
