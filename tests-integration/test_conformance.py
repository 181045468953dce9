"""The core conformance kit, unchanged, against every backend (ids: memory, filesystem, s3, azure, gcs)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio
from storages_harness.backends import Backend, new_namespace

from litestar_storages.base import BaseStorage
from litestar_storages.testing import StorageConformance


class TestConformance(StorageConformance):
    @pytest_asyncio.fixture
    async def storage(self, backend: Backend) -> AsyncIterator[BaseStorage]:
        namespace = new_namespace()
        opened = await backend.open(namespace)
        try:
            yield opened
        finally:
            await opened.close()
            await backend.purge(namespace)
