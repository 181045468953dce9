from collections.abc import AsyncIterator
from typing import ClassVar

import pytest_asyncio

from litestar_storages.backends.gcs import GCSConfig, GCSStorage
from litestar_storages.testing import StorageConformance


class TestGCSStorage(StorageConformance):
    signs_download_names: ClassVar[bool] = True

    @pytest_asyncio.fixture
    async def storage(self, gcs_config: GCSConfig) -> AsyncIterator[GCSStorage]:
        async with GCSStorage(gcs_config) as storage:
            yield storage


class TestGCSStorageWithPrefix(StorageConformance):
    signs_download_names: ClassVar[bool] = True

    @pytest_asyncio.fixture
    async def storage(self, gcs_config: GCSConfig) -> AsyncIterator[GCSStorage]:
        config = GCSConfig(
            bucket=gcs_config.bucket,
            api_root=gcs_config.api_root,
            service_file=gcs_config.service_file,
            chunk_size=gcs_config.chunk_size,
            prefix="tenant/a",
        )
        async with GCSStorage(config) as storage:
            yield storage
