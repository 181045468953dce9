"""tus 1.0.0 resumable uploads into any storage, mounted by :class:`~litestar_storages.contrib.plugin.StoragePlugin`.

``StoragePluginConfig(tus=(TusConfig(storage="uploads", path="/files"),))`` serves
the core protocol and the creation, creation-with-upload, creation-defer-length,
termination, expiration and checksum extensions at ``/files``. Upload state lives in
the storage (``TusConfig.state_prefix``), parts go to the storage as they fill, so any
process can serve any request of an upload and memory stays at about one part per
request. :meth:`TusUploads.cleanup_expired` removes expired uploads.
"""

from litestar_storages.contrib.tus.config import Assembly, TusConfig, TusUpload, default_key
from litestar_storages.contrib.tus.protocol import TUS_VERSION, TusError
from litestar_storages.contrib.tus.routes import tus_router
from litestar_storages.contrib.tus.service import TusUploads

__all__ = ("TUS_VERSION", "Assembly", "TusConfig", "TusError", "TusUpload", "TusUploads", "default_key", "tus_router")
