"""Version of the litestar-storages-gcs distribution."""

__version__ = "0.1.0"
