"""litestar-storages: async file storage over the filesystem, memory, S3, GCS and Azure.

The core names are imported eagerly. Backend names (``S3Storage``, ``GCSConfig``, ...)
and ``StoragePlugin`` come from their own distributions and are imported on first
access, so ``import litestar_storages`` never loads an SDK; accessing one whose
distribution is missing raises an ``ImportError`` that names what to install.
"""

from __future__ import annotations

from pkgutil import extend_path
from typing import TYPE_CHECKING, Any

# The backend distributions install modules into this package (and into
# ``litestar_storages.backends``); in editable installs each lives in its own src
# folder, which extend_path adds here. See docs/architecture.
__path__ = extend_path(__path__, __name__)

from litestar_storages.__metadata__ import __project__, __version__
from litestar_storages.attributes import NO_ATTRIBUTES, Encryption, ObjectAttributes
from litestar_storages.backends.memory import MemoryConfig, MemoryStorage
from litestar_storages.base import BaseStorage
from litestar_storages.capabilities import (
    SupportsAsyncContext,
    SupportsDeleteMany,
    SupportsFolderListing,
    SupportsMultipartUpload,
    SupportsOpenObject,
    SupportsPutLarge,
)
from litestar_storages.exceptions import (
    ConcurrentWriteError,
    ConfigurationError,
    InvalidDataError,
    InvalidKeyError,
    InvalidMetadataError,
    InvalidRangeError,
    StorageConnectionError,
    StorageError,
    StorageFileExistsError,
    StorageFileNotFoundError,
    StoragePermissionError,
    StorageValidationError,
    UnsupportedOperationError,
)
from litestar_storages.lazy import BACKEND_NAMES, load
from litestar_storages.protocol import Storage
from litestar_storages.retry import RetryConfig, retry, with_retry
from litestar_storages.types import (
    MultipartUpload,
    ProgressCallback,
    ProgressInfo,
    StoredFile,
    StoredFolder,
    UploadedPart,
    UploadForm,
    UploadResult,
)

if TYPE_CHECKING:
    from litestar_storages.backends.azure import AzureConfig, AzureStorage
    from litestar_storages.backends.filesystem import FileSystemConfig, FileSystemStorage
    from litestar_storages.backends.gcs import GCSConfig, GCSStorage
    from litestar_storages.backends.obstore import ObstoreConfig, ObstoreStorage
    from litestar_storages.backends.s3 import S3Config, S3Storage
    from litestar_storages.contrib.plugin import StoragePlugin

__all__ = (
    "NO_ATTRIBUTES",
    "AzureConfig",
    "AzureStorage",
    "BaseStorage",
    "ConcurrentWriteError",
    "ConfigurationError",
    "Encryption",
    "FileSystemConfig",
    "FileSystemStorage",
    "GCSConfig",
    "GCSStorage",
    "InvalidDataError",
    "InvalidKeyError",
    "InvalidMetadataError",
    "InvalidRangeError",
    "MemoryConfig",
    "MemoryStorage",
    "MultipartUpload",
    "ObjectAttributes",
    "ObstoreConfig",
    "ObstoreStorage",
    "ProgressCallback",
    "ProgressInfo",
    "RetryConfig",
    "S3Config",
    "S3Storage",
    "Storage",
    "StorageConnectionError",
    "StorageError",
    "StorageFileExistsError",
    "StorageFileNotFoundError",
    "StoragePermissionError",
    "StoragePlugin",
    "StorageValidationError",
    "StoredFile",
    "StoredFolder",
    "SupportsAsyncContext",
    "SupportsDeleteMany",
    "SupportsFolderListing",
    "SupportsMultipartUpload",
    "SupportsOpenObject",
    "SupportsPutLarge",
    "UnsupportedOperationError",
    "UploadForm",
    "UploadResult",
    "UploadedPart",
    "__project__",
    "__version__",
    "retry",
    "with_retry",
)

# name -> (module, distribution that provides it)
_LAZY: dict[str, tuple[str, str]] = {
    **BACKEND_NAMES,
    "StoragePlugin": ("litestar_storages.contrib.plugin", "litestar-storages-litestar"),
}


def __getattr__(name: str) -> Any:
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = load(name, *target)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
