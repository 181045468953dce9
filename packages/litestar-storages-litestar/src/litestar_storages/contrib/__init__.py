"""Litestar integration for litestar-storages."""

from litestar_storages.contrib.version import __version__

__all__ = ("__version__",)
