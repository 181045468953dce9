"""``litestar storages ...`` over ObstoreStorage (MemoryStore and LocalStore) through the plugin."""

from __future__ import annotations

import asyncio
import importlib
import uuid
from collections.abc import Callable, Coroutine
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

import pytest
from click.testing import CliRunner, Result
from litestar.cli.main import litestar_group

from litestar_storages import ObstoreStorage

T = TypeVar("T")

APP_SOURCE = """
from pathlib import Path
from litestar import Litestar
from obstore.store import LocalStore, MemoryStore
from litestar_storages import ObstoreConfig, ObstoreStorage
from litestar_storages.contrib import StoragePlugin

here = Path(__file__).parent
default = ObstoreStorage(config=ObstoreConfig(store=MemoryStore(), prefix="tenant"))
disk = ObstoreStorage(LocalStore(str(here / "obstore-files"), mkdir=True))
app = Litestar([], plugins=[StoragePlugin(default, disk=disk)])
"""


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    # The CLI runs its own event loop (asyncio.run), so these tests are synchronous.
    return asyncio.run(coroutine)


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[ModuleType, Callable[..., Result]]:
    name = f"cli_obstore_app_{uuid.uuid4().hex}"
    (tmp_path / f"{name}.py").write_text(APP_SOURCE)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("LITESTAR_APP", f"{name}:app")
    monkeypatch.setenv("LITESTAR_QUIET_CONSOLE", "1")
    module = importlib.import_module(name)
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        # Litestar's root group asks the app's plugins for commands once per process.
        monkeypatch.setattr(litestar_group, "_prepare_done", False)
        return runner.invoke(litestar_group, ["--app-dir", str(tmp_path), "storages", *args], catch_exceptions=False)

    return module, invoke


def test_list_info_cp_and_rm_over_obstore(app: tuple[ModuleType, Callable[..., Result]], tmp_path: Path) -> None:
    module, invoke = app
    default: ObstoreStorage = module.default
    disk: ObstoreStorage = module.disk
    payload = bytes(range(256)) * 4000  # 1,024,000 bytes: streamed both ways
    source = tmp_path / "report.bin"
    source.write_bytes(payload)

    up = invoke("cp", str(source), "default:docs/report.bin", "-q")
    assert up.exit_code == 0, up.output
    assert run(default.get_bytes("docs/report.bin")) == payload
    run(default.put("docs/notes.txt", b"hello", metadata={"owner": "ann"}))
    up_disk = invoke("cp", str(source), "disk:in/report.bin", "-q")
    assert up_disk.exit_code == 0, up_disk.output
    assert (tmp_path / "obstore-files" / "in" / "report.bin").read_bytes() == payload

    listed = invoke("list")
    assert listed.exit_code == 0, listed.output
    lines = listed.stdout.splitlines()
    assert [line.split()[-1] for line in lines] == ["docs/notes.txt", "docs/report.bin"]  # keys, no prefix
    assert lines[1].split()[0] == str(len(payload))
    assert [line.split()[-1] for line in invoke("list", "disk").stdout.splitlines()] == ["in/report.bin"]

    info = invoke("info", "docs/notes.txt")
    assert info.exit_code == 0, info.output
    assert "key:           docs/notes.txt" in info.stdout
    assert "size:          5" in info.stdout
    assert "metadata:      owner=ann" in info.stdout
    assert "key:           in/report.bin" in invoke("info", "disk:in/report.bin").stdout

    folder = tmp_path / "downloads"
    folder.mkdir()
    down = invoke("cp", "default:docs/report.bin", str(folder), "-q")
    assert down.exit_code == 0, down.output
    assert (folder / "report.bin").read_bytes() == payload
    across = invoke("cp", "default:docs/report.bin", "disk:copies/", "-q")
    assert across.exit_code == 0, across.output
    assert run(disk.get_bytes("copies/report.bin")) == payload
    # LocalStore keeps no metadata: one clean line, nothing half-copied.
    refused = invoke("cp", "default:docs/notes.txt", "disk:copies/", "-q")
    assert refused.exit_code == 1
    assert refused.stderr.strip() == "Error: LocalStore keeps no object attributes: it cannot store custom metadata"
    assert not run(disk.exists("copies/notes.txt"))

    removed = invoke("rm", "docs/report.bin", "disk:in/report.bin")
    assert removed.exit_code == 0, removed.output
    assert not run(default.exists("docs/report.bin"))
    assert not (tmp_path / "obstore-files" / "in" / "report.bin").exists()
    missing = invoke("rm", "docs/report.bin")
    assert missing.exit_code == 1
    assert missing.stderr.strip() == "Error: File not found: docs/report.bin"
    assert invoke("rm", "--missing-ok", "disk:in/report.bin").exit_code == 0
