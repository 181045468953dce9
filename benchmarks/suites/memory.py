"""In memory: MemoryStorage against obstore's MemoryStore."""

from __future__ import annotations

from typing import Any

from benchmarks.harness.contender import Contender, StorageContender
from benchmarks.harness.suite import SuiteSpec, no_service
from benchmarks.suites.obstore_peer import ObstoreContender, storage_over
from litestar_storages.backends.memory import MemoryStorage
from litestar_storages.base import BaseStorage


class OursMemory(StorageContender):
    """``MemoryStorage()`` with its defaults."""

    name = "litestar-storages"

    def make_storage(self) -> BaseStorage:
        return MemoryStorage()


class ObstoreMemory(ObstoreContender):
    """``obstore.store.MemoryStore()``."""

    name = "obstore MemoryStore"

    def make_store(self) -> Any:
        from obstore.store import MemoryStore

        return MemoryStore()


ObstoreStorageContender = storage_over(ObstoreMemory)

CONTENDERS: dict[str, type[Contender]] = {cls.name: cls for cls in (OursMemory, ObstoreMemory, ObstoreStorageContender)}

SUITE = SuiteSpec(
    name="memory",
    title="Memory",
    service="in-process dictionaries (no I/O)",
    ours=OursMemory.name,
    peers=(ObstoreMemory.name, ObstoreStorageContender.name),
    size_class="memory",
    start=no_service,
    in_process_fixtures=True,
    notes=(
        "Each worker writes its own fixtures (a memory store lives in one process), off the clock.",
        "MemoryStorage validates keys, guesses the content type and computes an MD5 etag on every put;"
        " MemoryStore does none of that.",
    ),
)
