"""``cp``, ``cp -r``, ``mv`` and ``sync`` between storages and local folders (memory and filesystem)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from cli_runner import APP_SOURCES, CLI, files_below, load_app, run


@pytest.fixture
def cli(backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CLI:
    # Relative local paths, as a user types them; the app's own files live apart.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app").mkdir()
    return load_app(tmp_path / "app", monkeypatch, APP_SOURCES[backend])


TREE = {
    "photos/2026/photo.jpg": b"jpeg bytes",
    "photos/2026/raw/photo.cr2": b"raw" * 1000,
    "photos/index.html": b"<h1>photos</h1>",
    "photos-not-below/x.txt": b"not in photos/",
    "top.txt": b"top",
}


async def _fill(cli: CLI, name: str = "default", tree: dict[str, bytes] | None = None) -> None:
    for key, data in (tree or TREE).items():
        await cli.storage(name).put(key, data, metadata={"from": key})


async def _keys(cli: CLI, name: str, prefix: str = "") -> dict[str, bytes]:
    storage = cli.storage(name)
    return {stored.key: await storage.get_bytes(stored.key) async for stored in storage.list(prefix)}


# -- one file -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("destination", "written"),
    [
        ("./restore/", "restore/photo.jpg"),  # a missing folder, named by its trailing /
        ("./restore3/sub/", "restore3/sub/photo.jpg"),  # folders created
        ("restore4/deeper/renamed.jpg", "restore4/deeper/renamed.jpg"),  # a file in missing folders
        (".", "photo.jpg"),  # an existing folder, no slash
        ("existing", "existing/photo.jpg"),
    ],
)
def test_cp_download_names_like_aws(cli: CLI, tmp_path: Path, destination: str, written: str) -> None:
    (tmp_path / "existing").mkdir()
    run(_fill(cli))
    result = cli.invoke("cp", "default:photos/2026/photo.jpg", destination, "-q")
    assert result.exit_code == 0, result.output
    assert (tmp_path / written).read_bytes() == b"jpeg bytes"
    verb_and_source, shown = result.stdout.strip().split(" -> ")
    assert verb_and_source == "download: default:photos/2026/photo.jpg"
    assert os.path.normpath(shown) == os.path.normpath(written)
    assert [path.name for path in tmp_path.rglob("*.part")] == []
    assert not (tmp_path / "restore").is_file()


def test_cp_upload_names(cli: CLI, tmp_path: Path) -> None:
    (tmp_path / "local.txt").write_bytes(b"local")
    assert cli.invoke("cp", "local.txt", "images:", "-q").exit_code == 0
    assert cli.invoke("cp", "local.txt", "images:in/", "-q").exit_code == 0
    assert cli.invoke("cp", str(tmp_path / "local.txt"), "images:in/other.txt", "-q").exit_code == 0
    assert run(_keys(cli, "images")) == {"local.txt": b"local", "in/local.txt": b"local", "in/other.txt": b"local"}


def test_cp_of_a_folder_needs_r(cli: CLI, tmp_path: Path) -> None:
    run(_fill(cli))
    (tmp_path / "folder").mkdir()
    for source, destination in (("default:photos/", "out/"), ("folder", "images:")):
        result = cli.invoke("cp", source, destination)
        assert result.exit_code == 1
        assert "add -r" in result.stderr
    same = cli.invoke("cp", "default:top.txt", "default:")
    assert same.exit_code == 1
    assert "same file" in same.stderr


def test_cp_between_storages_keeps_type_and_metadata(cli: CLI) -> None:
    run(_fill(cli))
    result = cli.invoke("cp", "default:photos/index.html", "images:copies/", "-q")
    assert result.exit_code == 0, result.output
    copied = run(cli.images.info("copies/index.html"))
    assert copied.content_type == "text/html"
    assert copied.metadata == {"from": "photos/index.html"}


# -- recursive copies -----------------------------------------------------------------


@pytest.mark.parametrize("jobs", ["1", "8"])
def test_cp_r_prefix_to_folder_and_back(cli: CLI, tmp_path: Path, jobs: str) -> None:
    run(_fill(cli))
    down = cli.invoke("cp", "-r", "default:photos", "restore", "-q", "--jobs", jobs)
    assert down.exit_code == 0, down.output
    below = {key.removeprefix("photos/"): data for key, data in TREE.items() if key.startswith("photos/")}
    assert files_below(tmp_path / "restore") == below
    assert len(down.stdout.splitlines()) == 3
    assert "3 file(s) downloaded" in down.stderr
    up = cli.invoke("cp", "-r", "restore", "images:backup/", "-q", "-j", jobs)
    assert up.exit_code == 0, up.output
    assert run(_keys(cli, "images")) == {f"backup/{name}": data for name, data in below.items()}


def test_cp_r_storage_to_storage_and_within_one(cli: CLI) -> None:
    run(_fill(cli))
    across = cli.invoke("cp", "-r", "default:photos/", "images:", "-q")
    assert across.exit_code == 0, across.output
    assert set(run(_keys(cli, "images"))) == {"2026/photo.jpg", "2026/raw/photo.cr2", "index.html"}
    assert run(cli.images.info("2026/raw/photo.cr2")).metadata == {"from": "photos/2026/raw/photo.cr2"}
    within = cli.invoke("cp", "-r", "default:photos/2026", "default:archive/2026/", "-q")
    assert within.exit_code == 0, within.output
    assert run(_keys(cli, "default", "archive/")) == {
        "archive/2026/photo.jpg": b"jpeg bytes",
        "archive/2026/raw/photo.cr2": b"raw" * 1000,
    }


@pytest.mark.parametrize(
    ("source", "destination"),
    [("default:photos/", "default:photos/2026/"), ("default:photos/2026", "default:photos")],
)
def test_recursive_copy_into_itself_is_refused(cli: CLI, source: str, destination: str) -> None:
    run(_fill(cli))
    result = cli.invoke("cp", "-r", source, destination)
    assert result.exit_code == 1
    assert "overlap" in result.stderr
    assert run(_keys(cli, "default")) == TREE


# -- mv ---------------------------------------------------------------------------------


def test_mv_one_file_each_way(cli: CLI, tmp_path: Path) -> None:
    run(_fill(cli))
    down = cli.invoke("mv", "default:top.txt", "./here/", "-q")
    assert down.exit_code == 0, down.output
    assert down.stdout.startswith("move: default:top.txt -> ")
    assert (tmp_path / "here" / "top.txt").read_bytes() == b"top"
    assert not run(cli.default.exists("top.txt"))
    up = cli.invoke("mv", "here/top.txt", "images:moved.txt", "-q")
    assert up.exit_code == 0, up.output
    assert not (tmp_path / "here" / "top.txt").exists()
    assert run(cli.images.get_bytes("moved.txt")) == b"top"
    within = cli.invoke("mv", "images:moved.txt", "images:again/", "-q")
    assert within.exit_code == 0, within.output
    assert run(_keys(cli, "images")) == {"again/moved.txt": b"top"}


def test_mv_r(cli: CLI) -> None:
    run(_fill(cli))
    result = cli.invoke("mv", "-r", "default:photos/", "images:p/", "-q")
    assert result.exit_code == 0, result.output
    assert set(run(_keys(cli, "images"))) == {"p/2026/photo.jpg", "p/2026/raw/photo.cr2", "p/index.html"}
    assert set(run(_keys(cli, "default"))) == {"photos-not-below/x.txt", "top.txt"}


def test_mv_that_fails_keeps_the_source(cli: CLI, tmp_path: Path) -> None:
    run(_fill(cli))
    (tmp_path / "blocked").mkdir()
    (tmp_path / "blocked" / "top.txt").mkdir()  # a folder where the file would go
    result = cli.invoke("mv", "default:top.txt", "blocked/", "-q")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert run(cli.default.get_bytes("top.txt")) == b"top"
    assert [path.name for path in tmp_path.rglob("*.part")] == []


# -- sync -------------------------------------------------------------------------------


def test_sync_storage_to_folder_then_nothing_then_changes(cli: CLI, tmp_path: Path) -> None:
    run(_fill(cli))
    first = cli.invoke("sync", "default:photos", "mirror", "-q")
    assert first.exit_code == 0, first.output
    assert files_below(tmp_path / "mirror") == {
        "2026/photo.jpg": b"jpeg bytes",
        "2026/raw/photo.cr2": b"raw" * 1000,
        "index.html": b"<h1>photos</h1>",
    }
    again = cli.invoke("sync", "default:photos", "mirror", "-q")
    assert again.exit_code == 0
    assert again.stdout == ""
    assert again.stderr.strip() == "0 file(s) downloaded, 3 unchanged"
    run(cli.default.put("photos/index.html", b"<h1>new photos</h1>"))
    run(cli.default.put("photos/new.txt", b"new"))
    (tmp_path / "mirror" / "stale.txt").write_bytes(b"stale")
    changed = cli.invoke("sync", "default:photos/", "mirror/", "-q")
    assert changed.exit_code == 0
    assert sorted(changed.stdout.splitlines()) == [
        f"download: default:photos/index.html -> {Path('mirror/index.html')}",
        f"download: default:photos/new.txt -> {Path('mirror/new.txt')}",
    ]
    assert (tmp_path / "mirror" / "stale.txt").exists()  # no --delete
    dry = cli.invoke("sync", "default:photos/", "mirror/", "--delete", "--dry-run")
    assert dry.exit_code == 0
    assert dry.stdout.splitlines() == [f"(dry run) delete: {Path('mirror/stale.txt')}"]
    assert (tmp_path / "mirror" / "stale.txt").exists()
    deleting = cli.invoke("sync", "default:photos/", "mirror/", "--delete", "-q")
    assert deleting.exit_code == 0
    assert deleting.stdout.splitlines() == [f"delete: {Path('mirror/stale.txt')}"]
    assert "1 deleted" in deleting.stderr
    assert not (tmp_path / "mirror" / "stale.txt").exists()


def test_sync_folder_to_storage_and_storage_to_storage(cli: CLI, tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "css").mkdir(parents=True)
    (site / "index.html").write_bytes(b"<h1>hi</h1>")
    (site / "css" / "site.css").write_bytes(b"body{}")
    up = cli.invoke("sync", "site", "default:www/", "-q")
    assert up.exit_code == 0, up.output
    assert run(_keys(cli, "default")) == {"www/index.html": b"<h1>hi</h1>", "www/css/site.css": b"body{}"}
    assert run(cli.default.info("www/css/site.css")).content_type == "text/css"
    assert cli.invoke("sync", "site", "default:www/", "-q").stderr.strip() == "0 file(s) uploaded, 2 unchanged"
    (site / "index.html").write_bytes(b"<h1>hello</h1>")
    assert cli.invoke("sync", "site", "default:www/", "-q").stdout.count("upload:") == 1
    across = cli.invoke("sync", "default:www", "images:", "-q")
    assert across.exit_code == 0
    assert run(_keys(cli, "images")) == {"index.html": b"<h1>hello</h1>", "css/site.css": b"body{}"}
    assert cli.invoke("sync", "default:www", "images:", "-q").stderr.strip() == "0 file(s) copied, 2 unchanged"
    assert cli.invoke("sync", "default:www", "default:www", "-q").stderr.strip() == "0 file(s) copied, 2 unchanged"


def test_sync_dry_run_changes_nothing(cli: CLI, tmp_path: Path) -> None:
    run(_fill(cli))
    result = cli.invoke("sync", "default:", "never-created", "--dry-run")
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == len(TREE)
    assert all(line.startswith("(dry run) download: default:") for line in result.stdout.splitlines())
    assert f"{len(TREE)} file(s) to download" in result.stderr
    assert not (tmp_path / "never-created").exists()
    (tmp_path / "local").mkdir()
    (tmp_path / "local" / "a.txt").write_bytes(b"a")
    up = cli.invoke("sync", "local", "images:", "--delete", "--dry-run")
    assert up.stdout.splitlines() == [f"(dry run) upload: {Path('local/a.txt')} -> images:a.txt"]
    assert run(_keys(cli, "images")) == {}
    moved = cli.invoke("mv", "-r", "default:photos", "images:", "--dry-run")
    assert moved.exit_code == 0
    assert run(_keys(cli, "default")) == TREE


def test_sync_of_a_missing_local_folder_is_an_error(cli: CLI) -> None:
    result = cli.invoke("sync", "absent-folder", "images:")
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: 'absent-folder' is not a local folder"


def test_progress_bar_runs(cli: CLI, tmp_path: Path) -> None:
    run(_fill(cli))
    result = cli.invoke("sync", "default:", "all", "--jobs", "3")
    assert result.exit_code == 0, result.output
    assert files_below(tmp_path / "all") == TREE


# -- object attributes ----------------------------------------------------------------

ATTRIBUTES_APP = """
from pathlib import Path
from litestar import Litestar
from litestar_storages import FileSystemConfig, FileSystemStorage, MemoryStorage
from litestar_storages.contrib import StoragePlugin


class TagsOnly(MemoryStorage):
    # Stands in for a service keeping fewer attributes than the source (S3 to a store
    # without Cache-Control): the engine stores what it declares.
    @property
    def attribute_names(self):
        return frozenset({"tags"})


default = MemoryStorage()
disk = FileSystemStorage(FileSystemConfig(path=Path(__file__).parent / "disk-files"))
tags_only = TagsOnly()
app = Litestar([], plugins=[StoragePlugin(default, disk=disk, tags_only=tags_only)])
"""


@pytest.mark.parametrize("command", ["cp", "mv", "sync"])
def test_transfers_between_storages_keep_object_attributes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    from litestar_storages import ObjectAttributes

    monkeypatch.chdir(tmp_path)
    (tmp_path / "app").mkdir()
    cli = load_app(tmp_path / "app", monkeypatch, ATTRIBUTES_APP)
    attributes = ObjectAttributes(cache_control="max-age=60", content_language="de", tags={"team": "a"})
    run(cli.storage("default").put("in/doc.txt", b"text", attributes=attributes))
    recursive = ["-r"] if command != "sync" else []
    result = cli.invoke(command, *recursive, "default:in/", "disk:out/", "-q")
    assert result.exit_code == 0, result.output
    assert "attributes not kept" not in result.output  # the filesystem keeps all three
    assert run(cli.storage("disk").info("out/doc.txt")).attributes == attributes

    # Back to a storage keeping tags only: the others are named, one line for the object.
    result = cli.invoke(command, *recursive, "disk:out/", "tags_only:back/", "-q")
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert [line for line in lines if line.startswith("attributes")] == [
        "attributes not kept: tags_only:back/doc.txt: cache_control, content_language"
    ]
    kept = run(cli.storage("tags_only").info("back/doc.txt")).attributes
    assert kept == ObjectAttributes(tags={"team": "a"})
