"""Version of the litestar-storages-s3 distribution."""

__version__ = "0.1.0"
