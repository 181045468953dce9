"""``GCSStorage``: the Storage API over :class:`~.driver.GCSDriver`, provided by the engine."""

from __future__ import annotations

from gcloud.aio.storage import Storage as SDKStorage

from litestar_storages.backends.gcs.config import GCSConfig
from litestar_storages.backends.gcs.driver import GCSDriver
from litestar_storages.engine import DriverStorage
from litestar_storages.exceptions import ConfigurationError

__all__ = ("GCSStorage",)


class GCSStorage(DriverStorage):
    """Google Cloud Storage backend on gcloud-aio-storage.

    One aiohttp session (with one connection pool) serves every request; it opens on
    first use and :meth:`close` (or leaving ``async with``) closes it. A closed storage
    reopens on its next request.

    Example:
        >>> storage = GCSStorage(GCSConfig(bucket="uploads", service_file="key.json"))
        >>> async with storage:  # doctest: +SKIP
        ...     await storage.put("photos/cat.jpg", data)
        ...     url = await storage.url("photos/cat.jpg")
    """

    __slots__ = ("config",)

    def __init__(self, config: GCSConfig, *, client: SDKStorage | None = None) -> None:
        """Create the storage; no request is made and no session opened yet.

        Args:
            config: The bucket and credentials.
            client: A ready gcloud-aio-storage ``Storage`` to use (and share) instead of
                one built from ``config``; it is not closed by :meth:`close`.
                ``config.service_file`` and ``config.api_root`` are then ignored.

        Raises:
            ConfigurationError: If ``config`` is not a :class:`GCSConfig`.
        """
        if not isinstance(config, GCSConfig):
            raise ConfigurationError(f"GCSStorage takes a GCSConfig, got {type(config).__name__}", field="config")
        self.config = config
        super().__init__(GCSDriver(config, client=client), prefix=config.prefix)
