"""NAME backend."""

from litestar_storages.backends.NAME.version import __version__

__all__ = ("__version__",)
