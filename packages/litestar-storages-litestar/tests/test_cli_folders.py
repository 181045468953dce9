"""``litestar storages list --dirs``: one folder, its files and sub-folders, as text and as JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from cli_runner import APP_SOURCES, CLI, load_app, run


@pytest.fixture
def cli(backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CLI:
    return load_app(tmp_path, monkeypatch, APP_SOURCES[backend])


async def _fill(cli: CLI) -> None:
    for key in ("docs/a.txt", "docs/2024/jan.txt", "docs/2024/feb/x.txt", "docs-old/z.txt", "top.txt", "ünï/é.txt"):
        await cli.default.put(key, key.encode())
    await cli.images.put("cats/tom.jpg", b"meow")


def _keys(stdout: str) -> list[str]:
    return [line.split()[-1] for line in stdout.splitlines()]


def test_dirs_lists_one_folder(cli: CLI) -> None:
    run(_fill(cli))
    root = cli.invoke("list", "--dirs")
    assert root.exit_code == 0, root.output
    assert _keys(root.stdout) == ["docs-old/", "docs/", "top.txt", "ünï/"]
    assert root.stdout.splitlines()[1].split()[0] == "DIR"
    assert "1 file(s), 3 folder(s)" in root.stderr
    for spelling in ("docs", "docs/", "default:docs", "default:docs/"):
        assert _keys(cli.invoke("list", "-d", spelling).stdout) == ["docs/2024/", "docs/a.txt"]
    assert _keys(cli.invoke("list", "--dirs", "default", "docs/2024").stdout) == ["docs/2024/feb/", "docs/2024/jan.txt"]
    assert _keys(cli.invoke("list", "--dirs", "images").stdout) == ["cats/"]
    assert _keys(cli.invoke("list", "--dirs", "--limit", "2").stdout) == ["docs-old/", "docs/"]


def test_without_dirs_the_listing_stays_recursive(cli: CLI) -> None:
    run(_fill(cli))
    assert _keys(cli.invoke("list", "docs/").stdout) == ["docs/2024/feb/x.txt", "docs/2024/jan.txt", "docs/a.txt"]


def test_dirs_json(cli: CLI) -> None:
    run(_fill(cli))
    result = cli.invoke("list", "--dirs", "--json", "docs")
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    assert listed[0] == {"kind": "folder", "key": "docs/2024/"}
    assert listed[1]["kind"] == "file"
    assert listed[1]["key"] == "docs/a.txt"
    assert listed[1]["size"] == len(b"docs/a.txt")
    assert result.stderr == ""
    assert json.loads(cli.invoke("list", "--dirs", "--json", "images:none/").stdout) == []


@pytest.mark.parametrize("prefix", ["default:../etc", "default:/abs", "default:a//b", "default:ctl\x01"])
def test_dirs_refuses_a_bad_folder_cleanly(cli: CLI, prefix: str) -> None:
    run(_fill(cli))
    result = cli.invoke("list", "--dirs", prefix)
    assert result.exit_code != 0
    assert "Invalid folder" in result.output
    assert "Traceback" not in result.output


def test_dirs_on_an_unknown_storage_is_an_error(cli: CLI) -> None:
    run(_fill(cli))
    result = cli.invoke("list", "--dirs", "nosuchstorage")
    assert result.exit_code != 0
    assert "images" in result.output  # the configured names are listed
