"""Version of the litestar-storages-NAME distribution."""

__version__ = "0.1.0"
