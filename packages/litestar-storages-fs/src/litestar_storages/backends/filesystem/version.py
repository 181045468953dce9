"""Version of the litestar-storages-fs distribution."""

__version__ = "0.1.0"
