"""``list_dir`` over a driver: pages of one folder, merged, counted and stripped of the storage's prefix."""

from __future__ import annotations

import heapq
from collections.abc import AsyncIterator, Callable, Iterator, Sequence

from litestar_storages.engine.calling import call
from litestar_storages.engine.capabilities import SupportsListDir
from litestar_storages.engine.driver import DirPage, Driver
from litestar_storages.exceptions import StorageError
from litestar_storages.folders import DirEntry
from litestar_storages.keys import strip_prefix
from litestar_storages.types import StoredFile, StoredFolder

__all__ = ("DIR_PAGE_SIZE", "list_folder")

DIR_PAGE_SIZE = 1000
"""Most entries asked for per page (S3's, Azure's and GCS's largest page).

The conformance kit lowers it (``monkeypatch``) so a few dozen entries span pages.
"""


def _code_points(name: str) -> str:
    return name


def listed_files(files: Sequence[StoredFile]) -> Sequence[StoredFile]:
    """Return ``files`` without folder markers: names ending with ``/``.

    Consoles and other tools create empty ``"folder/"`` objects (S3, GCS, Azure); such a
    name is not a valid key (no call could read it), and the folder shows up as a
    folder in :meth:`list_dir` from the objects under it.

    Args:
        files: One page of a driver's listing.

    Returns:
        The page's files that are objects (the same sequence when there is no marker).
    """
    if not any(stored.key.endswith("/") for stored in files):
        return files
    return [stored for stored in files if not stored.key.endswith("/")]


def _entries(page: DirPage) -> Iterator[tuple[str, StoredFile | None]]:
    # Files and folders are each sorted; one merge puts them in key order. A folder
    # sorts as its name with the "/" ("a/b/" after "a/b-c" and "a/b.txt").
    order = page.order or _code_points
    return heapq.merge(
        ((stored.key, stored) for stored in listed_files(page.files)),
        ((name, None) for name in page.folders),
        key=lambda entry: order(entry[0]),
    )


async def list_folder(
    driver: SupportsListDir,
    base: Driver,
    *,
    storage_prefix: str,
    folder: str,
    limit: int | None,
    file_of: Callable[[StoredFile], StoredFile],
) -> AsyncIterator[DirEntry]:
    """Yield the entries of one folder, page by page.

    Args:
        driver: The driver, seen as :class:`SupportsListDir`.
        base: The same driver, seen as :class:`Driver` (its error table and retry policy).
        storage_prefix: The storage's normalized prefix, stripped from every name.
        folder: The checked folder (``""`` or ending with ``/``), relative to the storage.
        limit: Most entries (checked), or ``None``.
        file_of: Turns a driver's file (full name) into the caller's (key).

    Yields:
        The files and folders directly in ``folder``, in key order, each once.

    Raises:
        StorageError: If the driver's pages go back in name order (a driver bug that
            would otherwise lose or repeat entries silently).
    """
    remaining = limit
    wanted = storage_prefix + folder
    token: str | None = None
    last: str | None = None
    key = folder or None
    while remaining is None or remaining > 0:
        page_size = DIR_PAGE_SIZE if remaining is None else min(DIR_PAGE_SIZE, remaining)
        page = await call(base, key, driver.list_dir_page, wanted, token, page_size)
        order = page.order or _code_points
        for name, stored in _entries(page):
            if last is not None and order(name) <= order(last):
                if stored is None:
                    continue  # a folder the previous page reported already
                raise StorageError(
                    f"{base.name} listed {name!r} after {last!r}: folder listing out of order", key=folder
                )
            last = name
            entry: DirEntry
            entry = file_of(stored) if stored is not None else StoredFolder(strip_prefix(storage_prefix, name))
            yield entry
            if remaining is not None:
                remaining -= 1
                if remaining == 0:
                    return
        if page.token is None:
            return
        token = page.token
