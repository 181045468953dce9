"""Fixtures of the NAME tests.

A backend over a real service starts its emulator here, once per session (the launchers
in ``litestar_storages.testing.emulators`` start moto, Azurite or fake-gcs-server); the template's
service lives in memory and needs none.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from litestar_storages.backends.NAME import NameConfig, NameStorage


@pytest_asyncio.fixture
async def name_storage() -> AsyncIterator[NameStorage]:
    # A fresh, empty storage per test; the prefix proves keys are relative to it.
    async with NameStorage(NameConfig(prefix="tenant-1", chunk_size=4093, part_size=1024 * 1024)) as storage:
        yield storage
