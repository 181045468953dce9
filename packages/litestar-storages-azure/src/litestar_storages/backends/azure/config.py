"""``AzureConfig``: where the container is and how to authenticate to it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Union

from litestar_storages.config_checks import (
    check_expiry,
    check_flag,
    check_int,
    check_prefix,
    check_retry,
    check_seconds,
    check_text,
)
from litestar_storages.exceptions import ConfigurationError
from litestar_storages.public_urls import check_base_url

if TYPE_CHECKING:
    from azure.core.credentials import AzureNamedKeyCredential, AzureSasCredential
    from azure.core.credentials_async import AsyncTokenCredential
    from litestar_storages.retry import RetryConfig

__all__ = ("MAX_BLOCK_SIZE", "AzureConfig", "AzureCredential")

MIB = 1024 * 1024

MAX_BLOCK_SIZE = 4000 * MIB
"""Largest block Azure accepts in one Put Block request."""

MAX_PAGE_SIZE = 5000
"""Most blobs Azure returns in one List Blobs page."""

AzureCredential = Union["AsyncTokenCredential", "AzureNamedKeyCredential", "AzureSasCredential"]
"""Credentials :class:`AzureConfig` accepts besides an account key or connection string."""

_CONTAINER_NAME = re.compile(r"(?=.{3,63}\Z)[a-z0-9]+(?:-[a-z0-9]+)*\Z")
_SYSTEM_CONTAINERS = frozenset({"$root", "$web", "$logs"})


def _fail(field: str, problem: str) -> ConfigurationError:
    return ConfigurationError(f"AzureConfig.{field} {problem}", field=field)


@dataclass(frozen=True)
class AzureConfig:
    """Configuration of :class:`~litestar_storages.backends.azure.AzureStorage`.

    Give either ``connection_string`` or ``account_url``. With ``account_url``,
    authenticate with ``account_key``, with ``credential`` (for example
    ``azure.identity.aio.DefaultAzureCredential()``), with a SAS token in the URL's
    query, or with nothing: ``DefaultAzureCredential`` is then created for you when
    ``azure-identity`` is installed (``pip install litestar-storages-azure[identity]``).

    Raises:
        ConfigurationError: From ``__post_init__``, naming the field at fault.
    """

    container: str
    """Name of the blob container (it must exist; see ``AzureStorage.create_container``)."""

    account_url: str | None = None
    """Blob endpoint of the account, ``https://<account>.blob.core.windows.net``. Not with ``connection_string``."""

    account_key: str | None = None
    """Shared key of the account, used with ``account_url``; also signs SAS URLs."""

    connection_string: str | None = None
    """An Azure Storage connection string: endpoint and usually account key. Not with ``account_url``."""

    prefix: str = ""
    """Folder of the container holding every key (``"uploads/"``); keys are reported without it."""

    presigned_expiry: timedelta = timedelta(hours=1)
    """Validity of URLs from ``url()`` when ``expires_in`` is not given."""

    credential: AzureCredential | None = None
    """Async token credential, ``AzureNamedKeyCredential`` or ``AzureSasCredential`` (never closed by the storage)."""

    block_size: int = 8 * MIB
    """Size of each staged block of an upload (at most 4000 MiB); data that fits one block is one request."""

    max_concurrency: int = 4
    """Blocks in flight per upload; an upload holds about ``block_size * (max_concurrency + 1)``."""

    public_base_url: str | None = None
    """Base URL of a public container or CDN: download ``url()`` returns ``public_base_url/key`` unsigned."""

    retry: RetryConfig | None = None
    """Retry policy (``None``: :func:`~litestar_storages.retry.request_retry`); the SDK's retries are off."""

    list_page_size: int = MAX_PAGE_SIZE
    """Blobs requested per List Blobs page (1 to 5000)."""

    connection_timeout: float = 20.0
    """Seconds to wait for a connection to the service (the SDK's default)."""

    read_timeout: float = 60.0
    """Seconds to wait for each read before the request fails with a (retried) connection error."""

    http_logging: bool = False
    """Let azure-core log each request and answer at INFO (``azure.core.pipeline.policies.http_logging_policy``)."""

    def __post_init__(self) -> None:
        if not isinstance(self.container, str) or not (
            self.container in _SYSTEM_CONTAINERS or _CONTAINER_NAME.match(self.container)
        ):
            raise _fail("container", f"must be 3-63 lowercase letters, digits, single hyphens: {self.container!r}")
        self._check_endpoint()
        if self.account_key is not None and self.credential is not None:
            raise _fail("account_key", "and AzureConfig.credential are exclusive: give one of them")
        check_text(self.account_key, setting="AzureConfig.account_key")
        check_prefix(self.prefix, setting="AzureConfig.prefix")
        check_expiry(self.presigned_expiry, setting="AzureConfig.presigned_expiry")
        check_int(self.block_size, setting="AzureConfig.block_size", low=1, high=MAX_BLOCK_SIZE)
        check_int(self.max_concurrency, setting="AzureConfig.max_concurrency", low=1, high=64)
        check_int(self.list_page_size, setting="AzureConfig.list_page_size", low=1, high=MAX_PAGE_SIZE)
        check_seconds(self.connection_timeout, setting="AzureConfig.connection_timeout")
        check_seconds(self.read_timeout, setting="AzureConfig.read_timeout")
        check_base_url(self.public_base_url, setting="AzureConfig.public_base_url")
        check_flag(self.http_logging, setting="AzureConfig.http_logging")
        check_retry(self.retry, setting="AzureConfig.retry")

    def _check_endpoint(self) -> None:
        if (self.connection_string is None) == (self.account_url is None):
            raise _fail("account_url", "or AzureConfig.connection_string: give exactly one, to reach the account")
        if self.connection_string is not None:
            parts = [part for part in self.connection_string.strip().split(";") if part]
            if not parts or any("=" not in part for part in parts):
                raise _fail("connection_string", "is malformed: expected 'Name=value;Name=value' pairs")
        check_base_url(self.account_url, setting="AzureConfig.account_url")
