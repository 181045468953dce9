"""``MemoryStorage``: the Storage API over :class:`~.driver.MemoryDriver`, provided by the engine."""

from __future__ import annotations

from litestar_storages.backends.memory.config import MemoryConfig
from litestar_storages.backends.memory.driver import MemoryDriver
from litestar_storages.engine import DriverStorage

__all__ = ("MemoryStorage",)


class MemoryStorage(DriverStorage):
    """In-memory storage backend for testing and development.

    Files live in a dictionary and are lost when the process exits; memory use grows
    with what is stored. Not for production. Every method of the Storage API works as
    on the other backends (multipart uploads and progress included), with these
    particulars:

    - ``put`` raises :class:`~litestar_storages.exceptions.StorageError` when
      ``MemoryConfig.max_size`` would be exceeded, storing nothing; ``bytes`` are kept
      as they are (no copy), a stream's chunks as they arrive.
    - ``get`` yields the content in the pieces it was stored in: one chunk for data put
      as ``bytes``.
    - ``url`` returns ``memory://{key}``, which leads nowhere; ``expires_in``,
      ``filename`` and ``content_type`` are checked as on every backend, then ignored,
      and ``method="PUT"`` raises :class:`~litestar_storages.exceptions.UnsupportedOperationError`.
    - ``move`` renames: the object keeps its etag and modification time.
    - etags are the MD5 of the content, as S3 gives for a single-part upload.

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
