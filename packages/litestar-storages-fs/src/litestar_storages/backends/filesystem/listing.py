"""Listing in key order, lazily: a depth-first walk that never reads more than it yields.

Sorting each folder's entries by name, with a ``/`` appended to folder names, yields
every key in exactly the order of ``sorted()`` over the keys: all keys below folder
``b`` start with ``"b/"``, and a file name sorts before or after ``"b/"`` exactly as it
sorts before or after every such key. So the walk needs no global sort, stops as soon as
the caller has enough, and only enters folders the prefix can match.

The walk holds a descriptor of each folder it is in (one per level of the current
path), opens each subfolder relative to its parent with ``O_NOFOLLOW``, and closes them
as it leaves them, or when the listing is dropped. Symbolic links are never followed
and never listed.
"""

from __future__ import annotations

import itertools
import os
import stat as stat_module
import time
from collections.abc import Generator, Iterator

from litestar_storages.exceptions import InvalidKeyError, StorageError
from litestar_storages.keys import validate_key
from litestar_storages.types import StoredFile

from .metadata import etag_of, read_sidecar, stored_file
from .names import is_internal, is_legacy_sidecar, is_sidecar, legacy_sidecar_name, sidecar_name
from .paths import Root, open_folder_at

__all__ = ("describe", "iter_files", "scan_started", "take")

# Files modified this close to (or after) a folder scan may have sidecars the scan missed.
_SCAN_MARGIN_NS = 2_000_000_000


def take(iterator: Iterator[StoredFile], count: int) -> list[StoredFile]:
    """Advance a listing by up to ``count`` files: one thread hop's worth.

    Args:
        iterator: A listing from :func:`iter_files`.
        count: Maximum number of files.

    Returns:
        The next files (fewer only at the end).
    """
    return list(itertools.islice(iterator, count))


def iter_files(root: Root, prefix: str, after: str = "") -> Generator[StoredFile, None, None]:
    """Yield the files whose keys start with ``prefix``, in key order (blocking).

    Temporary files, sidecars, the staging area, symbolic links (and what they point
    to), special files and names that are not valid keys are skipped. A prefix whose
    folder is missing, a file or a link lists nothing.

    Args:
        root: The storage root.
        prefix: A validated listing prefix.
        after: Yield only keys after this one (a page's resume point); folders holding
            none are not entered.

    Yields:
        Metadata of each file.
    """
    folder, _, name_prefix = prefix.rpartition("/")
    try:
        start = root.folder(folder.split("/") if folder else [], create=False, key=prefix)
    except StorageError:
        return  # missing, a file, or a link: nothing below it is a key
    with start:
        yield from _walk(start.fd, folder + "/" if folder else "", name_prefix, after)


def _after(sort_key: str, after: str) -> bool:
    # A folder's sort key ends in "/": every key inside starts with it.
    if sort_key > after:
        return True
    return sort_key.endswith("/") and after.startswith(sort_key)


def _walk(directory: int, key_folder: str, name_prefix: str, after: str) -> Iterator[StoredFile]:
    scanned_at = scan_started()
    try:
        with os.scandir(directory) as scan:
            entries = list(scan)
    except (FileNotFoundError, NotADirectoryError):
        return
    sidecars: set[str] = set()
    items: list[tuple[str, os.DirEntry[str], bool]] = []
    for entry in entries:
        name = entry.name
        if is_internal(name):
            if is_sidecar(name) or is_legacy_sidecar(name):
                sidecars.add(name)
            continue
        if not name.startswith(name_prefix):
            continue
        try:
            if entry.is_symlink():
                continue  # never followed, never listed
            is_dir = entry.is_dir(follow_symlinks=False)
        except OSError:
            continue
        sort_name = name + "/" if is_dir else name
        if after and not _after(key_folder + sort_name, after):
            continue  # at or before the resume point, with everything it holds
        items.append((sort_name, entry, is_dir))
    items.sort(key=lambda item: item[0])
    for _, entry, is_dir in items:
        name = entry.name
        if is_dir:
            try:
                child = open_folder_at(directory, name, create=False, key=key_folder + name)
            except (OSError, StorageError):
                continue  # gone, or swapped for a link or a file since the scan
            try:
                yield from _walk(child, f"{key_folder}{name}/", "", after)
            finally:
                os.close(child)
            continue
        stored = describe(directory, key_folder + name, entry, sidecars, scanned_at)
        if stored is not None:
            yield stored


def scan_started() -> int:
    """Return the scan time :func:`describe` compares modification times with (taken before the scan).

    Returns:
        Nanoseconds since the epoch, less a safety margin.
    """
    return time.time_ns() - _SCAN_MARGIN_NS


def describe(
    directory: int, key: str, entry: os.DirEntry[str], sidecars: set[str], scanned_at: int
) -> StoredFile | None:
    """Return the metadata of one scanned file, or ``None`` when it is not a key's file.

    The sidecar is read only when the scan saw one for this version of the file, or
    when the file changed too close to the scan for the scan to be trusted.

    Args:
        directory: Descriptor of the scanned folder.
        key: The file's key.
        entry: Its entry from ``os.scandir(directory)``.
        sidecars: The sidecar names the scan met.
        scanned_at: :func:`scan_started`, taken before the scan.

    Returns:
        The file's metadata; ``None`` for an invalid key, a file deleted since the scan
        or anything but a regular file.
    """
    name = entry.name
    try:
        validate_key(key)
        stat = entry.stat(follow_symlinks=False)
    except (InvalidKeyError, FileNotFoundError):
        return None  # not a valid key, or deleted since the scan
    if not stat_module.S_ISREG(stat.st_mode):
        return None
    size, mtime_ns = stat.st_size, stat.st_mtime_ns
    if mtime_ns >= scanned_at or (
        sidecars
        and (sidecar_name(name, size, mtime_ns) in sidecars or legacy_sidecar_name(name, etag_of(stat)) in sidecars)
    ):
        sidecar = read_sidecar(directory, name, stat)
    else:
        sidecar = None  # a folder without sidecars needs no name computed per file
    return stored_file(key, stat, sidecar)
