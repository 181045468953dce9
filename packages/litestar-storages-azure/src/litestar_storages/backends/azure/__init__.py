"""Azure Blob Storage backend (placeholder until the storage lands)."""

from litestar_storages.backends.azure.version import __version__

__all__ = ("__version__",)
