"""``list_dir`` on the filesystem: one scandir of one folder, hidden files skipped, links never followed."""

from __future__ import annotations

import contextlib
import os
import tempfile
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import litestar_storages.engine.folders as engine_folders
from litestar_storages.backends.filesystem import FileSystemConfig, FileSystemStorage
from litestar_storages.exceptions import InvalidKeyError, StorageFileExistsError
from litestar_storages.testing.conformance.folders import expected_entries
from litestar_storages.types import StoredFile, StoredFolder


async def entries(storage: FileSystemStorage, prefix: str = "", limit: int | None = None) -> list[str]:
    return [entry.key async for entry in storage.list_dir(prefix, limit=limit)]


@pytest.fixture
def scans(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every ``os.scandir`` call made while the test runs (what it scanned)."""
    calls: list[object] = []
    real: Any = os.scandir

    def counting(path: Any = ".") -> Any:
        calls.append(path)
        return real(path)

    monkeypatch.setattr(os, "scandir", counting)
    return calls


async def test_one_scandir_per_page_never_a_walk(storage: FileSystemStorage, scans: list[object]) -> None:
    for folder in range(30):
        for depth in range(3):
            await storage.put(f"tree/d{folder:02d}/" + "x/" * depth + "leaf.txt", b"x")
    await storage.put("tree/file.txt", b"x")
    scans.clear()
    listed = await entries(storage, "tree")
    assert listed == [*(f"tree/d{folder:02d}/" for folder in range(30)), "tree/file.txt"]
    assert len(scans) == 1  # the one folder: 90 files below it were never looked at


async def test_thousands_of_entries_in_pages(
    storage: FileSystemStorage, root: Path, scans: list[object], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_folders, "DIR_PAGE_SIZE", 500)
    big = root / "big"
    big.mkdir(parents=True)
    for index in range(2000):
        (big / f"f{index:05d}").write_bytes(b"")
    for index in range(200):
        (big / f"d{index:04d}").mkdir()
        (big / f"d{index:04d}" / "x").write_bytes(b"")
    scans.clear()
    listed = await entries(storage, "big/")
    expected = [f"big/f{index:05d}" for index in range(2000)] + [f"big/d{index:04d}/" for index in range(200)]
    assert listed == sorted(expected)
    assert len(scans) == 5  # 2,200 entries, 500 a page: one scan per page
    scans.clear()
    assert len(await entries(storage, "big", limit=1200)) == 1200
    assert len(scans) == 3


async def test_sidecars_temp_files_and_staging_are_not_entries(storage: FileSystemStorage, root: Path) -> None:
    await storage.put("docs/a.txt", b"a", metadata={"owner": "ada"})  # writes a sidecar
    upload = await storage.start_multipart_upload("docs/big.bin")  # the staging folder at the root
    (root / "docs" / ".lss~t.0123abcd").write_bytes(b"partial write")
    assert any(name.startswith(".lss~") for name in os.listdir(root / "docs"))
    assert await entries(storage) == ["docs/"]
    listed = [entry async for entry in storage.list_dir("docs")]
    assert [entry.key for entry in listed] == ["docs/a.txt"]
    assert isinstance(listed[0], StoredFile)
    assert listed[0].metadata == {"owner": "ada"}  # read from the sidecar the scan saw
    await storage.abort_multipart_upload(upload)


@pytest.mark.parametrize("prefix", [".lss~multipart", ".lss~multipart/", "docs/.lss~t.x/"])
async def test_reserved_folders_are_refused(storage: FileSystemStorage, prefix: str) -> None:
    await storage.start_multipart_upload("docs/big.bin")
    with pytest.raises(InvalidKeyError, match="reserves names"):
        await entries(storage, prefix)


async def test_links_are_neither_listed_nor_followed(storage: FileSystemStorage, root: Path, outside: Path) -> None:
    await storage.put("pub/real.txt", b"x")
    (root / "pub" / "to-outside").symlink_to(outside, target_is_directory=True)
    (root / "pub" / "to-secret.txt").symlink_to(outside / "secret.txt")
    (root / "linked").symlink_to(outside, target_is_directory=True)
    assert await entries(storage, "pub") == ["pub/real.txt"]
    assert await entries(storage) == ["pub/"]
    assert await entries(storage, "linked") == []  # a folder that is a link lists nothing
    assert await entries(storage, "pub/to-outside/") == []


async def test_special_and_invalid_names_are_skipped(storage: FileSystemStorage, root: Path) -> None:
    await storage.put("odd/ok.txt", b"x")
    os.mkfifo(root / "odd" / "fifo")
    (root / "odd" / "back\\slash").write_bytes(b"x")
    (root / "odd" / "ctl\x01").write_bytes(b"x")
    (root / "odd" / "ctl-dir\x02").mkdir()
    os.close(os.open(os.path.join(os.fsencode(root / "odd"), b"latin1-\xe9"), os.O_CREAT | os.O_WRONLY, 0o600))
    assert await entries(storage, "odd") == ["odd/ok.txt"]


async def test_nfc_and_nfd_names_are_two_keys(storage: FileSystemStorage) -> None:
    nfc = unicodedata.normalize("NFC", "café")
    nfd = unicodedata.normalize("NFD", "café")
    assert nfc != nfd
    await storage.put(f"u/{nfc}.txt", b"nfc")
    await storage.put(f"u/{nfd}/inner.txt", b"nfd")
    listed = await entries(storage, "u")
    assert sorted(listed) == listed
    assert set(listed) == {f"u/{nfc}.txt", f"u/{nfd}/"}
    assert await entries(storage, f"u/{nfd}") == [f"u/{nfd}/inner.txt"]
    assert await entries(storage, f"u/{nfc}") == []  # the other spelling is another folder
    assert await storage.get_bytes(f"u/{nfc}.txt") == b"nfc"


async def test_folders_emptied_by_delete_move_and_delete_many_are_gone(storage: FileSystemStorage, root: Path) -> None:
    await storage.put("a/b/c/one.txt", b"1")
    await storage.put("m/n/two.txt", b"2")
    await storage.put("x/y/three.txt", b"3")
    await storage.put("keep.txt", b"k")
    await storage.delete("a/b/c/one.txt")
    await storage.move("m/n/two.txt", "moved.txt")
    await storage.delete_many(["x/y/three.txt"])
    assert await entries(storage) == ["keep.txt", "moved.txt"]
    assert sorted(os.listdir(root)) == ["keep.txt", "moved.txt"]  # removed, not just hidden


async def test_a_folder_made_by_hand_is_listed_even_empty(storage: FileSystemStorage, root: Path) -> None:
    # Documented: telling an empty sub-folder apart would take one scan per sub-folder.
    root.mkdir(parents=True, exist_ok=True)
    (root / "handmade").mkdir()
    listed = [entry async for entry in storage.list_dir()]
    assert listed == [StoredFolder("handmade/")]
    assert await entries(storage, "handmade") == []


async def test_a_file_where_the_folder_should_be(storage: FileSystemStorage) -> None:
    await storage.put("plain", b"x")
    assert await entries(storage, "plain") == []
    assert await entries(storage, "plain/deeper") == []


def _walk_names(root: Path) -> Iterator[str]:
    for directory, _, names in os.walk(root):
        yield from (os.path.join(directory, name) for name in names)


async def test_listing_changes_nothing(storage: FileSystemStorage, root: Path) -> None:
    await storage.put("a/b.txt", b"x", metadata={"k": "v"})
    before = sorted(_walk_names(root))
    await entries(storage)
    await entries(storage, "a")
    await entries(storage, "missing/deep")
    assert sorted(_walk_names(root)) == before


@pytest.mark.parametrize("prefix", [".lss~multipart/", ".lss~multipart/x", "docs/.lss~t.1/"])
async def test_list_refuses_the_storage_s_own_folders(storage: FileSystemStorage, prefix: str) -> None:
    # It used to list the staged parts of multipart uploads as keys no call accepts.
    upload = await storage.start_multipart_upload("docs/big.bin")
    await storage.upload_part(upload, 1, b"part")
    with pytest.raises(InvalidKeyError, match="reserves names"):
        [entry.key async for entry in storage.list(prefix)]
    assert [entry.key async for entry in storage.list(".lss~")] == []  # a partial name matches nothing


@settings(max_examples=60, deadline=None)
@given(
    keys=st.lists(
        st.lists(st.sampled_from(["a", "ab", "a-b", "a.b", "é", "e\u0301", "z z"]), min_size=1, max_size=3).map(
            "/".join
        ),
        max_size=12,
    ),
    folder=st.lists(st.sampled_from(["a", "ab", "é", "e\u0301"]), max_size=2).map("/".join),
    limit=st.none() | st.integers(0, 6),
)
async def test_property_agrees_with_the_recursive_listing(keys: list[str], folder: str, limit: int | None) -> None:
    # On disk a key cannot be both a file and a folder: what was stored is what list() says.
    with tempfile.TemporaryDirectory() as path:
        async with FileSystemStorage(FileSystemConfig(path=path)) as storage:
            for key in keys:
                with contextlib.suppress(StorageFileExistsError):
                    await storage.put(key, b"x")
            stored = [file.key async for file in storage.list()]
            checked = folder + "/" if folder else ""
            expected = expected_entries(stored, checked)
            assert await entries(storage, folder, limit) == (expected if limit is None else expected[:limit])
