"""Configuration of :class:`~litestar_storages.backends.memory.storage.MemoryStorage`."""

from __future__ import annotations

from dataclasses import dataclass

from litestar_storages.exceptions import ConfigurationError

__all__ = ("MemoryConfig",)


@dataclass(frozen=True)
class MemoryConfig:
    """Configuration for in-memory storage.

    Attributes:
        max_size: Maximum total bytes to store (``None`` for unlimited).
    """

    max_size: int | None = None

    def __post_init__(self) -> None:
        if self.max_size is not None and (not isinstance(self.max_size, int) or self.max_size < 0):
            raise ConfigurationError(
                f"MemoryConfig.max_size must be None or an int >= 0, got {self.max_size!r}", field="max_size"
            )
