"""Configuration of :class:`~litestar_storages.backends.obstore.storage.ObstoreStorage`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from litestar_storages.config_checks import check_expiry, check_int, check_prefix
from litestar_storages.exceptions import ConfigurationError

if TYPE_CHECKING:
    from obstore.store import ObjectStore

__all__ = ("ObstoreConfig",)

MIB = 1024 * 1024


@dataclass(frozen=True)
class ObstoreConfig:
    """Configuration of ``ObstoreStorage``: frozen, checked at start-up, naming the field."""

    store: ObjectStore | None = None
    """A ready obstore store (``S3Store``, ``AzureStore``, ``GCSStore``, ``LocalStore``,
    ``MemoryStore``...); it is used as it is and shared, never closed by the storage."""

    url: str | None = None
    """Build the store from a URL instead (``s3://bucket``, ``az://container``,
    ``gs://bucket``, ``file:///path``, ``memory:///``), with ``obstore.store.from_url``."""

    options: Mapping[str, Any] = field(default_factory=dict)
    """Keyword arguments for ``from_url`` (credentials, ``region``, ``client_options``...)."""

    prefix: str = ""
    """Folder of the store that holds this storage's keys."""

    part_size: int = 8 * MIB
    """Objects up to this size are sent in one request; larger streams go through
    obstore's own multipart upload, in parts of this size."""

    max_concurrency: int = 8
    """Most parts of one upload obstore sends at once."""

    url_expiry: timedelta = timedelta(hours=1)
    """Validity of signed URLs when ``url()`` is given none (1 second to 7 days)."""

    def __post_init__(self) -> None:
        if (self.store is None) == (self.url is None):
            raise ConfigurationError("ObstoreConfig needs exactly one of store and url", field="store")
        check_int(self.part_size, setting="ObstoreConfig.part_size", low=5 * MIB)  # S3's smallest part (but the last)
        check_int(self.max_concurrency, setting="ObstoreConfig.max_concurrency", low=1)
        check_expiry(self.url_expiry, setting="ObstoreConfig.url_expiry")
        check_prefix(self.prefix, setting="ObstoreConfig.prefix")
