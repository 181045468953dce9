"""The core conformance kit, unchanged, against every backend (ids: memory, filesystem, s3, azure, gcs)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from storages_harness.backends import Backend, new_namespace

from litestar_storages.base import BaseStorage
from litestar_storages.testing import StorageConformance


class TestConformance(StorageConformance):
    @pytest.fixture(autouse=True)
    def _service_attributes(self, backend: Backend, monkeypatch: pytest.MonkeyPatch) -> None:
        # Attribute values are in each service's own names (storage classes, ACLs), and
        # emulators report fewer than they store: the backend says which (for this test only).
        if backend.attribute_samples is not None:
            monkeypatch.setattr(self, "attribute_samples", backend.attribute_samples)
        if backend.unreported_attributes is not None:
            monkeypatch.setattr(self, "unreported_attributes", backend.unreported_attributes)
        monkeypatch.setattr(self, "unlisted_attributes", backend.unlisted_attributes)

    @pytest_asyncio.fixture
    async def storage(self, backend: Backend) -> AsyncIterator[BaseStorage]:
        namespace = new_namespace()
        opened = await backend.open(namespace)
        try:
            yield opened
        finally:
            await opened.close()
            await backend.purge(namespace)
