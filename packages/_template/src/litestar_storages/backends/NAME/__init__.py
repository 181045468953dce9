"""NAME backend: files in a ``dict``, written as a thin translation (the package template)."""

from litestar_storages.backends.NAME.config import NameConfig
from litestar_storages.backends.NAME.storage import NameStorage
from litestar_storages.backends.NAME.version import __version__

__all__ = ("NameConfig", "NameStorage", "__version__")
