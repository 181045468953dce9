"""Version of the litestar-storages-core distribution."""

__version__ = "0.1.0"
