"""``MemoryStorage``: the Storage API over :class:`~.driver.MemoryDriver`, provided by the engine."""

from __future__ import annotations

from litestar_storages.backends.memory.config import MemoryConfig
from litestar_storages.backends.memory.driver import MemoryDriver
from litestar_storages.engine import DriverStorage

__all__ = ("MemoryStorage",)


class MemoryStorage(DriverStorage):
    """In-memory storage backend for testing and development.

    Files live in a dictionary and are lost when the process exits; memory use grows
    with what is stored. Not for production. It implements every method, multipart
    uploads included; its URLs (``memory://key``) lead nowhere, and PUT URLs raise
    :class:`~litestar_storages.exceptions.UnsupportedOperationError`.

    Example:
        >>> storage = MemoryStorage()
        >>> await storage.put("test.txt", b"hello world")  # doctest: +SKIP
        StoredFile(key='test.txt', size=11, ...)
    """

    __slots__ = ("config",)

    def __init__(self, config: MemoryConfig | None = None) -> None:
        """Initialize MemoryStorage.

        Args:
            config: Configuration for the storage backend (optional).
        """
        self.config = config or MemoryConfig()
        super().__init__(MemoryDriver(self.config))
