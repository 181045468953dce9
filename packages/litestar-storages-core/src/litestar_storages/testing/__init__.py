"""Testing support: the conformance kit every backend passes.

Requires ``pytest`` and ``pytest-asyncio`` (not dependencies of core; install them in
your test environment). Subclass :class:`StorageConformance` and provide a ``storage``
fixture that yields an empty storage::

    import pytest_asyncio
    from litestar_storages.testing import StorageConformance

    class TestMyStorage(StorageConformance):
        @pytest_asyncio.fixture
        async def storage(self):
            async with MyStorage(...) as storage:
                yield storage
"""

from litestar_storages.testing.conformance import StorageConformance

__all__ = ("StorageConformance",)
