"""Litestar integration for litestar-storages.

``StoragePlugin`` injects storages into handlers and closes them on shutdown;
``storage_response`` serves stored files with Range and conditional requests, and
uploaded HTML, SVG or scripts without letting them run on the application's origin
(``active_content``); ``save_upload``/``save_request_body`` stream uploads in with size
limits and a content type the client does not choose;
``StorageFileSystem`` lets Litestar's ``File`` and static files read from any storage;
the plugin also adds a ``litestar storages`` CLI group and documents file downloads
and raw uploads in the OpenAPI schema (:mod:`~litestar_storages.contrib.openapi`).

``provide_storage``, ``StorageDependency`` and ``LITESTAR_AVAILABLE`` keep their 0.2.x
meaning.
"""

from litestar_storages.contrib.config import StoragePluginConfig
from litestar_storages.contrib.dependencies import StorageDependency, provide_storage, provide_upload_limit
from litestar_storages.contrib.dto import StoredFileDTO, StoredFileReadDTO
from litestar_storages.contrib.error_handlers import storage_exception_handlers
from litestar_storages.contrib.filesystem_adapter import StorageFile, StorageFileSystem
from litestar_storages.contrib.openapi import RAW_UPLOAD_OPT, RawUploadOperation, StorageDownloadOperation
from litestar_storages.contrib.plugin import StoragePlugin
from litestar_storages.contrib.responses import StorageResponse, storage_response
from litestar_storages.contrib.serving_policy import ACTIVE_CONTENT_OPT, ActiveContent
from litestar_storages.contrib.signed_routes import signed_route_handlers
from litestar_storages.contrib.uploads import (
    MAX_UPLOAD_SIZE_OPT,
    UploadTooLargeError,
    limit_size,
    save_request_body,
    save_upload,
    upload_limit,
)
from litestar_storages.contrib.version import __version__

LITESTAR_AVAILABLE = True
"""Whether the Litestar integration can be used: always ``True`` where this module imports.

In 0.2.x the integration was an optional part of the one distribution and this flag told
whether Litestar was installed. It now comes with ``litestar-storages-litestar`` (the
``litestar`` extra), which requires Litestar: without it, ``litestar_storages.contrib``
is not installed at all.
"""

__all__ = (
    "ACTIVE_CONTENT_OPT",
    "ActiveContent",
    "LITESTAR_AVAILABLE",
    "MAX_UPLOAD_SIZE_OPT",
    "RAW_UPLOAD_OPT",
    "RawUploadOperation",
    "StorageDependency",
    "StorageDownloadOperation",
    "StorageFile",
    "StorageFileSystem",
    "StoragePlugin",
    "StoragePluginConfig",
    "StorageResponse",
    "StoredFileDTO",
    "StoredFileReadDTO",
    "UploadTooLargeError",
    "__version__",
    "limit_size",
    "provide_storage",
    "provide_upload_limit",
    "save_request_body",
    "save_upload",
    "signed_route_handlers",
    "storage_exception_handlers",
    "storage_response",
    "upload_limit",
)
