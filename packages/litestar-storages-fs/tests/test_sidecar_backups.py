"""Metadata survives backups, restores, concurrent writers and roots written by 0.1.

Sidecars are named after their file's size and modification time, which ``cp -a``,
``rsync -a`` and ``shutil.copytree`` keep (the inode, which 0.1 used, they do not).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from litestar_storages.backends.filesystem import FileSystemConfig, FileSystemStorage

FILES = {
    "report.pdf": ("application/x-custom", {"owner": "ada"}),
    "docs/nested/deep.txt": ("text/plain", {"owner": "grace", "level": "3"}),
    "typed.bin": ("text/csv", {}),
    "plain.txt": ("text/plain", {}),  # default type, no metadata: no sidecar at all
    "folder/" + "n" * 240 + ".txt": ("text/plain", {"long": "hashed sidecar name"}),
}


def _copy_cp(source: Path, target: Path) -> None:
    subprocess.run(["cp", "-a", str(source), str(target)], check=True)


def _copy_rsync(source: Path, target: Path) -> None:
    subprocess.run(["rsync", "-a", f"{source}/", f"{target}/"], check=True)


def _copy_shutil(source: Path, target: Path) -> None:
    shutil.copytree(source, target, symlinks=True)


COPIES: dict[str, Callable[[Path, Path], None]] = {"cp -a": _copy_cp, "shutil.copytree": _copy_shutil}
if shutil.which("rsync"):  # rsync is optional on the test machine; cp -a and copytree always run
    COPIES["rsync -a"] = _copy_rsync


async def _fill(root: Path) -> None:
    async with FileSystemStorage(FileSystemConfig(path=root)) as storage:
        for key, (content_type, metadata) in FILES.items():
            await storage.put(key, key.encode(), content_type=content_type, metadata=metadata)


async def _described(storage: FileSystemStorage) -> dict[str, tuple[str, dict[str, str]]]:
    return {item.key: (str(item.content_type), item.metadata) async for item in storage.list()}


def _sidecars(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob(".lss~*") if p.is_file())


@pytest.mark.parametrize("copy", list(COPIES), ids=list(COPIES))
async def test_metadata_survives_a_copy_of_the_root(tmp_path: Path, copy: str) -> None:
    original, restored = tmp_path / "original", tmp_path / "restored"
    await _fill(original)
    COPIES[copy](original, restored)
    assert os.stat(restored / "report.pdf").st_ino != os.stat(original / "report.pdf").st_ino
    async with FileSystemStorage(FileSystemConfig(path=restored)) as storage:
        for key, described in FILES.items():
            info = await storage.info(key)
            assert (info.content_type, info.metadata) == described, key
        assert await _described(storage) == FILES
        report = await storage.remove_stale_files(older_than=timedelta(0))
        assert report.orphaned_sidecars == 0
        assert await _described(storage) == FILES
    assert _sidecars(restored) == _sidecars(original)


async def test_restore_that_truncates_times_is_reattached_by_maintenance(tmp_path: Path) -> None:
    """tar's default format keeps whole seconds: remove_stale_files() re-attaches the metadata."""
    original, restored = tmp_path / "original", tmp_path / "restored"
    await _fill(original)
    shutil.copytree(original, restored)
    for key in FILES:
        path = restored / key
        mtime = os.stat(path).st_mtime_ns
        os.utime(path, ns=(mtime, mtime - mtime % 1_000_000_000))
    async with FileSystemStorage(FileSystemConfig(path=restored)) as storage:
        report = await storage.remove_stale_files(older_than=timedelta(0))
        assert (report.migrated_sidecars, report.orphaned_sidecars) == (4, 0)  # the four with a sidecar
        assert await _described(storage) == FILES
        assert (await storage.remove_stale_files(older_than=timedelta(0))).total == 0


async def test_maintenance_keeps_metadata_of_a_file_it_no_longer_matches(
    storage: FileSystemStorage, root: Path
) -> None:
    """A file touched by another tool loses its match, never its sidecar."""
    await storage.put("touched.txt", b"x", metadata={"owner": "ada"})
    os.utime(root / "touched.txt", (1_000_000_000, 1_000_000_000))
    before = _sidecars(root)
    report = await storage.remove_stale_files(older_than=timedelta(0))
    assert report.orphaned_sidecars == 0
    assert _sidecars(root) == before


async def test_concurrent_writers_each_keep_their_own_metadata(storage: FileSystemStorage) -> None:
    """Equal sizes (the size is part of the sidecar's name): only the writer's time tells them apart."""
    for round_number in range(30):
        writers = range(8)

        async def write(writer: int, round_number: int = round_number) -> None:
            payload = f"{round_number:04d}:{writer:04d}".encode()
            if writer % 4 == 3:
                await storage.put("race.bin", payload)  # default metadata: no sidecar
            elif writer % 2:
                await storage.put("race.bin", iter([payload[:4], payload[4:]]), metadata={"writer": str(writer)})
            else:
                await storage.put("race.bin", payload, metadata={"writer": str(writer)})

        await asyncio.gather(*(write(writer) for writer in writers))
        data = await storage.get_bytes("race.bin")
        winner = int(data.split(b":")[1])
        expected = {} if winner % 4 == 3 else {"writer": str(winner)}
        assert (await storage.info("race.bin")).metadata == expected, f"round {round_number}: {data!r}"
        assert [item.metadata async for item in storage.list()] == [expected]


def _legacy_sidecar(path: Path, content_type: str, metadata: dict[str, str]) -> Path:
    """Write the sidecar litestar-storages-fs 0.1 wrote: named after the inode-based etag."""
    stat = os.stat(path)
    etag = f"{stat.st_ino:x}-{stat.st_mtime_ns:x}-{stat.st_size:x}"
    readable = f".{path.name}\\{etag}.meta"
    if len(os.fsencode(readable)) > 255:
        import hashlib

        readable = f".{hashlib.sha256(os.fsencode(path.name)).hexdigest()[:40]}\\{etag}.meta"
    sidecar = path.parent / readable
    sidecar.write_text(json.dumps({"content_type": content_type, "metadata": metadata}))
    return sidecar


def _legacy_root(root: Path) -> None:
    """A root as litestar-storages-fs 0.1 left it: backslash sidecars, a temp file, a staging folder."""
    for key, (content_type, metadata) in FILES.items():
        path = root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(key.encode())
        if metadata or content_type != "text/plain":
            _legacy_sidecar(path, content_type, metadata)
    (root / ".0123456789abcdef\\tmp").write_bytes(b"a killed writer's leftover")
    staged = root / ".multipart\\" / ("a" * 32)
    staged.mkdir(parents=True)
    (staged / "upload.json").write_text(json.dumps({"key": "big.bin", "content_type": "x/y", "metadata": {}}))
    (staged / "00001.part").write_bytes(b"part")


async def test_a_root_written_by_0_1_keeps_its_metadata_and_migrates(tmp_path: Path) -> None:
    root = tmp_path / "old"
    _legacy_root(root)
    async with FileSystemStorage(FileSystemConfig(path=root)) as storage:
        for key, described in FILES.items():
            info = await storage.info(key)
            assert (info.content_type, info.metadata) == described, key
        assert await _described(storage) == FILES
        # A write migrates its key: the new version gets a current sidecar, the 0.1 one goes.
        await storage.put("report.pdf", b"v2", content_type="application/x-custom", metadata={"owner": "ada"})
        assert not list(root.glob(".report.pdf\\*"))
        # Maintenance migrates the rest, and removes 0.1 leftovers.
        report = await storage.remove_stale_files(older_than=timedelta(0))
        assert report.migrated_sidecars == 3
        assert (report.temporary_files, report.multipart_uploads, report.orphaned_sidecars) == (1, 1, 0)
        assert await _described(storage) == FILES
    assert [str(p) for p in root.rglob("*") if "\\" in p.name] == [], "0.1 names left behind"


async def test_a_copied_0_1_root_is_migrated_by_maintenance(tmp_path: Path) -> None:
    """0.1 sidecars name the inode: after a copy only maintenance can re-attach them (by name, size, time)."""
    old, copied = tmp_path / "old", tmp_path / "copied"
    _legacy_root(old)
    shutil.copytree(old, copied)
    async with FileSystemStorage(FileSystemConfig(path=copied)) as storage:
        report = await storage.remove_stale_files(older_than=timedelta(0))
        assert (report.migrated_sidecars, report.orphaned_sidecars) == (4, 0)
        assert await _described(storage) == FILES


async def test_a_0_1_multipart_upload_can_be_completed(tmp_path: Path) -> None:
    from litestar_storages.types import MultipartUpload

    root = tmp_path / "old"
    _legacy_root(root)
    async with FileSystemStorage(FileSystemConfig(path=root)) as storage:
        staged = os.stat(root / ".multipart\\" / ("a" * 32) / "00001.part")
        etag = f"{staged.st_ino:x}-{staged.st_mtime_ns:x}-{staged.st_size:x}"
        upload = MultipartUpload(upload_id="a" * 32, key="big.bin", parts=[(1, etag)])
        stored = await storage.complete_multipart_upload(upload)
        assert (stored.size, stored.content_type) == (4, "x/y")
        assert await storage.get_bytes("big.bin") == b"part"
