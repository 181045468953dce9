from __future__ import annotations

import pytest

from litestar_storages.backends.obstore import ObstoreStorage
from litestar_storages.testing import StorageConformance


class TestObstoreMemoryStore(StorageConformance):
    """Every behaviour of the Storage protocol, over obstore's MemoryStore."""

    @pytest.fixture
    def storage(self, memory_storage: ObstoreStorage) -> ObstoreStorage:
        return memory_storage
