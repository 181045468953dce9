"""Configuration of :class:`~litestar_storages.backends.obstore.storage.ObstoreStorage`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from litestar_storages.exceptions import ConfigurationError
from litestar_storages.keys import normalize_prefix
from litestar_storages.url_arguments import expiry_problem

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
        if not isinstance(self.part_size, int) or isinstance(self.part_size, bool) or self.part_size < 5 * MIB:
            # S3 refuses parts under 5 MiB (but the last).
            raise ConfigurationError(
                f"ObstoreConfig.part_size must be an int >= 5 MiB, got {self.part_size!r}", field="part_size"
            )
        if (
            not isinstance(self.max_concurrency, int)
            or isinstance(self.max_concurrency, bool)
            or self.max_concurrency < 1
        ):
            raise ConfigurationError(
                f"ObstoreConfig.max_concurrency must be an int >= 1, got {self.max_concurrency!r}",
                field="max_concurrency",
            )
        problem = expiry_problem(self.url_expiry)
        if problem is not None:
            raise ConfigurationError(f"ObstoreConfig.url_expiry {problem}", field="url_expiry")
        normalize_prefix(self.prefix)
