"""In-memory storage for tests and development: a driver of the core's transfer engine over a ``dict``."""

from litestar_storages.backends.memory.config import MemoryConfig
from litestar_storages.backends.memory.storage import MemoryStorage

__all__ = ("MemoryConfig", "MemoryStorage")
