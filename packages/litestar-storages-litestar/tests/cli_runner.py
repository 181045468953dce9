"""Running ``litestar storages ...`` in tests: an app module per test, Litestar's own CLI group.

Test files put this folder on ``sys.path`` (``--import-mode=importlib`` does not) and
import from here.
"""

from __future__ import annotations

import asyncio
import importlib
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

import pytest
from click.testing import CliRunner, Result
from litestar.cli.main import litestar_group

from litestar_storages.base import BaseStorage

T = TypeVar("T")

APP_SOURCES = {
    "memory": """
from litestar import Litestar
from litestar_storages import MemoryStorage
from litestar_storages.contrib import StoragePlugin

default = MemoryStorage()
images = MemoryStorage()
app = Litestar([], plugins=[StoragePlugin(default, images=images)])
""",
    "filesystem": """
from pathlib import Path
from litestar import Litestar
from litestar_storages import FileSystemConfig, FileSystemStorage
from litestar_storages.contrib import StoragePlugin

here = Path(__file__).parent
default = FileSystemStorage(FileSystemConfig(path=here / "default-files"))
images = FileSystemStorage(FileSystemConfig(path=here / "image-files"))
app = Litestar([], plugins=[StoragePlugin(default, images=images)])
""",
}

SERVED_STORAGE = '''
import asyncio
from datetime import datetime, timezone

from litestar_storages import MemoryStorage, StoredFile
from litestar_storages.exceptions import StorageConnectionError, StorageFileNotFoundError


class Served(MemoryStorage):
    """Serves fixed files under any key, as a bucket written by another client can hold.

    Keys in ``broken`` fail after their first chunk; ``delay`` slows every chunk.
    """

    def __init__(self, files, *, broken=(), delay=0.0, chunk=1 << 20):
        super().__init__()
        self.files = dict(files)
        self.broken = set(broken)
        self.delay = delay
        self.chunk = chunk

    def _stored(self, key):
        data = self.files[key]
        when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
        return StoredFile(key, len(data), "application/x-served", f'"{len(data)}"', when, {"origin": "served"})

    async def list(self, prefix="", *, limit=None):
        for key in sorted(self.files):
            if key.startswith(prefix):
                yield self._stored(key)

    async def info(self, key):
        if key not in self.files:
            raise StorageFileNotFoundError(key)
        return self._stored(key)

    async def get(self, key, *, start=None, end=None, progress=None):
        data = self.files[key]
        for offset in range(0, max(len(data), 1), self.chunk):
            if self.delay:
                await asyncio.sleep(self.delay)
            yield data[offset : offset + self.chunk]
            if key in self.broken:
                raise StorageConnectionError(f"connection reset while reading {key}", key=key)
'''


@dataclass
class CLI:
    """An app module and a function running ``litestar storages <args>`` on it."""

    module: ModuleType
    invoke: Callable[..., Result]

    def storage(self, name: str) -> BaseStorage:
        storage: BaseStorage = getattr(self.module, name)
        return storage

    @property
    def default(self) -> BaseStorage:
        return self.storage("default")

    @property
    def images(self) -> BaseStorage:
        return self.storage("images")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    # The CLI runs its own event loop (asyncio.run), so these tests are synchronous.
    return asyncio.run(coroutine)


def load_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str) -> CLI:
    """Write ``source`` as an app module in ``tmp_path`` and return a CLI on it."""
    name = f"cli_app_{uuid.uuid4().hex}"
    (tmp_path / f"{name}.py").write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("LITESTAR_APP", f"{name}:app")
    monkeypatch.setenv("LITESTAR_QUIET_CONSOLE", "1")
    module = importlib.import_module(name)
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        # Litestar's root group asks the app's plugins for commands once per process; a
        # real `litestar` run loads one app, these tests load one per test.
        monkeypatch.setattr(litestar_group, "_prepare_done", False)
        return runner.invoke(litestar_group, ["--app-dir", str(tmp_path), "storages", *args], catch_exceptions=False)

    return CLI(module, invoke)


def files_below(folder: Path) -> dict[str, bytes]:
    """Every regular file below ``folder`` (links not followed), by ``/``-separated name."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }
