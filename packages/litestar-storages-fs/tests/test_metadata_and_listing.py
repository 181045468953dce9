"""Metadata persists across instances; listing is sorted, lazy and hides internal files."""

from __future__ import annotations

import os
from collections.abc import AsyncGenerator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from litestar_storages.backends.filesystem import FileSystemConfig, FileSystemStorage


async def test_metadata_persists_across_instances(root: Path) -> None:
    first = FileSystemStorage(FileSystemConfig(path=root))
    stored = await first.put("docs/report.pdf", b"%PDF", content_type="application/x-custom", metadata={"Owner": "Ada"})
    await first.put("plain.txt", b"text")
    await first.close()

    second = FileSystemStorage(FileSystemConfig(path=str(root)))
    info = await second.info("docs/report.pdf")
    assert (info.content_type, info.metadata, info.etag, info.size) == (
        "application/x-custom",
        {"owner": "Ada"},
        stored.etag,
        4,
    )
    assert (await second.info("plain.txt")).content_type == "text/plain"
    listed = {item.key: item for item in [item async for item in second.list()]}
    assert listed["docs/report.pdf"].metadata == {"owner": "Ada"}
    assert listed["docs/report.pdf"].content_type == "application/x-custom"
    assert sorted(listed) == ["docs/report.pdf", "plain.txt"]


async def test_etag_is_stable_until_content_changes(storage: FileSystemStorage) -> None:
    first = await storage.put("e.txt", b"one")
    assert (await storage.info("e.txt")).etag == first.etag
    assert [item.etag async for item in storage.list()] == [first.etag]
    same_content = await storage.put("e.txt", b"one")
    assert same_content.etag != first.etag  # a new write is a new version
    assert (await storage.info("e.txt")).etag == same_content.etag


async def test_files_without_sidecar_get_guessed_type_and_no_metadata_files(
    storage: FileSystemStorage, root: Path, internal_files: Callable[[], list[str]]
) -> None:
    await storage.put("photo.jpg", b"jpeg")
    await storage.put("data.bin", b"x", content_type="application/octet-stream")
    assert internal_files() == []
    (root / "dropped-in.html").write_bytes(b"<p>")  # a file put there by hand
    info = await storage.info("dropped-in.html")
    assert (info.content_type, info.metadata) == ("text/html", {})


async def test_overwrite_and_delete_leave_no_stale_sidecar(
    storage: FileSystemStorage, internal_files: Callable[[], list[str]]
) -> None:
    await storage.put("m.txt", b"1", metadata={"v": "1"})
    await storage.put("m.txt", b"2", metadata={"v": "2"})
    assert len(internal_files()) == 1
    await storage.put("m.txt", b"3")
    assert internal_files() == []
    await storage.put("m.txt", b"4", metadata={"v": "4"})
    await storage.copy("m.txt", "n.txt")
    await storage.move("n.txt", "o.txt")
    assert len(internal_files()) == 2
    await storage.delete("m.txt")
    await storage.delete("o.txt")
    assert internal_files() == []


async def test_move_to_other_extension_keeps_the_guessed_type(storage: FileSystemStorage) -> None:
    await storage.put("table.csv", b"a,b")
    moved = await storage.move("table.csv", "renamed.data")
    assert moved.content_type == "text/csv"
    assert (await storage.info("renamed.data")).content_type == "text/csv"
    copied = await storage.copy("renamed.data", "again.bin")
    assert (await storage.info("again.bin")).content_type == copied.content_type == "text/csv"


async def test_move_is_a_rename(storage: FileSystemStorage, root: Path) -> None:
    await storage.put("a/src.bin", b"x" * 1000, metadata={"k": "v"})
    inode = os.stat(root / "a" / "src.bin").st_ino
    moved = await storage.move("a/src.bin", "b/dst.bin")
    assert os.stat(root / "b" / "dst.bin").st_ino == inode
    assert moved.metadata == {"k": "v"}


async def test_long_names_use_hashed_sidecars(storage: FileSystemStorage) -> None:
    key = "folder/" + "n" * 240 + ".txt"
    await storage.put(key, b"x", metadata={"long": "yes"})
    assert (await storage.info(key)).metadata == {"long": "yes"}
    assert [item.metadata async for item in storage.list("folder/")] == [{"long": "yes"}]
    await storage.delete(key)
    assert [item async for item in storage.list()] == []


async def test_listing_order_matches_sorted_keys(storage: FileSystemStorage) -> None:
    keys = [
        "a-b", "a.b", "a/b!", "a/b/c", "a0", "aa", "b/x", "b.txt", "b!", "B", "_", "~", "é", "z/é/1", "z/e/1",
        ".hidden", "a b", "a/b c/d", "emoji-😀", "ä/1",
    ]  # fmt: skip
    # On a filesystem "a" cannot be both a file and a folder, so folders have no same-named file here.
    for key in keys:
        await storage.put(key, b"x")
    assert [item.key async for item in storage.list()] == sorted(keys)
    for prefix in ["a", "a/", "a/b", "z/", "b", "é", "a/b c/", "zz", "a."]:
        expected = sorted(k for k in keys if k.startswith(prefix))
        assert [item.key async for item in storage.list(prefix)] == expected, prefix
        assert [item.key async for item in storage.list(prefix, limit=2)] == expected[:2], prefix


@pytest.fixture
def scanned(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The inode of every folder listed (folders are scanned through descriptors)."""
    folders: list[int] = []
    real_scandir = os.scandir

    def counting(path: Any) -> Iterator[os.DirEntry[Any]]:
        folders.append(os.fstat(path).st_ino if isinstance(path, int) else os.stat(path).st_ino)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", counting)
    return folders


async def test_listing_stops_early_without_walking_the_tree(
    storage: FileSystemStorage, root: Path, scanned: list[int]
) -> None:
    for folder in range(30):
        for index in range(5):
            await storage.put(f"f{folder:02d}/{index}.txt", b"x")
    scanned.clear()
    assert [item.key async for item in storage.list(limit=3)] == ["f00/0.txt", "f00/1.txt", "f00/2.txt"]
    assert scanned == [os.stat(root).st_ino, os.stat(root / "f00").st_ino]  # the root and f00 only
    scanned.clear()
    assert [item.key async for item in storage.list("f17/3")] == ["f17/3.txt"]
    assert scanned == [os.stat(root / "f17").st_ino]  # no other folder is read
    scanned.clear()
    listing = storage.list()
    assert isinstance(listing, AsyncGenerator)
    assert (await anext(listing)).key == "f00/0.txt"
    await listing.aclose()
    assert len(scanned) <= 28, "one batch should not need the whole tree"


async def test_listing_skips_temporary_and_foreign_files(storage: FileSystemStorage, root: Path) -> None:
    await storage.put("ok.txt", b"x", metadata={"a": "1"})
    upload = await storage.start_multipart_upload("pending.bin")
    await storage.upload_part(upload, 1, b"part")
    (root / ".lss~t.deadbeef").write_bytes(b"leftover")
    (root / ".deadbeef\\tmp").write_bytes(b"leftover of 0.1")
    (root / "bad\x01name").write_bytes(b"control character in name")
    os.mkfifo(root / "fifo")
    assert [item.key async for item in storage.list()] == ["ok.txt"]
    assert not await storage.exists("fifo")


async def test_driver_pages_resume_after_their_token(storage: FileSystemStorage) -> None:
    # The engine walks listings through list_stream; list_page (the Driver protocol's
    # paging) must still resume exactly after each token, folders included.
    keys = sorted(["a.txt", "b/1.txt", "b/2/x.txt", "b/2/y.txt", "b/3.txt", "b.txt", "c/d/e/f.txt", "ca.txt"])
    for key in keys:
        await storage.put(key, b"x")
    for prefix in ("", "b", "b/", "b/2", "c"):
        seen: list[str] = []
        token: str | None = None
        while True:
            page = await storage.driver.list_page(prefix, token, 2)
            seen += [file.key for file in page.files]
            if page.token is None:
                break
            token = page.token
        assert seen == [key for key in keys if key.startswith(prefix)], prefix
