"""Google Cloud Storage backend."""

from litestar_storages.backends.gcs.version import __version__

__all__ = ("__version__",)
