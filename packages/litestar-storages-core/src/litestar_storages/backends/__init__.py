"""Storage backends. Each lives in its own distribution but this one package.

``memory`` ships with ``litestar-storages-core``; ``filesystem``, ``s3``, ``gcs``,
``azure`` and ``obstore`` come from ``litestar-storages-fs``, ``-s3``, ``-gcs``,
``-azure`` and ``-obstore``. As in
0.2.x, every storage and configuration class is importable from here
(``from litestar_storages.backends import S3Storage``); each is imported on first
access, and one whose distribution is missing raises an ``ImportError`` naming it.
"""

from __future__ import annotations

from pkgutil import extend_path
from typing import TYPE_CHECKING, Any

from litestar_storages.lazy import BACKEND_NAMES, load

# Backends installed from other distributions (or other src folders, in editable
# installs) add their modules to this package: see docs/architecture.
__path__ = extend_path(__path__, __name__)

if TYPE_CHECKING:
    from litestar_storages.backends.azure import AzureConfig, AzureStorage
    from litestar_storages.backends.filesystem import FileSystemConfig, FileSystemStorage
    from litestar_storages.backends.gcs import GCSConfig, GCSStorage
    from litestar_storages.backends.memory import MemoryConfig, MemoryStorage
    from litestar_storages.backends.obstore import ObstoreConfig, ObstoreStorage
    from litestar_storages.backends.s3 import S3Config, S3Storage

__all__ = (
    "AzureConfig",
    "AzureStorage",
    "FileSystemConfig",
    "FileSystemStorage",
    "GCSConfig",
    "GCSStorage",
    "MemoryConfig",
    "MemoryStorage",
    "ObstoreConfig",
    "ObstoreStorage",
    "S3Config",
    "S3Storage",
)

_LAZY: dict[str, tuple[str, str]] = {
    **BACKEND_NAMES,
    # Imported lazily too: litestar_storages imports this package while it is itself
    # being imported, before memory's dependencies are ready.
    "MemoryStorage": ("litestar_storages.backends.memory", "litestar-storages-core"),
    "MemoryConfig": ("litestar_storages.backends.memory", "litestar-storages-core"),
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
