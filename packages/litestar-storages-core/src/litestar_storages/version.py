"""Version of the litestar-storages-core distribution (every distribution shares it)."""

from litestar_storages.__metadata__ import __version__

__all__ = ("__version__",)
