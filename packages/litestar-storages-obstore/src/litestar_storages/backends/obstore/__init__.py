"""obstore backend: any obstore store (S3, Azure, GCS, local, memory) behind the Storage API."""

from litestar_storages.backends.obstore.config import ObstoreConfig
from litestar_storages.backends.obstore.storage import ObstoreStorage
from litestar_storages.backends.obstore.version import __version__

__all__ = ("ObstoreConfig", "ObstoreStorage", "__version__")
