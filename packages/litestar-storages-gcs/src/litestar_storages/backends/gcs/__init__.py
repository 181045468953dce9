"""Google Cloud Storage backend, on gcloud-aio-storage.

``GCSStorage`` and ``GCSConfig`` are also importable from ``litestar_storages``.
"""

from litestar_storages.backends.gcs.config import GCSConfig
from litestar_storages.backends.gcs.errors import translate_gcs_error
from litestar_storages.backends.gcs.storage import GCSStorage
from litestar_storages.backends.gcs.version import __version__
from litestar_storages.types import UploadForm

__all__ = ("GCSConfig", "GCSStorage", "UploadForm", "__version__", "translate_gcs_error")
