"""Amazon S3 and S3-compatible storage backend."""

from litestar_storages.backends.s3.version import __version__

__all__ = ("__version__",)
