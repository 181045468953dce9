"""Version of this distribution: every litestar-storages distribution shares core's version."""

from litestar_storages.__metadata__ import __version__

__all__ = ("__version__",)
