"""``list_dir``: folder checks, the engine's paging and merging, the grouping fallback, memory's delimiter listing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import litestar_storages.engine.folders as engine_folders
from litestar_storages import MemoryStorage, StoredFile, StoredFolder, SupportsFolderListing
from litestar_storages.backends.memory.config import MemoryConfig
from litestar_storages.backends.memory.driver import MemoryDriver
from litestar_storages.base import BaseStorage
from litestar_storages.calls import list_folder
from litestar_storages.engine import DirPage, DriverStorage, SupportsListDir
from litestar_storages.exceptions import InvalidKeyError, StorageError, StorageValidationError
from litestar_storages.keys import validate_folder
from litestar_storages.protocol import HttpMethod, Storage
from litestar_storages.testing.conformance.folders import SMALL_PAGE, FolderListingTests
from litestar_storages.types import ProgressCallback

# -- the folder argument -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("", ""),
        ("a", "a/"),
        ("a/", "a/"),
        ("a/b", "a/b/"),
        ("a/b/", "a/b/"),
        ("photos 2024/é", "photos 2024/é/"),
        (".hidden/x", ".hidden/x/"),
        ("a..b/", "a..b/"),
    ],
)
def test_validate_folder_normalizes(prefix: str, expected: str) -> None:
    assert validate_folder(prefix) == expected


@pytest.mark.parametrize(
    "prefix",
    ["/", "//", "/abs", "/abs/", "..", "../", "a/..", "a/../b", ".", "./a", "a//", "a//b", "a/./b", "a\\b",
     "nul\x00", "tab\t/", "line\nbreak", "del\x7f", "c1\x85", "\ud800", "x" * 1024, "é" * 512],
)  # fmt: skip
def test_validate_folder_refuses(prefix: str) -> None:
    with pytest.raises(InvalidKeyError, match="Invalid folder"):
        validate_folder(prefix)


def test_validate_folder_refuses_non_str() -> None:
    with pytest.raises(InvalidKeyError, match="folders must be str"):
        validate_folder(b"a/")  # type: ignore[arg-type]


def test_validate_folder_longest() -> None:
    # A folder of 1023 bytes plus its "/" can still hold... nothing longer than 1024
    # bytes: it is accepted (it is a valid key prefix), one more byte is not.
    assert validate_folder("x" * 1023) == "x" * 1023 + "/"
    with pytest.raises(InvalidKeyError):
        validate_folder("x" * 1024 + "/")


# -- helpers -------------------------------------------------------------------------------


def model(keys: Iterable[str], folder: str) -> list[str]:
    """What list_dir must yield for ``keys``: a straightforward reference."""
    entries: set[str] = set()
    for key in keys:
        if not key.startswith(folder):
            continue
        rest = key[len(folder) :]
        entries.add(folder + rest.split("/", 1)[0] + ("/" if "/" in rest else ""))
    return sorted(entries)


def entry_keys(entries: Sequence[StoredFile | StoredFolder]) -> list[str]:
    return [entry.key for entry in entries]


async def listed(storage: object, prefix: str = "", *, limit: int | None = None) -> list[str]:
    return entry_keys([entry async for entry in list_folder(storage, prefix, limit=limit)])


class NoDirDriver(MemoryDriver):
    """The memory driver without ``list_dir_page``: the engine's grouping fallback."""

    list_dir_page = None  # type: ignore[assignment]


def fallback_storage() -> DriverStorage:
    return DriverStorage(NoDirDriver(MemoryConfig()))


TREE = [
    "a.txt",
    "a/1.txt",
    "a/sub/2.txt",
    "a/sub/deeper/3.txt",
    "a-b/4.txt",
    "a-b.txt",
    "ab/5.txt",
    "a/b-c.txt",
    "a/b/6.txt",
    "a/b.txt",
    "z/ünï cödé.txt",
    "z/with space/7.txt",
]


async def fill(storage: Storage, keys: Iterable[str]) -> None:
    for key in keys:
        await storage.put(key, key.encode())


@pytest.fixture(params=["delimiter", "fallback"])
async def storage(request: pytest.FixtureRequest) -> DriverStorage:
    store = MemoryStorage() if request.param == "delimiter" else fallback_storage()
    await fill(store, TREE)
    return store


# -- behaviour on both paths ----------------------------------------------------------------


def test_the_fallback_really_lacks_the_ability() -> None:
    assert not isinstance(NoDirDriver(MemoryConfig()), SupportsListDir)
    assert isinstance(MemoryDriver(MemoryConfig()), SupportsListDir)


@pytest.mark.parametrize("prefix", ["", "a", "a/", "a/sub", "a/sub/", "a-b", "ab/", "z", "z/with space"])
async def test_list_dir_matches_the_model(storage: DriverStorage, prefix: str) -> None:
    folder = validate_folder(prefix)
    assert await listed(storage, prefix) == model(TREE, folder)


async def test_root_of_the_tree(storage: DriverStorage) -> None:
    entries = [entry async for entry in storage.list_dir()]
    assert entry_keys(entries) == ["a-b.txt", "a-b/", "a.txt", "a/", "ab/", "z/"]
    folders = [entry for entry in entries if isinstance(entry, StoredFolder)]
    assert [folder.name for folder in folders] == ["a-b", "a", "ab", "z"]
    files = [entry for entry in entries if isinstance(entry, StoredFile)]
    assert [(file.key, file.size) for file in files] == [("a-b.txt", 7), ("a.txt", 5)]


async def test_folder_sorts_as_its_key_with_the_slash(storage: DriverStorage) -> None:
    # "a/b-c.txt" < "a/b.txt" < "a/b/" < "a/sub/": "-" and "." sort before "/".
    assert await listed(storage, "a") == ["a/1.txt", "a/b-c.txt", "a/b.txt", "a/b/", "a/sub/"]


async def test_folders_sharing_a_prefix_stay_apart(storage: DriverStorage) -> None:
    assert await listed(storage, "a-b") == ["a-b/4.txt"]
    assert await listed(storage, "ab") == ["ab/5.txt"]
    # "a" is the folder a/, never the string prefix of a-b/ or ab/.
    assert "ab/5.txt" not in await listed(storage, "a")


async def test_missing_folder_and_a_file_named_like_the_folder(storage: DriverStorage) -> None:
    assert await listed(storage, "nope") == []
    assert await listed(storage, "a.txt") == []  # a file is not a folder


async def test_limit_counts_entries(storage: DriverStorage) -> None:
    assert await listed(storage, limit=0) == []
    assert await listed(storage, limit=1) == ["a-b.txt"]
    assert await listed(storage, limit=4) == ["a-b.txt", "a-b/", "a.txt", "a/"]
    assert await listed(storage, limit=100) == model(TREE, "")


@pytest.mark.parametrize("limit", [True, False, -1, 1.0, "3"])
async def test_limit_refused(storage: DriverStorage, limit: object) -> None:
    with pytest.raises(StorageValidationError, match="limit must be None or an int >= 0"):
        await listed(storage, limit=limit)  # type: ignore[arg-type]


@pytest.mark.parametrize("prefix", ["..", "../", "/", "/a", "a/../b", "a//", "ctl\x01/", "a\nb"])
async def test_invalid_folder_is_a_key_error(storage: DriverStorage, prefix: str) -> None:
    with pytest.raises(InvalidKeyError):
        await listed(storage, prefix)


async def test_errors_come_when_iteration_starts(storage: DriverStorage) -> None:
    entries = storage.list_dir("..")  # no error yet, as for list()
    with pytest.raises(InvalidKeyError):
        await anext(entries)


async def test_storage_prefix_is_stripped(storage: DriverStorage) -> None:
    inner = DriverStorage(storage.driver, prefix="a")
    assert await listed(inner) == ["1.txt", "b-c.txt", "b.txt", "b/", "sub/"]
    assert await listed(inner, "sub") == ["sub/2.txt", "sub/deeper/"]
    entries = [entry async for entry in inner.list_dir("sub/")]
    assert isinstance(entries[0], StoredFile)
    assert entries[0].key == "sub/2.txt"
    assert await inner.get_bytes(entries[0].key) == b"a/sub/2.txt"


async def test_early_stop_closes_cleanly(storage: DriverStorage) -> None:
    entries = storage.list_dir()
    first = await anext(entries)
    assert first.key == "a-b.txt"
    await entries.aclose()  # type: ignore[attr-defined]


# -- paging --------------------------------------------------------------------------------


@pytest.mark.parametrize("page_size", [1, 2, 3, 7])
async def test_pages_across_folders(monkeypatch: pytest.MonkeyPatch, page_size: int) -> None:
    monkeypatch.setattr(engine_folders, "DIR_PAGE_SIZE", page_size)
    store = MemoryStorage()
    await fill(store, TREE)
    for prefix in ("", "a", "z"):
        assert await listed(store, prefix) == model(TREE, validate_folder(prefix))
        assert await listed(store, prefix, limit=3) == model(TREE, validate_folder(prefix))[:3]


class CountingDriver(MemoryDriver):
    """The memory driver, recording the size of each folder page it returns."""

    def __init__(self) -> None:
        super().__init__(MemoryConfig())
        self.pages: list[int] = []

    async def list_dir_page(self, prefix: str, token: str | None, page_size: int) -> DirPage:
        page = await super().list_dir_page(prefix, token, page_size)
        self.pages.append(len(page.files) + len(page.folders))
        return page


async def test_thousands_in_one_folder_come_in_pages() -> None:
    driver = CountingDriver()
    pages = driver.pages
    store = DriverStorage(driver)
    keys = [f"big/{index:05d}.bin" for index in range(3000)] + [f"big/d{index:04d}/x" for index in range(500)]
    await fill(store, keys)
    assert await listed(store, "big") == model(keys, "big/")
    # 3,500 entries, at most 1,000 a page: four requests, none larger than a page.
    assert pages == [1000, 1000, 1000, 500]
    pages.clear()
    assert len(await listed(store, "big", limit=1500)) == 1500
    assert pages == [1000, 500]  # the second page asks only for what the limit leaves


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    keys=st.sets(
        st.lists(st.sampled_from(["a", "b", "a-b", "ab", "é", "a.b", "z"]), min_size=1, max_size=4).map("/".join),
        max_size=25,
    ),
    folder=st.lists(st.sampled_from(["a", "b", "ab", "é"]), max_size=2).map("/".join),
    page_size=st.integers(1, 5),
    limit=st.none() | st.integers(0, 8),
)
async def test_property_delimiter_and_fallback_agree_with_the_model(
    keys: set[str], folder: str, page_size: int, limit: int | None
) -> None:
    # A key cannot be both an object and a folder on every backend, but can on memory
    # and S3 ("a" and "a/b"): the model keeps both.
    checked = validate_folder(folder)
    expected = model(keys, checked)
    expected = expected if limit is None else expected[:limit]
    original = engine_folders.DIR_PAGE_SIZE
    engine_folders.DIR_PAGE_SIZE = page_size
    try:
        for store in (MemoryStorage(), fallback_storage()):
            await fill(store, keys)
            assert await listed(store, folder, limit=limit) == expected
    finally:
        engine_folders.DIR_PAGE_SIZE = original


# -- the engine's guards over a scripted driver -----------------------------------------------


class ScriptedDriver(MemoryDriver):
    """Answers ``list_dir_page`` from a script of pages."""

    def __init__(self, pages: list[DirPage]) -> None:
        super().__init__(MemoryConfig())
        self.pages = pages
        self.tokens: list[str | None] = []

    async def list_dir_page(self, prefix: str, token: str | None, page_size: int) -> DirPage:
        self.tokens.append(token)
        return self.pages[len(self.tokens) - 1]


def file(name: str) -> StoredFile:
    return StoredFile(key=name, size=0)


async def test_a_folder_repeated_on_the_next_page_is_yielded_once() -> None:
    driver = ScriptedDriver(
        [
            DirPage([file("p/a.txt")], ["p/b/"], "t1"),
            DirPage([file("p/c.txt")], ["p/b/", "p/d/"], None),  # "p/b/" again, as GCS may send it
        ]
    )
    store = DriverStorage(driver, prefix="p")
    assert await listed(store) == ["a.txt", "b/", "c.txt", "d/"]
    assert driver.tokens == [None, "t1"]


async def test_a_file_going_back_in_order_is_an_error_not_a_silent_loss() -> None:
    driver = ScriptedDriver([DirPage([file("b.txt")], [], "t1"), DirPage([file("a.txt")], [], None)])
    with pytest.raises(StorageError, match="out of order"):
        await listed(DriverStorage(driver))


# -- BaseStorage's default and any storage via calls.list_folder ------------------------------


class ListOnly(BaseStorage):
    """A BaseStorage subclass overriding list() only: list_dir is the grouping default."""

    def __init__(self, keys: Iterable[str]) -> None:
        self.keys = sorted(keys)
        self.closed_early = False

    async def put(self, *args: Any, **kwargs: Any) -> StoredFile:  # read-only here; any signature fits
        raise NotImplementedError

    async def _get(self) -> AsyncIterator[bytes]:
        yield b""

    def get(
        self, key: str, *, start: int | None = None, end: int | None = None, progress: ProgressCallback | None = None
    ) -> AsyncIterator[bytes]:
        return self._get()

    async def delete(self, key: str, *, missing_ok: bool = False) -> None:
        raise NotImplementedError

    async def exists(self, key: str) -> bool:
        return key in self.keys

    async def list(self, prefix: str = "", *, limit: int | None = None) -> AsyncIterator[StoredFile]:
        try:
            for key in self.keys:
                if key.startswith(prefix):
                    yield StoredFile(key=key, size=0)
        except GeneratorExit:
            self.closed_early = True
            raise

    async def url(
        self,
        key: str,
        *,
        expires_in: timedelta | None = None,
        method: HttpMethod = "GET",
        filename: str | None = None,
        content_type: str | None = None,
    ) -> str:
        return key

    async def info(self, key: str) -> StoredFile:
        return StoredFile(key=key, size=0)


async def test_base_storage_default_groups_list() -> None:
    store = ListOnly(TREE)
    assert isinstance(store, SupportsFolderListing)
    assert await listed(store, "a") == model(TREE, "a/")
    assert await listed(store, "", limit=2) == model(TREE, "")[:2]
    assert store.closed_early  # the recursive listing was closed when the limit stopped it
    with pytest.raises(InvalidKeyError):
        await listed(store, "../x")


class LegacyStorage:
    """A 0.2.x duck-typed storage: ``list(prefix)`` and nothing about folders."""

    def __init__(self, keys: Iterable[str]) -> None:
        self.keys = sorted(keys)

    async def list(self, prefix: str = "") -> AsyncIterator[StoredFile]:
        for key in self.keys:
            if key.startswith(prefix):
                yield StoredFile(key=key, size=0)


async def test_list_folder_works_on_a_0_2_storage() -> None:
    store = LegacyStorage(TREE)
    assert not isinstance(store, SupportsFolderListing)
    assert await listed(store, "a/sub") == ["a/sub/2.txt", "a/sub/deeper/"]
    assert await listed(store, limit=3) == model(TREE, "")[:3]
    with pytest.raises(InvalidKeyError):
        await listed(store, "/etc")
    with pytest.raises(StorageValidationError):
        await listed(store, limit=True)


def test_storage_protocol_keeps_its_0_2_members() -> None:
    # list_dir is a capability: adding it to Storage would make 0.2.x classes fail
    # isinstance(x, Storage), which the plugin checks.
    assert "list_dir" not in Storage.__dict__
    assert isinstance(MemoryStorage(), SupportsFolderListing)


def test_stored_folder_name() -> None:
    assert StoredFolder("photos/2024/").name == "2024"
    assert StoredFolder("top/").name == "top"


# -- the kit's folder tests over a driver that counts its pages ---------------------------------


class TestFolderKitPagesAreSmall(FolderListingTests):
    """The kit's folder family over the counting memory driver: its listings really cross pages."""

    @pytest.fixture
    def storage(self) -> DriverStorage:
        return DriverStorage(CountingDriver())

    @pytest.mark.usefixtures("small_pages")
    async def test_kit_listings_cross_pages(self, storage: DriverStorage) -> None:
        await fill(storage, [f"f{index}.txt" for index in range(10)])
        assert len(await listed(storage)) == 10
        driver = storage.driver
        assert isinstance(driver, CountingDriver)
        assert driver.pages == [SMALL_PAGE, SMALL_PAGE, SMALL_PAGE, 1]
