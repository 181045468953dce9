"""Names from other distributions, imported on first access with an install hint.

``litestar_storages`` and ``litestar_storages.backends`` export ``S3Storage``,
``GCSConfig``... without importing any SDK until one is used. A name whose
distribution is missing raises an ``ImportError`` that says what to install.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ("BACKEND_NAMES", "load")

BACKEND_NAMES: dict[str, tuple[str, str]] = {
    "FileSystemStorage": ("litestar_storages.backends.filesystem", "litestar-storages-fs"),
    "FileSystemConfig": ("litestar_storages.backends.filesystem", "litestar-storages-fs"),
    "S3Storage": ("litestar_storages.backends.s3", "litestar-storages-s3"),
    "S3Config": ("litestar_storages.backends.s3", "litestar-storages-s3"),
    "GCSStorage": ("litestar_storages.backends.gcs", "litestar-storages-gcs"),
    "GCSConfig": ("litestar_storages.backends.gcs", "litestar-storages-gcs"),
    "AzureStorage": ("litestar_storages.backends.azure", "litestar-storages-azure"),
    "AzureConfig": ("litestar_storages.backends.azure", "litestar-storages-azure"),
    "ObstoreStorage": ("litestar_storages.backends.obstore", "litestar-storages-obstore"),
    "ObstoreConfig": ("litestar_storages.backends.obstore", "litestar-storages-obstore"),
}
"""Backend names (``*Storage``, ``*Config``) -> (module, distribution that provides it)."""


def load(name: str, module_name: str, distribution: str) -> Any:
    """Import ``module_name`` and return its attribute ``name``.

    Args:
        name: The attribute wanted.
        module_name: The module defining it.
        distribution: The distribution that installs the module, named in the error.

    Returns:
        The attribute.

    Raises:
        ImportError: If the module or one of its dependencies is not installed; the
            message names the distribution to install.
    """
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
    return getattr(module, name)
