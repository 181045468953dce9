"""Nothing outside the root is ever read, written, listed or deleted."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from pathlib import Path

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

    return {
        "put": lambda: storage.put(key, b"payload"),
        "put-stream": lambda: storage.put(key, iter([b"pay", b"load"])),
        "get": read_all,
        "get_bytes": lambda: storage.get_bytes(key),
        "info": lambda: storage.info(key),
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


async def test_symlink_inside_the_root_is_followed(storage: FileSystemStorage, root: Path) -> None:
    await storage.put("real/photo.jpg", b"jpeg", metadata={"owner": "ada"})
    (root / "alias").symlink_to(root / "real", target_is_directory=True)
    assert await storage.get_bytes("alias/photo.jpg") == b"jpeg"
    assert (await storage.info("alias/photo.jpg")).metadata == {"owner": "ada"}
    listed = [item.key async for item in storage.list()]
    assert listed == ["alias/photo.jpg", "real/photo.jpg"]


async def test_symlink_loop_inside_the_root_does_not_hang_listing(storage: FileSystemStorage, root: Path) -> None:
    await storage.put("a/file.txt", b"x")
    (root / "a" / "loop").symlink_to(root / "a", target_is_directory=True)
    assert [item.key async for item in storage.list()] == ["a/file.txt"]


async def test_symlink_into_internal_files_is_refused(storage: FileSystemStorage, root: Path) -> None:
    upload = await storage.start_multipart_upload("big.bin")
    staging = root / ".multipart\\"
    (root / "peek").symlink_to(staging, target_is_directory=True)
    with pytest.raises(StoragePermissionError):
        await storage.get_bytes(f"peek/{upload.upload_id}/upload.json")
    with pytest.raises(StoragePermissionError):
        await storage.delete(f"peek/{upload.upload_id}/upload.json")
    assert [item.key async for item in storage.list()] == []


async def test_internal_names_cannot_be_addressed(storage: FileSystemStorage, root: Path) -> None:
    await storage.put("doc.txt", b"x", metadata={"a": "b"})
    sidecars = [p.name for p in root.iterdir() if "\\" in p.name]
    assert len(sidecars) == 1
    for name in [*sidecars, ".multipart\\", ".multipart\\/anything"]:
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
