from __future__ import annotations

import pytest

from litestar_storages.backends.NAME import NameStorage
from litestar_storages.testing import StorageConformance


class TestNameStorage(StorageConformance):
    """Every behaviour of the Storage protocol, checked against NameStorage."""

    @pytest.fixture
    def storage(self, name_storage: NameStorage) -> NameStorage:
        return name_storage
