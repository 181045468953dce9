"""Configuration of :class:`~litestar_storages.backends.NAME.storage.NameStorage`."""

from __future__ import annotations

from dataclasses import dataclass

from litestar_storages.exceptions import ConfigurationError
from litestar_storages.keys import normalize_prefix

__all__ = ("NameConfig",)


@dataclass(frozen=True)
class NameConfig:
    """Configuration of ``NameStorage``: frozen, one docstring per field, checked at start-up."""

    prefix: str = ""
    """Folder inside the service that holds this storage's keys."""

    chunk_size: int = 64 * 1024
    """Size of the chunks ``get`` yields."""

    def __post_init__(self) -> None:
        # A mistake fails when the application starts, naming the field.
        if not isinstance(self.chunk_size, int) or self.chunk_size < 1:
            raise ConfigurationError(
                f"NameConfig.chunk_size must be an int >= 1, got {self.chunk_size!r}", field="chunk_size"
            )
        normalize_prefix(self.prefix)  # raises InvalidKeyError for a prefix no key could have
