"""Nothing outside the root is ever read, written, listed or deleted."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from litestar_storages.backends.filesystem import FileSystemConfig, FileSystemStorage
from litestar_storages.exceptions import InvalidKeyError, StorageError, StoragePermissionError

TRAVERSALS = [
    "../escape.txt",
    "a/../../escape.txt",
    "..",
    "/etc/passwd",
    "..\\escape.txt",
    "a\\..\\..\\escape.txt",
    "a/./b.txt",
    "",
    "nul\x00.txt",
]


def _operations(storage: FileSystemStorage, key: str) -> dict[str, Callable[[], Awaitable[object]]]:
    async def read_all() -> bytes:
        return b"".join([chunk async for chunk in storage.get(key)])

    async def list_all() -> list[str]:
        return [item.key async for item in storage.list(key)]

    async def open_object() -> bytes:
        opened = await storage.open_object(key)
        try:
            return b"".join([chunk async for chunk in opened.read(0, opened.file.size)])
        finally:
            opened.close()

    return {
        "put": lambda: storage.put(key, b"payload"),
        "put-stream": lambda: storage.put(key, iter([b"pay", b"load"])),
        "get": read_all,
        "get_bytes": lambda: storage.get_bytes(key),
        "info": lambda: storage.info(key),
        "open_object": open_object,
        "exists": lambda: storage.exists(key),
        "delete": lambda: storage.delete(key),
        "delete-missing-ok": lambda: storage.delete(key, missing_ok=True),
        "delete_many": lambda: storage.delete_many([key]),
        "copy-from": lambda: storage.copy(key, "inside.txt"),
        "copy-to": lambda: storage.copy("inside.txt", key),
        "move-from": lambda: storage.move(key, "moved.txt"),
        "move-to": lambda: storage.move("inside.txt", key),
        "url": lambda: storage.url(key),
        "multipart": lambda: storage.start_multipart_upload(key),
        "list": list_all,
    }


async def _refused(operation: Callable[[], Awaitable[object]], error: type[Exception]) -> bool:
    try:
        await operation()
    except error:
        return True
    return False


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("key", TRAVERSALS, ids=repr)
async def test_traversal_keys_rejected_by_every_operation(
    storage: FileSystemStorage, root: Path, outside: Path, key: str
) -> None:
    await storage.put("inside.txt", b"inside")
    before = _snapshot(outside)
    for name, operation in _operations(storage, key).items():
        if name == "list" and key in {"", "..", "a/./b.txt"}:
            continue  # valid listing prefixes: a prefix may stop mid-name (".." matches "..x")
        assert await _refused(operation, InvalidKeyError), f"{name} accepted {key!r}"
    assert _snapshot(outside) == before
    assert not (root.parent / "escape.txt").exists()
    assert await storage.get_bytes("inside.txt") == b"inside"


async def test_dot_dot_prefix_lists_only_names_inside(storage: FileSystemStorage, root: Path, outside: Path) -> None:
    await storage.put("..dots.txt", b"x")
    await storage.put("plain.txt", b"x")
    assert [item.key async for item in storage.list("..")] == ["..dots.txt"]
    assert [item.key async for item in storage.list("a/.")] == []


async def test_percent_encoded_dots_are_plain_names_inside_the_root(storage: FileSystemStorage, root: Path) -> None:
    # No decoding happens: "%2e%2e" is a file name, not a parent reference.
    await storage.put("%2e%2e/%2e%2e/escape.txt", b"x")
    assert (root / "%2e%2e" / "%2e%2e" / "escape.txt").read_bytes() == b"x"
    assert not (root.parent / "escape.txt").exists()
    assert [item.key async for item in storage.list()] == ["%2e%2e/%2e%2e/escape.txt"]


@pytest.mark.parametrize("link_kind", ["folder", "file"])
async def test_symlink_escaping_the_root_is_refused_everywhere(
    storage: FileSystemStorage, root: Path, outside: Path, link_kind: str
) -> None:
    await storage.put("inside.txt", b"inside")
    if link_kind == "folder":
        (root / "out").symlink_to(outside, target_is_directory=True)
        key = "out/secret.txt"
    else:
        (root / "leak.txt").symlink_to(outside / "secret.txt")
        key = "leak.txt"
    before = _snapshot(outside)
    for name, operation in _operations(storage, key).items():
        if name in {"url", "list", "delete_many", "delete-missing-ok"}:
            continue  # checked below
        assert await _refused(operation, StoragePermissionError), f"{name} followed the link out of the root"
    with pytest.raises(StoragePermissionError):
        await storage.delete_many([key])
    with pytest.raises(StoragePermissionError):
        await storage.delete(key, missing_ok=True)
    assert _snapshot(outside) == before, "something outside the root changed"
    assert [item.key async for item in storage.list()] == ["inside.txt"]
    assert [item.key async for item in storage.list("out/")] == []
    assert (root / ("out" if link_kind == "folder" else "leak.txt")).is_symlink()


async def test_new_file_under_escaping_folder_link_is_not_created_outside(
    storage: FileSystemStorage, root: Path, outside: Path
) -> None:
    root.mkdir()
    (root / "out").symlink_to(outside, target_is_directory=True)
    with pytest.raises(StoragePermissionError):
        await storage.put("out/deep/new.txt", b"x")
    with pytest.raises(StoragePermissionError):
        await storage.put("out/deep/new.txt", iter([b"x" * 10]))
    assert not (outside / "deep").exists()
    assert sorted(p.name for p in outside.iterdir()) == ["secret.txt"]


async def test_symlink_inside_the_root_is_never_followed(storage: FileSystemStorage, root: Path) -> None:
    await storage.put("inside.txt", b"inside")
    await storage.put("real/photo.jpg", b"jpeg", metadata={"owner": "ada"})
    (root / "alias").symlink_to(root / "real", target_is_directory=True)
    (root / "shortcut.jpg").symlink_to(root / "real" / "photo.jpg")
    for key in ("alias/photo.jpg", "shortcut.jpg", "alias/new.jpg"):
        for name, operation in _operations(storage, key).items():
            if name in {"url", "list"}:
                continue  # url() touches no file; list() is checked below
            assert await _refused(operation, StoragePermissionError), f"{name} followed the link of {key!r}"
    # Listing neither follows nor shows links: only the real file, once.
    assert [item.key async for item in storage.list()] == ["inside.txt", "real/photo.jpg"]
    assert [item.key async for item in storage.list("alias/")] == []
    assert [item.key async for item in storage.list("shortcut")] == []
    assert await storage.get_bytes("real/photo.jpg") == b"jpeg"
    assert (await storage.info("real/photo.jpg")).metadata == {"owner": "ada"}
    assert (root / "alias").is_symlink()
    assert (root / "shortcut.jpg").is_symlink()
    assert sorted(p.name for p in (root / "real").iterdir() if not p.name.startswith(".lss~")) == ["photo.jpg"]


async def test_symlink_loop_inside_the_root_does_not_hang_listing(storage: FileSystemStorage, root: Path) -> None:
    await storage.put("a/file.txt", b"x")
    (root / "a" / "loop").symlink_to(root / "a", target_is_directory=True)
    assert [item.key async for item in storage.list()] == ["a/file.txt"]


SELF_LINKS = {"absolute": None, "dot": ".", "dot-dot": "..", "relative-root": "../root"}


@pytest.mark.parametrize("target", list(SELF_LINKS), ids=list(SELF_LINKS))
async def test_link_to_the_root_itself_is_refused_by_every_operation(
    storage: FileSystemStorage, root: Path, target: str
) -> None:
    """``root/self -> root`` (or ``.``, ``..``): the key "self" must never act on the root or its parent."""
    await storage.put("inside.txt", b"inside")
    link_target = SELF_LINKS[target]
    (root / "self").symlink_to(root if link_target is None else link_target, target_is_directory=True)
    parent_before = sorted(os.listdir(root.parent))
    for key in ("self", "self/inside.txt", "self/new.txt", "self/self/inside.txt"):
        for name, operation in _operations(storage, key).items():
            if name in {"url", "list"}:
                continue  # url() touches no file; list() is checked below
            assert await _refused(operation, StoragePermissionError), f"{name} accepted {key!r} through a root link"
        assert [item.key async for item in storage.list(key)] == []
    upload = await storage.start_multipart_upload("fine.bin")
    await storage.upload_part(upload, 1, b"x")
    await storage.remove_stale_files(older_than=timedelta(0))
    assert [item.key async for item in storage.list()] == ["inside.txt"]
    assert sorted(os.listdir(root.parent)) == parent_before, "something was written beside the root"
    assert (root / "self").is_symlink()
    assert await storage.get_bytes("inside.txt") == b"inside"


async def test_temporary_files_of_a_put_never_land_outside_the_root(
    storage: FileSystemStorage, root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every file a put creates is created relative to a folder opened below the root."""
    root.mkdir()
    (root / "self").symlink_to(root, target_is_directory=True)
    (root / "up").symlink_to("..", target_is_directory=True)
    created: list[str] = []
    real_open = os.open

    def watching(path: Any, flags: int, mode: int = 0o777, *, dir_fd: int | None = None) -> int:
        fd = real_open(path, flags, mode, dir_fd=dir_fd)
        if flags & os.O_CREAT:
            created.append(os.path.realpath(f"/proc/self/fd/{fd}") if os.path.exists("/proc/self/fd") else "")
        return fd

    monkeypatch.setattr(os, "open", watching)
    released = asyncio.Event()

    async def slow() -> AsyncIterator[bytes]:
        yield b"x" * (2 * 1024 * 1024)  # more than a chunk: streamed through a temporary file
        await released.wait()
        yield b"y"

    for key in ("self", "up", "self/x", "up/x"):
        with pytest.raises(StoragePermissionError):
            await storage.put(key, b"data")
        with pytest.raises(StoragePermissionError):
            await storage.put(key, iter([b"a" * 70_000, b"b" * 70_000]))
    writing = asyncio.create_task(storage.put("deep/er/file.bin", slow(), metadata={"a": "b"}))
    while not any("deep" in path for path in created):
        await asyncio.sleep(0.01)
    released.set()
    await writing
    await storage.put("top.txt", b"x", metadata={"a": "b"})
    monkeypatch.undo()
    real_root = os.path.realpath(root)
    assert created, "no file was created"
    if os.path.exists("/proc/self/fd"):
        assert all(path.startswith(real_root + os.sep) for path in created), created
    assert sorted(os.listdir(tmp_path)) == ["root"], "a file landed beside the root"


async def test_symlink_into_internal_files_is_refused(storage: FileSystemStorage, root: Path) -> None:
    upload = await storage.start_multipart_upload("big.bin")
    staging = root / ".lss~multipart"
    (root / "peek").symlink_to(staging, target_is_directory=True)
    with pytest.raises(StoragePermissionError):
        await storage.get_bytes(f"peek/{upload.upload_id}/upload.json")
    with pytest.raises(StoragePermissionError):
        await storage.delete(f"peek/{upload.upload_id}/upload.json")
    assert [item.key async for item in storage.list()] == []


async def test_internal_names_cannot_be_addressed(storage: FileSystemStorage, root: Path) -> None:
    await storage.put("doc.txt", b"x", metadata={"a": "b"})
    await storage.start_multipart_upload("pending.bin")
    sidecars = [p.name for p in root.iterdir() if p.name.startswith(".lss~m.")]
    assert len(sidecars) == 1
    assert not any("\\" in p.name for p in root.rglob("*")), "internal names hold no backslash"
    reserved = [".lss~multipart", ".lss~multipart/anything", ".lss~t.0123", "a/.lss~x", ".lss~"]
    legacy = [".doc.txt\\1-2-3.meta", ".multipart\\", ".multipart\\/anything", ".0123\\tmp"]
    for name in [*sidecars, *reserved, *legacy]:
        with pytest.raises(InvalidKeyError):
            await storage.get_bytes(name)
        with pytest.raises(InvalidKeyError):
            await storage.delete(name)
        with pytest.raises(InvalidKeyError):
            await storage.put(name, b"overwrite")


async def test_parent_that_is_a_file_is_a_clear_error(storage: FileSystemStorage) -> None:
    await storage.put("a", b"file")
    with pytest.raises(StorageError, match="parent folder"):
        await storage.put("a/b.txt", b"x")
    with pytest.raises(FileExistsError):
        await storage.put("a/b.txt", iter([b"x" * 5]))
    assert not await storage.exists("a/b.txt")
    await storage.put("dir/inner.txt", b"x")
    with pytest.raises(FileExistsError, match="folder"):
        await storage.put("dir", b"x")
    with pytest.raises(FileExistsError, match="folder"):
        await storage.move("a", "dir")
    assert await storage.get_bytes("a") == b"file"


async def test_overlong_segment_is_an_invalid_key(storage: FileSystemStorage) -> None:
    key = "x" * 300  # a valid key (< 1024 bytes) but longer than a file name may be
    with pytest.raises(InvalidKeyError):
        await storage.put(key, b"x")
    assert not await storage.exists("x" * 200)


async def test_missing_root_without_create_dirs(tmp_path: Path) -> None:
    from litestar_storages.exceptions import ConfigurationError

    storage = FileSystemStorage(FileSystemConfig(path=tmp_path / "absent", create_dirs=False))
    with pytest.raises(ConfigurationError) as caught:
        await storage.put("a.txt", b"x")
    assert caught.value.field == "path"
    assert not (tmp_path / "absent").exists()


async def test_root_is_created_lazily(tmp_path: Path) -> None:
    root = tmp_path / "deep" / "er" / "root"
    storage = FileSystemStorage(FileSystemConfig(path=root))
    assert not root.exists()
    await storage.put("a.txt", b"x")
    assert (root / "a.txt").read_bytes() == b"x"
    assert os.stat(root / "a.txt").st_mode & 0o777 == 0o644


def _open_descriptors() -> int:
    folder = "/proc/self/fd" if os.path.isdir("/proc/self/fd") else "/dev/fd"
    return len(os.listdir(folder))


async def test_descriptors_are_released_on_errors_cancellation_and_close(root: Path, outside: Path) -> None:
    storage = FileSystemStorage(FileSystemConfig(path=root, chunk_size=1024))
    await storage.put("a/b/c/file.bin", b"x" * 10_000, metadata={"k": "v"})
    (root / "a" / "link").symlink_to(outside, target_is_directory=True)
    before = _open_descriptors()

    async def endless() -> AsyncIterator[bytes]:
        while True:
            yield b"y" * 4096
            await asyncio.sleep(0)

    for _ in range(20):
        for key in ("a/link/secret.txt", "a/b/c/missing.bin", "a/b/c/file.bin/below"):
            for operation in _operations(storage, key).values():
                with contextlib.suppress(StorageError):
                    await operation()
        writing = asyncio.create_task(storage.put("a/b/c/streamed.bin", endless()))
        await asyncio.sleep(0.01)
        writing.cancel()
        with pytest.raises(asyncio.CancelledError):
            await writing
        reading = storage.get("a/b/c/file.bin")
        await anext(reading)  # abandoned after one chunk
        assert isinstance(reading, AsyncGenerator)
        await reading.aclose()
        listing = storage.list()
        await anext(listing)  # abandoned inside a folder three levels deep
        assert isinstance(listing, AsyncGenerator)
        await listing.aclose()
        await storage.remove_stale_files(older_than=timedelta(0))
    await asyncio.sleep(0.05)  # abandoned writes clean up when their thread is done
    assert _open_descriptors() == before
    await storage.close()
    assert _open_descriptors() == before - 1, "close() releases the root's descriptor"
