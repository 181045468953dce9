"""The SDK client: built from an ``AzureConfig``, with its credential, quiet by default.

azure-core logs every request and answer, headers included, at INFO (its
``HttpLoggingPolicy``): with the root logger at INFO, as Litestar sets it, each storage
operation would print two records. Clients built here hand that policy a disabled logger
of their own unless ``AzureConfig.http_logging`` is set; global logging is left alone.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from azure.storage.blob.aio import ContainerClient
from litestar_storages.backends.azure.config import AzureConfig
from litestar_storages.backends.azure.errors import BACKEND
from litestar_storages.exceptions import ConfigurationError

__all__ = ("build_client", "client_config")

_QUIET = logging.Logger("litestar_storages.backends.azure.quiet")  # outside the logging tree: no parent, no handler
_QUIET.disabled = True


def client_config(config: AzureConfig | None, client: ContainerClient | None) -> AzureConfig:
    """Return the storage's configuration: ``config``, or one naming ``client``'s container and account URL.

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


def build_client(config: AzureConfig) -> tuple[ContainerClient, Any]:
    """Build the ``ContainerClient`` of ``config``; return it and the credential created for it, if any, to close.

    Raises:
        ConfigurationError: If the connection string or account URL is malformed, or a
            default credential is needed without the ``[identity]`` extra installed.
    """
    options: dict[str, Any] = {
        "retry_total": 0,  # requests are retried once, by the engine, not also by the SDK
        "connection_timeout": config.connection_timeout,
        "read_timeout": config.read_timeout,
    }
    if not config.http_logging:
        options["logger"] = _QUIET  # read by azure-core's HttpLoggingPolicy only
    try:
        if config.connection_string is not None:
            client = ContainerClient.from_connection_string(
                config.connection_string, config.container, credential=config.credential, **options
            )
            return client, None
        credential, owned = _credential(config)
        return ContainerClient(config.account_url or "", config.container, credential=credential, **options), owned
    except ValueError as error:
        field = "connection_string" if config.connection_string is not None else "account_url"
        raise ConfigurationError(f"{BACKEND}: cannot build the Azure client: {error}", field=field) from error


def _credential(config: AzureConfig) -> tuple[Any, Any]:
    # The credential of an account URL, and the one created here (to close), if any.
    if config.account_key is not None or config.credential is not None:
        return config.account_key or config.credential, None
    if "?" in (config.account_url or ""):
        return None, None  # a SAS token in the URL authorizes every request
    try:  # the optional [identity] extra, imported only when no other credential is configured
        from azure.identity.aio import (  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415
            DefaultAzureCredential,
        )
    except ImportError as error:
        raise ConfigurationError(
            f"{BACKEND}: AzureConfig.account_url has no account_key, credential or SAS token; install "
            "litestar-storages-azure[identity] to use DefaultAzureCredential, or set one of them",
            field="credential",
        ) from error
    credential = DefaultAzureCredential()
    return credential, credential
