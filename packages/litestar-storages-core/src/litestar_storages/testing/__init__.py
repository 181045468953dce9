"""Testing support: the conformance kit every backend passes, and the emulator launchers.

The conformance kit requires ``pytest`` and ``pytest-asyncio`` (not dependencies of
core; install them in your test environment). Subclass :class:`StorageConformance` and
provide a ``storage`` fixture that yields an empty storage::

    import pytest_asyncio
    from litestar_storages.testing import StorageConformance

    class TestMyStorage(StorageConformance):
        @pytest_asyncio.fixture
        async def storage(self):
            async with MyStorage(...) as storage:
                yield storage

The emulator launchers in :mod:`litestar_storages.testing.emulators` do not need pytest:
a dev script or a benchmark can start an emulator without a test environment.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from litestar_storages.testing.conformance import StorageConformance

__all__ = ("StorageConformance",)


def __getattr__(name: str) -> object:
    # The kit imports pytest; loading it only on first use keeps this package (and so
    # ``litestar_storages.testing.emulators`` under it) importable without pytest.
    if name == "StorageConformance":
        from litestar_storages.testing.conformance import StorageConformance  # noqa: PLC0415

        return StorageConformance
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
