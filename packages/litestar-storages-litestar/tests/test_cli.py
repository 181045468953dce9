"""``litestar storages ...`` through Litestar's own CLI group, with click's CliRunner."""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from pathlib import Path

import click
import pytest

from litestar_storages.attributes import ATTRIBUTE_NAMES
from litestar_storages.contrib.cli import parse_duration

sys.path.insert(0, str(Path(__file__).parent))

from cli_runner import APP_SOURCES, CLI, load_app, run

NO_PLUGIN_SOURCE = """
from litestar import Litestar
app = Litestar([])
"""


@pytest.fixture
def cli(backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CLI:
    return load_app(tmp_path, monkeypatch, APP_SOURCES[backend])


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
    result = load_app(tmp_path, monkeypatch, NO_PLUGIN_SOURCE).invoke("list")
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


def test_rm_missing_ok_says_the_file_was_missing(cli: CLI) -> None:
    run(_fill(cli))
    result = cli.invoke("rm", "--missing-ok", "nope.txt", "docs/a.txt")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["missing nope.txt (nothing to delete)", "deleted docs/a.txt"]
    assert not run(cli.default.exists("docs/a.txt"))


@pytest.mark.parametrize(
    "args",
    [
        ("cp", "nosuch:abc", "./y"),
        ("cp", "./y", "nosuch:abc"),
        ("sync", "nosuch:", "./y"),
        ("mv", "nosuch:a", "images:b"),
        ("list", "nosuchstorage"),
        ("list", "nosuch", "docs/"),
        ("list", "nosuch:docs/"),
        ("du", "nosuchstorage"),
        ("info", "nosuch:abc"),
        ("rm", "nosuch:abc"),
        ("url", "nosuch:abc"),
    ],
)
def test_unknown_storage_is_an_error_naming_the_configured_ones(
    cli: CLI, args: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "y").write_bytes(b"local")
    run(_fill(cli))
    result = cli.invoke(*args)
    assert result.exit_code == 1, result.output
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("Error: No storage named 'nosuch")
    assert "(configured storages: default, images)" in line
    assert result.stdout == ""
    assert (tmp_path / "y").read_bytes() == b"local"
    assert run(cli.default.exists("docs/a.txt"))


def test_a_prefix_with_a_slash_is_never_taken_for_a_storage_name(cli: CLI) -> None:
    result = cli.invoke("list", "docs/")
    assert result.exit_code == 0
    assert "0 file(s)" in result.stderr
    assert cli.invoke("list", "images").exit_code == 0  # an empty storage, named
    run(_fill(cli))
    bare = cli.invoke("list", "oth")  # one bare word that starts keys: a prefix
    assert bare.exit_code == 0
    assert bare.stdout.split()[-1] == "other.bin"
    assert cli.invoke("list", "images:cats/").exit_code == 0


def test_list_json_is_one_document_with_stored_file_fields(cli: CLI) -> None:
    run(_fill(cli))
    result = cli.invoke("list", "--json")
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    assert [item["key"] for item in listed] == ["docs/a.txt", "docs/b.txt", "other.bin"]
    assert set(listed[0]) == {"key", "size", "content_type", "etag", "last_modified", "metadata", "attributes"}
    assert listed[1]["size"] == 6
    assert listed[1]["metadata"] == {"owner": "ann"}
    assert listed[0]["last_modified"].endswith("+00:00")
    assert result.stderr == ""
    assert json.loads(cli.invoke("list", "images:none/", "--json").stdout) == []
    assert [item["key"] for item in json.loads(cli.invoke("list", "default:docs/", "--json").stdout)] == [
        "docs/a.txt",
        "docs/b.txt",
    ]


def test_info_json(cli: CLI) -> None:
    run(_fill(cli))
    result = cli.invoke("info", "--json", "docs/b.txt")
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    stored = run(cli.default.info("docs/b.txt"))
    assert info == {
        "key": "docs/b.txt",
        "size": 6,
        "content_type": "text/plain",
        "etag": stored.etag,
        "last_modified": stored.last_modified.isoformat() if stored.last_modified else None,
        "metadata": {"owner": "ann"},
        "attributes": dict.fromkeys(ATTRIBUTE_NAMES - {"tags"}) | {"tags": {}},
    }


def test_du_counts_files_and_bytes(cli: CLI) -> None:
    run(_fill(cli))
    run(cli.default.put("docs/big.bin", b"x" * 3000))
    human = cli.invoke("du", "docs/")
    assert human.exit_code == 0, human.output
    assert human.stdout.split() == ["2.9", "KiB", "3", "file(s)", "3011", "bytes", "default:docs/"]
    assert json.loads(cli.invoke("du", "--json").stdout) == {
        "storage": "default",
        "prefix": "",
        "count": 4,
        "bytes": 3021,
    }
    assert json.loads(cli.invoke("du", "images", "--json").stdout)["count"] == 1
    assert json.loads(cli.invoke("du", "images:nothing/", "--json").stdout)["count"] == 0
