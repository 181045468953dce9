"""``DirPage.order``: a service whose name order is not code point order (Azure: UTF-16 code units)."""

from __future__ import annotations

import pytest

from litestar_storages.backends.memory.config import MemoryConfig
from litestar_storages.backends.memory.driver import MemoryDriver
from litestar_storages.engine import DirPage, DriverStorage, utf16_order
from litestar_storages.exceptions import StorageError
from litestar_storages.types import StoredFile

ASTRAL, PRIVATE = "\U0001f600", "\ue000"  # UTF-16 sorts the first (a surrogate pair, D83D...) before the second


class PagedDriver(MemoryDriver):
    """Answers ``list_dir_page`` from fixed pages, in the order a UTF-16 service lists."""

    def __init__(self, pages: list[DirPage]) -> None:
        super().__init__(MemoryConfig())
        self.pages = pages

    async def list_dir_page(self, prefix: str, token: str | None, page_size: int) -> DirPage:
        return self.pages[0 if token is None else int(token)]


def _pages(order: object) -> list[DirPage]:
    files = [StoredFile(key="z.txt", size=0), StoredFile(key=PRIVATE, size=0)]
    return [
        DirPage(files[:1], [ASTRAL + "/"], "1", order=order),  # type: ignore[arg-type]
        DirPage(files[1:], [], None, order=order),  # type: ignore[arg-type]
    ]


def test_utf16_order() -> None:
    names = ["z", PRIVATE, ASTRAL, "\u00e9"]
    assert sorted(names, key=utf16_order) == ["z", "\u00e9", ASTRAL, PRIVATE]
    assert sorted(names) == ["z", "\u00e9", PRIVATE, ASTRAL]


async def test_pages_in_the_declared_order_are_listed_in_it() -> None:
    storage = DriverStorage(PagedDriver(_pages(utf16_order)))
    assert [entry.key async for entry in storage.list_dir()] == ["z.txt", ASTRAL + "/", PRIVATE]


async def test_the_same_pages_without_the_order_are_refused() -> None:
    storage = DriverStorage(PagedDriver(_pages(None)))
    with pytest.raises(StorageError, match="out of order"):
        [entry async for entry in storage.list_dir()]
