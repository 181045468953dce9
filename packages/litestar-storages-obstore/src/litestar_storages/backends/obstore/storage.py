"""``ObstoreStorage``: the Storage API over any obstore store, provided by the engine."""

from __future__ import annotations

from typing import TYPE_CHECKING

from litestar_storages.backends.obstore.config import ObstoreConfig
from litestar_storages.backends.obstore.driver import ObstoreDriver, build_driver
from litestar_storages.engine import DriverStorage
from obstore.store import from_url

if TYPE_CHECKING:
    from obstore.store import ObjectStore

__all__ = ("ObstoreStorage",)


class ObstoreStorage(DriverStorage):
    """Files in any obstore store (S3, Azure, GCS, local files, memory), at Rust speed.

    Example:
        >>> from obstore.store import MemoryStore
        >>> storage = ObstoreStorage(MemoryStore())
    """

    __slots__ = ("config",)

    def __init__(self, store: ObjectStore | None = None, *, config: ObstoreConfig | None = None) -> None:
        """Create a storage over ``store``, or over the store ``config`` names.

        Args:
            store: A ready obstore store; shared, never closed by the storage.
            config: The configuration (``store`` or ``url``, prefix, part size...). With
                both, ``store`` replaces ``config.store``.

        Raises:
            ConfigurationError: If neither a store nor a configuration is given.
        """
        if config is None:
            config = ObstoreConfig(store=store)
        elif store is not None:
            config = ObstoreConfig(
                store=store,
                prefix=config.prefix,
                part_size=config.part_size,
                max_concurrency=config.max_concurrency,
                url_expiry=config.url_expiry,
            )
        self.config = config
        built = config.store if config.store is not None else from_url(str(config.url), **dict(config.options))
        super().__init__(build_driver(built, config), prefix=config.prefix)

    @property
    def store(self) -> ObjectStore:
        """The obstore store, for what the Storage API does not cover."""
        driver = self.driver
        assert isinstance(driver, ObstoreDriver)  # noqa: S101 - set in __init__
        return driver.store
