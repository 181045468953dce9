"""0.2.x compatibility: ``litestar_storages.backends`` exports every storage and config; ``__metadata__``.

One part of the 0.2.x compatibility suite (``test_compat_0_2_*.py``): code written for
the single-distribution litestar-storages 0.2.x runs unchanged. Each test is a
documented 0.2.x use, written as a 0.2.x user wrote it, plus the rules that let this
release's additions coexist with it (issue 17).
"""

from __future__ import annotations

import litestar_storages


def test_backends_package_exports_every_storage_and_config() -> None:
    from litestar_storages.backends import (
        AzureConfig,
        AzureStorage,
        FileSystemConfig,
        FileSystemStorage,
        GCSConfig,
        GCSStorage,
        MemoryConfig,
        MemoryStorage,
        S3Config,
        S3Storage,
    )

    for cls in (AzureStorage, FileSystemStorage, GCSStorage, MemoryStorage, S3Storage):
        assert cls is getattr(litestar_storages, cls.__name__)
    for config in (AzureConfig, FileSystemConfig, GCSConfig, MemoryConfig, S3Config):
        assert config is getattr(litestar_storages, config.__name__)


def test_metadata_module() -> None:
    from litestar_storages.__metadata__ import __project__, __version__

    assert __project__ == "litestar-storages"
    assert __version__ == litestar_storages.__version__
    assert tuple(int(part) for part in __version__.split(".")[:2]) > (0, 2)  # pip must prefer it to 0.2.3
