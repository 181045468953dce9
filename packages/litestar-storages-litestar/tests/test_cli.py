"""``litestar storages ...`` through Litestar's own CLI group, with click's CliRunner."""

from __future__ import annotations

import asyncio
import importlib
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

import click
import pytest
from click.testing import CliRunner, Result
from litestar.cli.main import litestar_group

from litestar_storages.base import BaseStorage
from litestar_storages.contrib.cli import parse_duration

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

T = TypeVar("T")

NO_PLUGIN_SOURCE = """
from litestar import Litestar
app = Litestar([])
"""


@dataclass
class CLI:
    module: ModuleType
    invoke: Callable[..., Result]

    @property
    def default(self) -> BaseStorage:
        storage: BaseStorage = self.module.default
        return storage

    @property
    def images(self) -> BaseStorage:
        storage: BaseStorage = self.module.images
        return storage


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    # The CLI runs its own event loop (asyncio.run), so these tests are synchronous.
    return asyncio.run(coroutine)


def _load_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str) -> tuple[ModuleType, Callable[..., Result]]:
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

    return module, invoke


@pytest.fixture
def cli(backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CLI:
    module, invoke = _load_app(tmp_path, monkeypatch, APP_SOURCES[backend])
    return CLI(module, invoke)


async def _fill(cli: CLI) -> None:
    await cli.default.put("docs/a.txt", b"alpha")
    await cli.default.put("docs/b.txt", b"bravo!", metadata={"owner": "ann"})
    await cli.default.put("other.bin", b"\x00" * 10)
    await cli.images.put("cat.jpg", b"meow")


def test_help_lists_the_commands(cli: CLI) -> None:
    result = cli.invoke("--help")
    assert result.exit_code == 0
    for command in ("list", "info", "url", "rm", "cp"):
        assert command in result.output


def test_list_default_named_and_prefix(cli: CLI) -> None:
    run(_fill(cli))
    everything = cli.invoke("list")
    assert everything.exit_code == 0
    lines = everything.stdout.splitlines()
    assert [line.split()[-1] for line in lines] == ["docs/a.txt", "docs/b.txt", "other.bin"]
    assert lines[0].split()[0] == "5"
    assert "text/plain" in lines[0]
    assert "3 file(s)" in everything.stderr
    assert [line.split()[-1] for line in cli.invoke("list", "images").stdout.splitlines()] == ["cat.jpg"]
    assert [line.split()[-1] for line in cli.invoke("list", "docs/").stdout.splitlines()] == [
        "docs/a.txt",
        "docs/b.txt",
    ]
    assert [line.split()[-1] for line in cli.invoke("list", "default", "docs/b").stdout.splitlines()] == ["docs/b.txt"]
    assert len(cli.invoke("list", "--limit", "1").stdout.splitlines()) == 1


def test_info(cli: CLI) -> None:
    run(_fill(cli))
    result = cli.invoke("info", "docs/b.txt")
    assert result.exit_code == 0
    assert "key:           docs/b.txt" in result.stdout
    assert "size:          6" in result.stdout
    assert "metadata:      owner=ann" in result.stdout
    assert "key:           cat.jpg" in cli.invoke("info", "images:cat.jpg").stdout


def test_url_with_expiry(cli: CLI) -> None:
    run(_fill(cli))
    result = cli.invoke("url", "images:cat.jpg", "--expires", "2h")
    assert result.exit_code == 0
    assert result.stdout.strip() == run(cli.images.url("cat.jpg", expires_in=timedelta(hours=2)))


def test_url_put_unsupported_is_one_clean_line(cli: CLI) -> None:
    result = cli.invoke("url", "cat.jpg", "--method", "PUT")
    assert result.exit_code == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("Error: ")
    assert "PUT" in line or "upload" in line
    assert "Traceback" not in result.output


def test_rm(cli: CLI) -> None:
    run(_fill(cli))
    result = cli.invoke("rm", "docs/a.txt", "images:cat.jpg")
    assert result.exit_code == 0
    assert not run(cli.default.exists("docs/a.txt"))
    assert not run(cli.images.exists("cat.jpg"))
    missing = cli.invoke("rm", "docs/a.txt")
    assert missing.exit_code == 1
    assert missing.stderr.startswith("Error: File not found: docs/a.txt")
    assert cli.invoke("rm", "--missing-ok", "docs/a.txt").exit_code == 0


def test_cp_between_storages_keeps_type_and_metadata(cli: CLI) -> None:
    run(_fill(cli))
    result = cli.invoke("cp", "default:docs/b.txt", "images:copies/", "--quiet")
    assert result.exit_code == 0, result.output
    copied = run(cli.images.info("copies/b.txt"))
    assert run(cli.images.get_bytes("copies/b.txt")) == b"bravo!"
    assert copied.metadata == {"owner": "ann"}
    assert copied.content_type == "text/plain"


def test_cp_local_to_storage_and_back(cli: CLI, tmp_path: Path) -> None:
    source = tmp_path / "local.bin"
    payload = bytes(range(256)) * 5000
    source.write_bytes(payload)
    up = cli.invoke("cp", str(source), "images:up/local.bin")
    assert up.exit_code == 0, up.output
    assert run(cli.images.get_bytes("up/local.bin")) == payload
    folder = tmp_path / "downloads"
    folder.mkdir()
    down = cli.invoke("cp", "images:up/local.bin", str(folder))
    assert down.exit_code == 0, down.output
    assert (folder / "local.bin").read_bytes() == payload
    assert sorted(path.name for path in folder.iterdir()) == ["local.bin"]
    renamed = cli.invoke("cp", "images:up/local.bin", str(tmp_path / "renamed.bin"), "-q")
    assert renamed.exit_code == 0
    assert (tmp_path / "renamed.bin").read_bytes() == payload


def test_cp_errors_are_one_line(cli: CLI, tmp_path: Path) -> None:
    both_local = cli.invoke("cp", str(tmp_path / "a"), str(tmp_path / "b"))
    assert both_local.exit_code == 1
    assert both_local.stderr.strip() == "Error: cp, mv and sync need a storage on at least one side (NAME:KEY)"
    missing_local = cli.invoke("cp", str(tmp_path / "absent.bin"), "images:x.bin", "-q")
    assert missing_local.exit_code == 1
    assert len(missing_local.stderr.strip().splitlines()) == 1
    assert "absent.bin" in missing_local.stderr
    missing_key = cli.invoke("cp", "images:nope.bin", str(tmp_path / "out.bin"), "-q")
    assert missing_key.exit_code == 1
    assert missing_key.stderr.strip() == "Error: File not found: nope.bin"
    assert not (tmp_path / "out.bin").exists()
    assert not (tmp_path / "out.bin.part").exists()


def test_invalid_key_and_unknown_storage(cli: CLI) -> None:
    bad = cli.invoke("info", "../etc/passwd")
    assert bad.exit_code == 1
    assert bad.stderr.startswith("Error: Invalid key '../etc/passwd'")
    unknown = cli.invoke("list", "videos", "x/")
    assert unknown.exit_code == 1
    assert unknown.stderr.strip() == "Error: No storage named 'videos' (configured storages: default, images)"


def test_app_without_the_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: CLI) -> None:
    assert cli.invoke("list").exit_code == 0  # the `storages` group is registered now
    _, invoke = _load_app(tmp_path, monkeypatch, NO_PLUGIN_SOURCE)
    result = invoke("list")
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: The application has no StoragePlugin"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90", timedelta(seconds=90)),
        ("90s", timedelta(seconds=90)),
        ("15m", timedelta(minutes=15)),
        ("2h", timedelta(hours=2)),
        ("7d", timedelta(days=7)),
    ],
)
def test_parse_duration(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["0", "-5", "1w", "soon", ""])
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(click.BadParameter):
        parse_duration(text)
