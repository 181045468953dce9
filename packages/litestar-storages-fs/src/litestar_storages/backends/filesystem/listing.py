"""Listing in key order, lazily: a depth-first walk that never reads more than it yields.

Sorting each folder's entries by name, with a ``/`` appended to folder names, yields
every key in exactly the order of ``sorted()`` over the keys: all keys below folder
``b`` start with ``"b/"``, and a file name sorts before or after ``"b/"`` exactly as it
sorts before or after every such key. So the walk needs no global sort, stops as soon as
the caller has enough, and only enters folders the prefix can match.
"""

from __future__ import annotations

import itertools
import os
import stat as stat_module
import time
from collections.abc import Iterator

from litestar_storages.exceptions import InvalidKeyError
from litestar_storages.keys import validate_key
from litestar_storages.types import StoredFile

from .metadata import etag_of, read_sidecar, stored_file
from .paths import Root, is_internal, is_sidecar, sidecar_name

__all__ = ("iter_files", "take")

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


def iter_files(root: Root, prefix: str) -> Iterator[StoredFile]:
    """Yield the files whose keys start with ``prefix``, in key order (blocking).

    Temporary files, sidecars, the staging area, links leading outside the root and
    names that are not valid keys are skipped.

    Args:
        root: The storage root.
        prefix: A validated listing prefix.

    Yields:
        Metadata of each file.
    """
    real_root = root.real()
    folder, _, name_prefix = prefix.rpartition("/")
    if folder:
        start = os.path.realpath(f"{real_root}/{folder}")
        if not root.contains(start):
            return
        yield from _walk(root, start, folder + "/", name_prefix, (real_root, start))
    else:
        yield from _walk(root, real_root, "", name_prefix, (real_root,))


def _walk(
    root: Root, directory: str, key_folder: str, name_prefix: str, ancestors: tuple[str, ...]
) -> Iterator[StoredFile]:
    scanned_at = time.time_ns() - _SCAN_MARGIN_NS
    try:
        with os.scandir(directory) as scan:
            entries = list(scan)
    except (FileNotFoundError, NotADirectoryError):
        return
    sidecars: set[str] = set()
    items: list[tuple[str, os.DirEntry[str], bool, str | None]] = []
    for entry in entries:
        name = entry.name
        if is_internal(name):
            if is_sidecar(name):
                sidecars.add(name)
            continue
        if not name.startswith(name_prefix):
            continue
        target: str | None = None
        try:
            if entry.is_symlink():
                target = os.path.realpath(entry.path)
                if not root.contains(target):
                    continue
            is_dir = entry.is_dir()
        except OSError:
            continue
        items.append((name + "/" if is_dir else name, entry, is_dir, target))
    items.sort(key=lambda item: item[0])
    for _, entry, is_dir, target in items:
        name = entry.name
        if is_dir:
            real_dir = target or entry.path
            if real_dir in ancestors:  # a link back up the tree: do not loop
                continue
            yield from _walk(root, real_dir, f"{key_folder}{name}/", "", (*ancestors, real_dir))
            continue
        key = key_folder + name
        try:
            validate_key(key)
            stat = entry.stat()
        except (InvalidKeyError, FileNotFoundError):
            continue  # not a valid key, or deleted since the scan
        if not stat_module.S_ISREG(stat.st_mode):
            continue
        etag = etag_of(stat)
        if target is not None:
            sidecar = read_sidecar(os.path.dirname(target), os.path.basename(target), etag)
        elif stat.st_mtime_ns >= scanned_at or (sidecars and sidecar_name(name, etag) in sidecars):
            sidecar = read_sidecar(directory, name, etag)
        else:
            sidecar = None  # a folder without sidecars needs no name computed per file
        yield stored_file(key, stat, sidecar, etag)
