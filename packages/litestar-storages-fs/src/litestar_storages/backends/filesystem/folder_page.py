"""One page of a folder listing (``list_dir``): one ``scandir`` of the one folder, never a walk.

The folder is opened below the root's descriptor one segment at a time, never through
a link (:meth:`.paths.Root.folder`), and scanned through that descriptor, so a folder
swapped for a link to elsewhere after it was opened is harmless: the scan reads the
folder that was inside the root. Sub-folders are reported by name and never entered;
symbolic links, special files, the storage's own files (temporary files, sidecars, the
staging area) and names that are not valid keys are skipped.

Each page is one scan: the entries after the page's resume point are kept in a heap of
``page_size + 1`` (the extra one tells whether another page follows), so memory stays
bounded by the page however many entries the folder holds; only the files of the page
are ``stat``-ed.

A folder left empty by ``delete()`` or ``move()`` is removed then (see
:meth:`.paths.Root.remove_empty_parents`), so folders come and go with their objects as
on an object store. A folder that is empty for another reason (made by hand, or holding
only the temporary file of a write in progress) is listed; scanning every sub-folder to
find out would make a page cost one scan per sub-folder.
"""

from __future__ import annotations

import heapq
import os
from collections.abc import Iterator

from litestar_storages.exceptions import InvalidKeyError, StorageError
from litestar_storages.keys import validate_key
from litestar_storages.types import StoredFile

from .listing import describe, scan_started
from .names import is_internal, is_legacy_sidecar, is_sidecar
from .paths import Root

__all__ = ("folder_page",)

_Candidate = tuple[str, os.DirEntry[str], bool]


def folder_page(root: Root, prefix: str, after: str, page_size: int) -> tuple[list[StoredFile], list[str], str | None]:
    """List one page of the folder ``prefix`` (blocking).

    Args:
        root: The storage root.
        prefix: The folder: ``""`` or a validated folder ending with ``/``.
        after: Only entries after this name (a page's resume point), or ``""``.
        page_size: Most entries in the page (at least 1).

    Returns:
        The files, the sub-folders (full names ending with ``/``), and the resume point
        of the next page (``None`` after the last one).
    """
    segments = prefix[:-1].split("/") if prefix else []
    try:
        folder = root.folder(segments, create=False, key=prefix)
    except StorageError:
        return [], [], None  # missing, a file, or a link: nothing in it is a key
    with folder:
        return _page(folder.fd, prefix, after, page_size)


def _candidates(directory: int, prefix: str, after: str, sidecars: set[str]) -> Iterator[_Candidate]:
    with os.scandir(directory) as scan:
        for entry in scan:
            name = entry.name
            if is_internal(name):
                if is_sidecar(name) or is_legacy_sidecar(name):
                    sidecars.add(name)
                continue
            try:
                if entry.is_symlink():
                    continue  # never followed, never listed
                is_dir = entry.is_dir(follow_symlinks=False)
                if not is_dir and not entry.is_file(follow_symlinks=False):
                    continue  # a FIFO, socket or device is no key's file
            except OSError:
                continue
            key = prefix + name
            try:
                validate_key(key)
            except InvalidKeyError:
                continue  # a name no key can have (control character, not UTF-8, too long)
            sort_name = key + "/" if is_dir else key
            if sort_name > after:
                yield sort_name, entry, is_dir


def _page(directory: int, prefix: str, after: str, page_size: int) -> tuple[list[StoredFile], list[str], str | None]:
    scanned_at = scan_started()
    sidecars: set[str] = set()
    try:
        chosen = heapq.nsmallest(page_size + 1, _candidates(directory, prefix, after, sidecars), key=_sort_name)
    except (FileNotFoundError, NotADirectoryError):
        return [], [], None  # removed since it was opened
    token = chosen[page_size - 1][0] if len(chosen) > page_size else None
    files: list[StoredFile] = []
    folders: list[str] = []
    for sort_name, entry, is_dir in chosen[:page_size]:
        if is_dir:
            folders.append(sort_name)
            continue
        stored = describe(directory, sort_name, entry, sidecars, scanned_at)
        if stored is not None:
            files.append(stored)
    return files, folders, token


def _sort_name(candidate: _Candidate) -> str:
    return candidate[0]
