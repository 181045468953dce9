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

    part_size: int = 8 * 1024 * 1024
    """Objects larger than this are uploaded in parts of this size."""

    max_concurrency: int = 4
    """Most parts of one upload in flight."""

    def __post_init__(self) -> None:
        # A mistake fails when the application starts, naming the field.
        for name in ("chunk_size", "part_size", "max_concurrency"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ConfigurationError(f"NameConfig.{name} must be an int >= 1, got {value!r}", field=name)
        normalize_prefix(self.prefix)  # raises InvalidKeyError for a prefix no key could have
