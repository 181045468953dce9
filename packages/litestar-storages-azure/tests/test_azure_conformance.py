"""The core conformance kit, unchanged, against Azurite: bare container and under a prefix."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any, ClassVar

import pytest_asyncio
from azure.storage.blob.aio import ContainerClient

from litestar_storages.attributes import Encryption, ObjectAttributes
from litestar_storages.backends.azure import AzureConfig, AzureStorage
from litestar_storages.testing import StorageConformance

MIB = 1024 * 1024

AZURE_SAMPLES = ObjectAttributes(
    cache_control="public, max-age=3600",
    content_disposition='attachment; filename="report.txt"',
    content_encoding="gzip",
    content_language="de-CH",
    storage_class="Cool",
    encryption=Encryption.scope("kit-scope"),
    acl="private",  # refused: Azure has no per-blob ACL
    tags={"project": "alpha", "team": "data-eng"},
)
"""Azure's values: an access tier; an encryption scope (Azurite accepts any name and ignores it)."""

AZURITE_UNREPORTED = frozenset({"acl", "encryption"})
"""Azurite ignores x-ms-encryption-scope (it reports none); tests/test_azure_attributes.py checks
the header is sent and read back from Azure's answer."""


class TestAzureConformance(StorageConformance):
    """Each test gets an empty container; 1 MiB blocks make the kit's large uploads staged."""

    large_size: ClassVar[int] = 5 * MIB + 12345
    signs_download_names: ClassVar[bool] = True
    attribute_samples: ClassVar[ObjectAttributes] = AZURE_SAMPLES
    unreported_attributes: ClassVar[frozenset[str]] = AZURITE_UNREPORTED
    unlisted_attributes: ClassVar[frozenset[str]] = frozenset({"tags"})

    @pytest_asyncio.fixture
    async def storage(self, config: AzureConfig) -> AsyncIterator[AzureStorage]:
        async with AzureStorage(config) as storage:
            yield storage


class TestAzurePrefixedConformance(StorageConformance):
    """Each test gets a fresh prefix in a container that also holds other blobs.

    The kit asserts exact listings and absences, so anything leaking across the
    prefix (listing, deleting, copying) fails it.
    """

    signs_download_names: ClassVar[bool] = True
    attribute_samples: ClassVar[ObjectAttributes] = AZURE_SAMPLES
    unreported_attributes: ClassVar[frozenset[str]] = AZURITE_UNREPORTED
    unlisted_attributes: ClassVar[frozenset[str]] = frozenset({"tags"})

    @pytest_asyncio.fixture
    async def storage(
        self, azurite: Any, container: ContainerClient, new_name: Callable[[str], str]
    ) -> AsyncIterator[AzureStorage]:
        for neighbour in ("outside.txt", "a.txt", "b/1.txt", "zz/other.bin"):
            await container.upload_blob(neighbour, b"not yours")
        config = AzureConfig(
            container=container.container_name,
            connection_string=azurite.connection_string,
            prefix=new_name("p") + "/",
            block_size=MIB,
            max_concurrency=3,
        )
        async with AzureStorage(config) as storage:
            yield storage
