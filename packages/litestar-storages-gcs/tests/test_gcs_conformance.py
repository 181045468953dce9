from collections.abc import AsyncIterator
from typing import ClassVar

import pytest_asyncio

from litestar_storages.attributes import Encryption, ObjectAttributes
from litestar_storages.backends.gcs import GCSConfig, GCSStorage
from litestar_storages.testing import StorageConformance

GCS_SAMPLES = ObjectAttributes(
    cache_control="public, max-age=3600",
    content_disposition='attachment; filename="report.txt"',
    content_encoding="gzip",
    content_language="de-CH",
    storage_class="NEARLINE",
    encryption=Encryption.managed(),
    acl="publicRead",
    tags={"project": "alpha"},  # GCS has none: refused
)
# fake-gcs-server ignores storageClass on resumable uploads and rewrites (they come back
# STANDARD; GCS honours both): the kit checks it nowhere, test_gcs_attributes.py checks
# it on one-request uploads against the emulator and the other requests on GCS's answers.
EMULATOR_UNREPORTED = frozenset({"acl", "storage_class"})


class TestGCSStorage(StorageConformance):
    signs_download_names: ClassVar[bool] = True
    attribute_samples: ClassVar[ObjectAttributes] = GCS_SAMPLES
    unreported_attributes: ClassVar[frozenset[str]] = EMULATOR_UNREPORTED

    @pytest_asyncio.fixture
    async def storage(self, gcs_config: GCSConfig) -> AsyncIterator[GCSStorage]:
        async with GCSStorage(gcs_config) as storage:
            yield storage


class TestGCSStorageWithPrefix(StorageConformance):
    signs_download_names: ClassVar[bool] = True
    attribute_samples: ClassVar[ObjectAttributes] = GCS_SAMPLES
    unreported_attributes: ClassVar[frozenset[str]] = EMULATOR_UNREPORTED

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
