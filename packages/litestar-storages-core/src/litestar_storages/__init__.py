"""litestar-storages: async file storage over the filesystem, memory, S3, GCS and Azure.

The core names are imported eagerly. Backend names (``S3Storage``, ``GCSConfig``, ...)
and ``StoragePlugin`` come from their own distributions and are imported on first
access, so ``import litestar_storages`` never loads an SDK; accessing one whose
distribution is missing raises an ``ImportError`` that names what to install.
"""

from __future__ import annotations

import importlib
from pkgutil import extend_path
from typing import TYPE_CHECKING, Any

# The backend distributions install modules into this package (and into
# ``litestar_storages.backends``); in editable installs each lives in its own src
# folder, which extend_path adds here. See docs/architecture.
__path__ = extend_path(__path__, __name__)

from litestar_storages.backends.memory import MemoryConfig, MemoryStorage
from litestar_storages.base import BaseStorage
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
from litestar_storages.protocol import Storage
from litestar_storages.retry import RetryConfig, retry, with_retry
from litestar_storages.types import (
    MultipartUpload,
    ProgressCallback,
    ProgressInfo,
    StoredFile,
    UploadForm,
    UploadResult,
)
from litestar_storages.version import __version__

if TYPE_CHECKING:
    from litestar_storages.backends.azure import AzureConfig, AzureStorage
    from litestar_storages.backends.filesystem import FileSystemConfig, FileSystemStorage
    from litestar_storages.backends.gcs import GCSConfig, GCSStorage
    from litestar_storages.backends.s3 import S3Config, S3Storage
    from litestar_storages.contrib.plugin import StoragePlugin

__all__ = (
    "AzureConfig",
    "AzureStorage",
    "BaseStorage",
    "ConcurrentWriteError",
    "ConfigurationError",
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
    "UnsupportedOperationError",
    "UploadForm",
    "UploadResult",
    "__version__",
    "retry",
    "with_retry",
)

# name -> (module, distribution that provides it)
_LAZY: dict[str, tuple[str, str]] = {
    "FileSystemStorage": ("litestar_storages.backends.filesystem", "litestar-storages-fs"),
    "FileSystemConfig": ("litestar_storages.backends.filesystem", "litestar-storages-fs"),
    "S3Storage": ("litestar_storages.backends.s3", "litestar-storages-s3"),
    "S3Config": ("litestar_storages.backends.s3", "litestar-storages-s3"),
    "GCSStorage": ("litestar_storages.backends.gcs", "litestar-storages-gcs"),
    "GCSConfig": ("litestar_storages.backends.gcs", "litestar-storages-gcs"),
    "AzureStorage": ("litestar_storages.backends.azure", "litestar-storages-azure"),
    "AzureConfig": ("litestar_storages.backends.azure", "litestar-storages-azure"),
    "StoragePlugin": ("litestar_storages.contrib.plugin", "litestar-storages-litestar"),
}


def __getattr__(name: str) -> Any:
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module_name, distribution = target
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        missing = error.name or ""
        hint = f"pip install {distribution}"
        if module_name == missing or module_name.startswith(missing + "."):
            raise ImportError(
                f"{name} needs the {distribution} distribution, which is not installed: {hint}", name=module_name
            ) from error
        raise ImportError(
            f"{name} could not be imported: its dependency {missing!r} is missing. "
            f"Reinstall the backend with its dependencies: {hint}",
            name=module_name,
        ) from error
    value = getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
