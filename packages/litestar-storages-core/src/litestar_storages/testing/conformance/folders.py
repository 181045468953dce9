"""Folder listing (``list_dir``): direct entries, sub-folders once, order, paging, limits and argument checks."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

import litestar_storages.engine.folders as engine_folders
import litestar_storages.engine.storage as engine_storage
from litestar_storages.capabilities import SupportsFolderListing
from litestar_storages.exceptions import InvalidKeyError, StorageValidationError
from litestar_storages.protocol import Storage
from litestar_storages.testing.conformance.data import ConformanceBase
from litestar_storages.types import StoredFile, StoredFolder

SMALL_PAGE = 3
"""Entries per page while the kit lists (the engine's pages, lowered so a few dozen entries span pages)."""


def expected_entries(keys: Iterable[str], folder: str) -> list[str]:
    """What ``list_dir(folder)`` must yield for ``keys``, computed the obvious way.

    Args:
        keys: Every key stored.
        folder: ``""`` or a folder ending with ``/``.

    Returns:
        The sorted keys of the folder's files and sub-folders (these ending with ``/``).
    """
    entries: set[str] = set()
    for key in keys:
        if key.startswith(folder):
            rest = key[len(folder) :]
            head, slash, _ = rest.partition("/")
            entries.add(folder + head + slash)
    return sorted(entries)


class FolderListingTests(ConformanceBase):
    """``list_dir``: a folder's objects and sub-folders, as a file browser shows them.

    The engine's page size is lowered to :data:`SMALL_PAGE` for each test here, so
    listings of more than a handful of entries cross pages (and a service that reports
    a folder on two pages is caught).
    """

    TREE: tuple[str, ...] = (
        "top.txt",
        "a.txt",
        "a/1.txt",
        "a/b-c.txt",
        "a/b.txt",
        "a/b/2.txt",
        "a/sub/3.txt",
        "a/sub/deeper/4.txt",
        "a/sub/deeper/5.txt",
        "a-b.txt",
        "a-b/6.txt",
        "ab/7.txt",
        "with space/ünï cödé.txt",
        "with space/文件/8.bin",
        "emoji-😀/9.txt",
    )
    """Folders sharing prefixes ("a/", "a-b/", "ab/"), keys sorting around a folder's "/", spaces and Unicode."""

    @pytest.fixture
    def small_pages(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Lower the engine's page sizes for one test (not autouse: it would reach every test of the kit)."""
        monkeypatch.setattr(engine_folders, "DIR_PAGE_SIZE", SMALL_PAGE)
        monkeypatch.setattr(engine_storage, "_PAGE_SIZE", SMALL_PAGE)  # the grouping fallback's pages

    async def _fill(self, storage: Storage, keys: Iterable[str]) -> None:
        for key in keys:
            await storage.put(key, key.encode())

    async def _dir(
        self, storage: Storage, prefix: str = "", limit: int | None = None
    ) -> list[StoredFile | StoredFolder]:
        assert isinstance(storage, SupportsFolderListing)
        return [entry async for entry in storage.list_dir(prefix, limit=limit)]

    async def _keys(self, storage: Storage, prefix: str = "", limit: int | None = None) -> list[str]:
        return [entry.key for entry in await self._dir(storage, prefix, limit)]

    @pytest.mark.asyncio
    @pytest.mark.usefixtures("small_pages")
    async def test_list_dir_root(self, storage: Storage) -> None:
        await self._fill(storage, self.TREE)
        entries = await self._dir(storage)
        assert [entry.key for entry in entries] == [
            "a-b.txt",
            "a-b/",
            "a.txt",
            "a/",
            "ab/",
            "emoji-😀/",
            "top.txt",
            "with space/",
        ]
        for entry in entries:
            if entry.key.endswith("/"):
                assert isinstance(entry, StoredFolder)
            else:
                assert isinstance(entry, StoredFile)
                assert entry.size == len(entry.key.encode())

    @pytest.mark.asyncio
    @pytest.mark.usefixtures("small_pages")
    @pytest.mark.parametrize(
        "prefix",
        ["a", "a/", "a/sub", "a/sub/", "a/sub/deeper", "a-b", "ab/", "with space", "with space/文件", "emoji-😀"],
    )
    async def test_list_dir_nested(self, storage: Storage, prefix: str) -> None:
        await self._fill(storage, self.TREE)
        folder = prefix if prefix.endswith("/") else prefix + "/"
        assert await self._keys(storage, prefix) == expected_entries(self.TREE, folder)

    @pytest.mark.asyncio
    @pytest.mark.usefixtures("small_pages")
    async def test_list_dir_folders_sharing_a_prefix(self, storage: Storage) -> None:
        await self._fill(storage, self.TREE)
        # "a" is the folder a/: never a-b/ or ab/, and a folder sorts as "name/".
        assert await self._keys(storage, "a") == ["a/1.txt", "a/b-c.txt", "a/b.txt", "a/b/", "a/sub/"]
        assert await self._keys(storage, "a-b/") == ["a-b/6.txt"]
        assert await self._keys(storage, "ab") == ["ab/7.txt"]

    @pytest.mark.asyncio
    @pytest.mark.usefixtures("small_pages")
    async def test_list_dir_trailing_slash_is_the_same_folder(self, storage: Storage) -> None:
        await self._fill(storage, self.TREE)
        expected = ["a/sub/3.txt", "a/sub/deeper/"]
        assert await self._keys(storage, "a/sub") == await self._keys(storage, "a/sub/") == expected

    @pytest.mark.asyncio
    @pytest.mark.usefixtures("small_pages")
    async def test_list_dir_missing_folder_is_empty(self, storage: Storage) -> None:
        assert await self._keys(storage) == []
        await self._fill(storage, self.TREE)
        assert await self._keys(storage, "nope") == []
        assert await self._keys(storage, "a/nope/") == []
        assert await self._keys(storage, "top.txt") == []  # a file is not a folder

    @pytest.mark.asyncio
    @pytest.mark.usefixtures("small_pages")
    async def test_list_dir_many_entries_across_pages(self, storage: Storage) -> None:
        keys = [f"many/f{index:02d}.txt" for index in range(14)]
        keys += [f"many/d{index:02d}/{leaf}" for index in range(6) for leaf in ("x.txt", "y/z.txt")]
        keys += ["many.txt", "many-other/0.txt", "manyx/1.txt"]
        await self._fill(storage, keys)
        expected = expected_entries(keys, "many/")
        assert len(expected) == 20  # 14 files and 6 folders: seven pages of three
        assert await self._keys(storage, "many") == expected
        assert await self._keys(storage, "many/", limit=7) == expected[:7]
        assert await self._keys(storage, "many/", limit=20) == expected
        assert await self._keys(storage, "") == ["many-other/", "many.txt", "many/", "manyx/"]

    @pytest.mark.asyncio
    @pytest.mark.usefixtures("small_pages")
    async def test_list_dir_limit(self, storage: Storage) -> None:
        await self._fill(storage, self.TREE)
        everything = expected_entries(self.TREE, "")
        assert await self._keys(storage, limit=0) == []
        assert await self._keys(storage, limit=1) == everything[:1]
        assert await self._keys(storage, limit=4) == everything[:4]
        assert await self._keys(storage, limit=1000) == everything

    @pytest.mark.asyncio
    @pytest.mark.usefixtures("small_pages")
    @pytest.mark.parametrize("limit", [True, False, -1, 1.0, "3"])
    async def test_list_dir_refuses_a_bad_limit(self, storage: Storage, limit: object) -> None:
        await storage.put("a/b.txt", b"x")
        with pytest.raises(StorageValidationError, match="limit must be None or an int >= 0"):
            await self._dir(storage, "a", limit=limit)  # type: ignore[arg-type]

    @pytest.mark.asyncio
    @pytest.mark.usefixtures("small_pages")
    @pytest.mark.parametrize(
        "prefix", ["..", "../", "../x", "/", "/abs", "/abs/", "a/../b", "a//", "./a", "nul\x00/", "a\nb", "c1\x85"]
    )
    async def test_list_dir_refuses_an_invalid_folder(self, storage: Storage, prefix: str) -> None:
        await storage.put("a/b.txt", b"x")
        with pytest.raises(InvalidKeyError):
            await self._dir(storage, prefix)

    @pytest.mark.asyncio
    @pytest.mark.usefixtures("small_pages")
    async def test_list_dir_folder_goes_with_its_last_object(self, storage: Storage) -> None:
        # A folder exists while an object below it does: deleting the last one removes
        # it from the listing (a local folder left empty is not reported).
        await self._fill(storage, ["keep.txt", "gone/deep/er/x.txt", "half/1.txt", "half/sub/2.txt"])
        await storage.delete("gone/deep/er/x.txt")
        await storage.delete("half/sub/2.txt")
        assert await self._keys(storage) == ["half/", "keep.txt"]
        assert await self._keys(storage, "half") == ["half/1.txt"]
        assert await self._keys(storage, "gone/deep") == []
        await storage.put("gone/deep/again.txt", b"x")  # and comes back with a new one
        assert await self._keys(storage, "gone") == ["gone/deep/"]

    @pytest.mark.asyncio
    @pytest.mark.usefixtures("small_pages")
    async def test_list_dir_entries_match_list(self, storage: Storage) -> None:
        await self._fill(storage, self.TREE)
        files = {entry.key: entry async for entry in storage.list("a/")}
        for entry in await self._dir(storage, "a"):
            if isinstance(entry, StoredFile):
                assert entry.size == files[entry.key].size
                assert entry.etag == files[entry.key].etag
