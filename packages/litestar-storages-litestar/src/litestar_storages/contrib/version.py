"""Version of the litestar-storages-litestar distribution."""

__version__ = "0.1.0"
