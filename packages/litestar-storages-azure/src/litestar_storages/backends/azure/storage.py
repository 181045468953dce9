"""``AzureStorage``: the Storage API on Azure Blob Storage, provided by the engine over ``AzureDriver``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from litestar_storages.backends.azure.client import client_config
from litestar_storages.backends.azure.config import AzureConfig
from litestar_storages.backends.azure.driver import AzureDriver
from litestar_storages.engine import DriverStorage
from litestar_storages.engine.calling import call
from litestar_storages.exceptions import StorageFileExistsError

if TYPE_CHECKING:
    from azure.storage.blob.aio import ContainerClient

__all__ = ("AzureStorage",)


class AzureStorage(DriverStorage):
    """Files in an Azure Blob Storage container, through the async azure-storage-blob SDK.

    One ``ContainerClient`` is created on first use and reused; :meth:`close` (or leaving
    ``async with``) closes it. A client passed in is used as is and never closed.

    Example:
        >>> storage = AzureStorage(AzureConfig(container="uploads", connection_string=conn))  # doctest: +SKIP
        >>> await storage.put("photos/cat.jpg", data)  # doctest: +SKIP
    """

    __slots__ = ("config",)

    driver: AzureDriver

    def __init__(self, config: AzureConfig | None = None, *, client: ContainerClient | None = None) -> None:
        """Create the storage; no request is made until the first operation.

        Args:
            config: Where the container is and how to authenticate; optional with ``client``.
            client: A ready ``azure.storage.blob.aio.ContainerClient`` to use (the caller keeps ownership).

        Raises:
            ConfigurationError: If neither is given, or their containers differ.
        """
        self.config = config = client_config(config, client)
        super().__init__(AzureDriver(config, client), prefix=config.prefix)

    async def create_container(self, *, exist_ok: bool = True) -> None:
        """Create the configured container (handy with Azurite and in tests).

        Args:
            exist_ok: Succeed when the container already exists.

        Raises:
            StorageFileExistsError: If it exists and ``exist_ok`` is false.
        """
        container = self.driver.container()
        try:
            await call(self.driver, None, container.create_container)
        except StorageFileExistsError:
            if not exist_ok:
                raise

    def __repr__(self) -> str:
        return f"AzureStorage(container={self.config.container!r}, prefix={self._prefix!r})"
