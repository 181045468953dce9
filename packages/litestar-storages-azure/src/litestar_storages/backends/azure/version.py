"""Version of the litestar-storages-azure distribution."""

__version__ = "0.1.0"
