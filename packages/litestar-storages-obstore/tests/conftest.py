"""Fixtures of the obstore tests: one storage per kind of store, each empty per test."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from obstore.store import LocalStore, MemoryStore

from litestar_storages.backends.obstore import ObstoreConfig, ObstoreStorage

MIB = 1024 * 1024


@pytest_asyncio.fixture
async def memory_storage() -> AsyncIterator[ObstoreStorage]:
    # part_size at obstore's floor (5 MiB) so the kit's large transfers are streamed.
    async with ObstoreStorage(config=ObstoreConfig(store=MemoryStore(), prefix="tenant-1", part_size=5 * MIB)) as s:
        yield s


@pytest_asyncio.fixture
async def local_storage(tmp_path: Path) -> AsyncIterator[ObstoreStorage]:
    store = LocalStore(str(tmp_path), mkdir=True)
    async with ObstoreStorage(config=ObstoreConfig(store=store, part_size=5 * MIB)) as s:
        yield s


@pytest.fixture
def unique() -> str:
    return uuid.uuid4().hex[:12]
