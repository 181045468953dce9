"""The CLI under attack: hostile keys, symbolic links, long and Unicode names, failures, Ctrl-C.

A sync from a storage into a local folder must never write outside that folder, whatever
keys the storage lists (``../x`` and ``a\\b`` are valid S3 keys), and never leave a half
written file, whether a transfer fails or the user presses Ctrl-C.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from litestar_storages.contrib.cli import _local_folder

sys.path.insert(0, str(Path(__file__).parent))

from cli_runner import CLI, SERVED_STORAGE, files_below, load_app, run

LONG_SEGMENT = "l" * 300 + ".txt"  # a valid key (304 bytes) but no file name (255 at most)
HOSTILE = {
    "../escape.txt": b"escape",
    "a/../../escape2.txt": b"escape2",
    "/abs.txt": b"absolute",
    "back\\..\\slash.txt": b"backslash",
    "./dot.txt": b"dot",
    "a//double.txt": b"double",
    "nul\x00.txt": b"nul",
    LONG_SEGMENT: b"long",
}
SAFE = {
    "ok/fine.txt": b"fine",
    "ünïcødé/日本語 ファイル.txt": "こんにちは".encode(),
    "emoji/🦊.bin": b"\xf0\x9f\xa6\x8a",
}


def _app_source(files: dict[str, bytes], **options: object) -> str:
    return (
        SERVED_STORAGE
        + f"""
from litestar import Litestar
from litestar_storages import MemoryStorage
from litestar_storages.contrib import StoragePlugin

served = Served({files!r}, **{options!r})
default = MemoryStorage()
app = Litestar([], plugins=[StoragePlugin(default, served=served)])
"""
    )


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "app").mkdir()
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    return tmp_path


def _served(workdir: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, bytes], **options: object) -> CLI:
    return load_app(workdir / "app", monkeypatch, _app_source(files, **options))


def _everything(root: Path) -> list[str]:
    return sorted(path.relative_to(root).as_posix() for path in root.rglob("*"))


@pytest.mark.parametrize("command", ["sync", "cp -r"])
def test_hostile_keys_never_leave_the_destination(workdir: Path, monkeypatch: pytest.MonkeyPatch, command: str) -> None:
    cli = _served(workdir, monkeypatch, {**HOSTILE, **SAFE})
    result = cli.invoke(*command.split(), "served:", "restore", "-q")
    assert result.exit_code == 1
    assert files_below(workdir / "work" / "restore") == SAFE
    # Nothing anywhere else: not beside the folder, not above it, no temporary file.
    assert [name for name in _everything(workdir) if not name.startswith(("app/", "work/restore"))] == ["app", "work"]
    assert files_below(workdir / "work") == {f"restore/{name}": data for name, data in SAFE.items()}
    failures = [line for line in result.stderr.splitlines() if line.startswith("failed: ")]
    assert len(failures) == len(HOSTILE)
    assert "3 file(s) downloaded" in result.stderr
    assert f"{len(HOSTILE)} failed" in result.stderr
    assert sorted(result.stdout.splitlines()) == sorted(
        f"download: served:{key} -> {os.path.join('restore', *key.split('/'))}" for key in SAFE
    )


def test_hostile_key_copied_as_one_file_takes_only_its_last_name(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = _served(workdir, monkeypatch, HOSTILE)
    result = cli.invoke("cp", "served:../escape.txt", "in/", "-q")
    assert result.exit_code == 0, result.output
    assert files_below(workdir / "work") == {"in/escape.txt": b"escape"}
    below = cli.invoke("cp", "served:a/../../escape2.txt", "in", "-q")
    assert below.exit_code == 0, below.output
    assert files_below(workdir / "work") == {"in/escape.txt": b"escape", "in/escape2.txt": b"escape2"}
    # A file name of '..' (its folder missing, so not a folder to copy into) is refused.
    refused = cli.invoke("cp", "served:./dot.txt", "in/missing/..", "-q")
    assert refused.exit_code == 1
    assert "'.' and '..' segments are not allowed" in refused.stderr
    assert [name for name in _everything(workdir) if not name.startswith("app")] == [
        "work",
        "work/in",
        "work/in/escape.txt",
        "work/in/escape2.txt",
    ]


def test_symbolic_links_in_the_destination_are_not_followed(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    outside = workdir / "outside"
    outside.mkdir()
    (outside / "target.txt").write_bytes(b"precious")
    restore = workdir / "work" / "restore"
    restore.mkdir()
    (restore / "link").symlink_to(outside, target_is_directory=True)
    (restore / "file-link.txt").symlink_to(outside / "target.txt")
    cli = _served(
        workdir,
        monkeypatch,
        {"link/pwn.txt": b"pwned", "file-link.txt": b"replaced the link only", "ok.txt": b"ok"},
    )
    result = cli.invoke("sync", "served:", "restore", "-q")
    assert result.exit_code == 1
    assert "link/pwn.txt" in result.stderr
    assert "symbolic link" in result.stderr
    assert sorted(path.name for path in outside.iterdir()) == ["target.txt"]
    assert (outside / "target.txt").read_bytes() == b"precious"
    # The link itself was replaced by the file (rename never writes through a link).
    assert not (restore / "file-link.txt").is_symlink()
    assert (restore / "file-link.txt").read_bytes() == b"replaced the link only"
    assert (restore / "ok.txt").read_bytes() == b"ok"


def test_symbolic_links_in_a_source_folder_are_skipped(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    outside = workdir / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(b"secret")
    site = workdir / "work" / "site"
    site.mkdir()
    (site / "page.html").write_bytes(b"page")
    (site / "secret.txt").symlink_to(outside / "secret.txt")
    (site / "everything").symlink_to(outside, target_is_directory=True)
    cli = _served(workdir, monkeypatch, {})
    result = cli.invoke("sync", "site", "default:", "-q")
    assert result.exit_code == 0, result.output
    keys = run(_keys(cli))
    assert keys == {"page.html": b"page"}
    assert "skipped: everything (symbolic link, not followed)" in result.stderr
    assert "skipped: secret.txt (symbolic link, not followed)" in result.stderr
    assert "2 skipped" in result.stderr


async def _keys(cli: CLI) -> dict[str, bytes]:
    return {stored.key: await cli.default.get_bytes(stored.key) async for stored in cli.default.list()}


def test_local_names_that_are_no_keys_fail_alone(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = workdir / "work" / "site"
    site.mkdir()
    (site / "good.txt").write_bytes(b"good")
    (site / "back\\slash.txt").write_bytes(b"a backslash is a key error")
    (site / "ctl\x01.txt").write_bytes(b"control character")
    cli = _served(workdir, monkeypatch, {})
    result = cli.invoke("sync", "site", "default:", "-q")
    assert result.exit_code == 1
    assert run(_keys(cli)) == {"good.txt": b"good"}
    assert "backslashes are not allowed" in result.stderr
    assert "control character" in result.stderr


def test_a_failure_mid_sync_is_reported_and_leaves_no_partial_file(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {f"part{index}.bin": bytes([index]) * 50_000 for index in range(6)}
    cli = _served(workdir, monkeypatch, files, broken=["part3.bin"], chunk=8192)
    result = cli.invoke("sync", "served:", "out", "-q", "--jobs", "2")
    assert result.exit_code == 1
    written = files_below(workdir / "work" / "out")
    assert written == {name: data for name, data in files.items() if name != "part3.bin"}
    assert _everything(workdir / "work") == ["out", *(f"out/{name}" for name in sorted(written))]
    assert len(result.stdout.splitlines()) == 5
    failed = f"failed: download: served:part3.bin -> {os.path.join('out', 'part3.bin')}: connection reset"
    assert failed in result.stderr
    assert result.stderr.strip().splitlines()[-1] == "5 file(s) downloaded, 1 failed"
    # Run again: only the failed file is left to copy (and fails again, alone).
    again = cli.invoke("sync", "served:", "out", "-q")
    assert again.stderr.strip().splitlines()[-1] == "0 file(s) downloaded, 5 unchanged, 1 failed"


def test_a_failure_uploading_to_a_storage_keeps_the_rest(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cli = _served(workdir, monkeypatch, {"a.txt": b"a", "b.txt": b"b"}, broken=["a.txt"])
    result = cli.invoke("sync", "served:", "default:copy/", "-q")
    assert result.exit_code == 1
    assert run(_keys(cli)) == {"copy/b.txt": b"b"}


def test_long_and_unicode_names_round_trip(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cli = _served(workdir, monkeypatch, SAFE)
    assert cli.invoke("sync", "served:", "here", "-q").exit_code == 0
    assert cli.invoke("sync", "here", "default:back/", "-q").exit_code == 0
    assert run(_keys(cli)) == {f"back/{key}": data for key, data in SAFE.items()}
    long_key = "deep/" + "/".join(["ü" * 100] * 3) + "/end.txt"  # 600+ bytes, segments of 200
    run(cli.default.put(long_key, b"deep"))
    assert cli.invoke("cp", f"default:{long_key}", "deep-copy/", "-q").exit_code == 0
    assert (workdir / "work" / "deep-copy" / "end.txt").read_bytes() == b"deep"
    assert cli.invoke("sync", "default:deep/", "deep-tree", "-q").exit_code == 0
    assert files_below(workdir / "work" / "deep-tree") == {long_key.removeprefix("deep/"): b"deep"}


def test_ctrl_c_stops_cleanly_and_leaves_no_partial_file(workdir: Path) -> None:
    files = {"quick.txt": b"quick", "slow.bin": b"s" * 400_000}
    (workdir / "app" / "ctrl_c_app.py").write_text(_app_source(files, delay=0.05, chunk=4096))
    out = workdir / "work" / "out"
    env = {**os.environ, "PYTHONPATH": str(workdir / "app"), "LITESTAR_QUIET_CONSOLE": "1"}
    command = [sys.executable, "-m", "litestar", "--app", "ctrl_c_app:app", "storages", "sync", "served:", str(out)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        # Wait until slow.bin is being written (its temporary file exists) and quick.txt is done.
        while not (list(out.glob(".slow.bin.*.part")) and (out / "quick.txt").exists()):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the transfer never started"
            time.sleep(0.02)
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 130, stderr
    assert stderr.strip().splitlines()[-1].startswith("Error: interrupted")
    assert "Traceback" not in stderr
    assert stdout.splitlines() == [f"download: served:quick.txt -> {out / 'quick.txt'}"]
    assert _everything(out) == ["quick.txt"]
    assert (out / "quick.txt").read_bytes() == b"quick"


def test_a_folder_swapped_for_a_link_during_a_sync_never_redirects_a_write(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another process swaps restore/sub between a real folder and a link to `outside`
    # as fast as it can while 300 files are written below it: each folder is opened
    # without following links, so no write may ever land outside.
    outside = workdir / "outside"
    outside.mkdir()
    restore = workdir / "work" / "restore"
    (restore / "sub").mkdir(parents=True)
    files = {f"sub/f{index:03}.txt": b"x" for index in range(300)}
    cli = _served(workdir, monkeypatch, files)
    stop = threading.Event()
    swaps = 0

    def swap() -> None:
        nonlocal swaps
        sub, parked = restore / "sub", restore / "parked"
        while not stop.is_set():
            try:
                os.rename(sub, parked)
            except OSError:
                continue
            with contextlib.suppress(OSError):  # the CLI may have made a new sub meanwhile
                os.symlink(outside, sub)
                os.unlink(sub)
            try:
                os.rename(parked, sub)
            except OSError:
                os.rename(parked, restore / f"parked{swaps}")  # keep what it holds, inside restore
            swaps += 1

    swapper = threading.Thread(target=swap)
    swapper.start()
    try:
        result = cli.invoke("sync", "served:", "restore", "-q", "--jobs", "8")
    finally:
        stop.set()
        swapper.join()
    assert swaps > 0
    assert list(outside.iterdir()) == []
    written = files_below(restore)
    # Every file either failed (reported) or landed inside restore (in whichever real
    # folder held the name then), complete.
    failed = [line for line in result.stderr.splitlines() if line.startswith("failed: ")]
    assert len(written) + len(failed) == len(files)
    assert all(data == b"x" for data in written.values())
    assert not list(restore.rglob("*.part"))


async def test_a_folder_replaced_between_listing_and_opening_is_skipped_not_fatal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The window the swap test above hits only sometimes: scandir saw a folder, and by
    # the time it is opened (without following links) it is a link or gone.
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "inner.txt").write_bytes(b"x")
    (tmp_path / "top.txt").write_bytes(b"y")
    real_open = os.open

    def swapped_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if path == "sub" and kwargs.get("dir_fd") is not None:
            raise OSError(errno.ELOOP, "Too many levels of symbolic links", "sub")
        return real_open(path, flags, *args, **kwargs)

    folder = _local_folder.LocalFolder(tmp_path)
    assert await folder.open(create=False)
    monkeypatch.setattr(os, "open", swapped_open)
    try:
        scan = await folder.scan()
    finally:
        monkeypatch.undo()
        folder.close()
    assert [file.name for file in scan.files] == ["top.txt"]
    assert scan.skipped == ["sub (changed during the scan, not followed)"]
