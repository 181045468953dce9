"""The whole conformance kit over the engine and an in-memory driver with parts."""

from __future__ import annotations

import pytest
from engine_drivers import PartsDriver

from litestar_storages.engine import DriverStorage
from litestar_storages.testing import StorageConformance


class TestEngineConformance(StorageConformance):
    """The whole kit over the engine and an in-memory driver with parts."""

    @pytest.fixture
    def storage(self) -> DriverStorage:
        return DriverStorage(PartsDriver(), prefix="tenant")
