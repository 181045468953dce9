"""Removing what interrupted work left behind (``FileSystemStorage.remove_stale_files``).

A process killed mid-write leaves its hidden temporary file. Every writer holds an
``flock`` on its temporary file until it is renamed into place, and the kernel drops the
lock when the process dies, so a temporary file whose lock can be taken belongs to a dead
writer and is removed whatever its age, while live writes are never disturbed. Writers
re-check their file after locking it (see :func:`~.temp_files.create_temp_at`), which closes
the window between creating the file and locking it.

Metadata sidecars are only ever removed when their file is gone, or when the file has
its own, matching sidecar: the metadata of a file that exists is never lost. A sidecar
that no longer matches its file only because a copy truncated the file's modification
time (to microseconds, milliseconds or seconds), and 0.1 sidecars (named after the
inode), are re-attached to their file in the current format.

The walk opens each folder relative to its parent with ``O_NOFOLLOW`` and acts on
entries relative to the folder's descriptor: links are never followed.
"""

from __future__ import annotations

import contextlib
import os
import stat as stat_module
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from litestar_storages.exceptions import StorageError

from .metadata import Sidecar, decode_legacy, decode_record, dump_record, read_small_file, write_small_file
from .names import (
    LEGACY_STAGING_DIR,
    STAGING_DIR,
    is_internal,
    is_legacy_sidecar,
    is_sidecar,
    is_temp,
    name_hash,
    parse_legacy_sidecar,
    sidecar_name,
)
from .paths import Root, open_folder_at
from .temp_files import unlink_quietly

if sys.platform != "win32":  # POSIX only: FileSystemStorage refuses to start elsewhere
    import fcntl

__all__ = ("CleanupReport", "remove_stale_files_sync")

_TRUNCATIONS = (1_000, 1_000_000, 1_000_000_000)
"""Modification time precisions copies may keep (microseconds, milliseconds, seconds)."""


@dataclass(frozen=True)
class CleanupReport:
    """What :meth:`FileSystemStorage.remove_stale_files` removed.

    Attributes:
        temporary_files: Temporary files of writers that died.
        multipart_uploads: Multipart uploads abandoned for longer than the age limit.
        orphaned_sidecars: Metadata sidecars of files (or file versions) that no longer exist.
        folders: Folders left empty.
        migrated_sidecars: Sidecars re-attached to their file in the current format (0.1
            sidecars, and those of files whose modification time a copy truncated); not
            counted in :attr:`total`, since no metadata was removed.
    """

    temporary_files: int = 0
    multipart_uploads: int = 0
    orphaned_sidecars: int = 0
    folders: int = 0
    migrated_sidecars: int = 0

    @property
    def total(self) -> int:
        """Everything removed."""
        return self.temporary_files + self.multipart_uploads + self.orphaned_sidecars + self.folders


@dataclass
class _Counts:
    temporary: int = 0
    uploads: int = 0
    orphaned: int = 0
    folders: int = 0
    migrated: int = 0


def _remove_if_abandoned(folder: int, name: str) -> bool:
    try:
        fd = os.open(name, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=folder)
    except OSError:
        return False
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # a live writer holds it
        unlink_quietly(folder, name)
        return True
    finally:
        os.close(fd)


def _open_child(folder: int, name: str) -> int | None:
    try:
        return open_folder_at(folder, name, create=False, key=name)
    except (OSError, StorageError):
        return None  # gone, or a link or a file since the scan


def _clean_staging(top: int, staging: str, cutoff: float, counts: _Counts) -> None:
    area = _open_child(top, staging)
    if area is None:
        return
    try:
        with os.scandir(area) as scan:
            uploads = [entry.name for entry in scan if entry.is_dir(follow_symlinks=False)]
        for upload in uploads:
            folder = _open_child(area, upload)
            if folder is None:
                continue  # completed or aborted meanwhile
            try:
                with os.scandir(folder) as scan:
                    entries = list(scan)
                counts.temporary += sum(_remove_if_abandoned(folder, e.name) for e in entries if is_temp(e.name))
                newest = os.fstat(folder).st_mtime
                for entry in entries:
                    try:
                        newest = max(newest, entry.stat(follow_symlinks=False).st_mtime)
                    except FileNotFoundError:
                        continue
                if newest < cutoff:
                    remove_flat_folder(area, upload, folder)
                    counts.uploads += 1
            finally:
                os.close(folder)
    finally:
        os.close(area)
    if staging == LEGACY_STAGING_DIR:
        with contextlib.suppress(OSError):
            os.rmdir(staging, dir_fd=top)  # the 0.1 staging area goes once empty


def remove_flat_folder(parent: int, name: str, folder: int) -> None:
    """Remove a folder holding only files (a multipart upload's), relative to its parent.

    Args:
        parent: Descriptor of the folder holding it.
        name: Its name.
        folder: Its own open descriptor.
    """
    with os.scandir(folder) as scan:
        names = [entry.name for entry in scan]
    for entry in names:
        try:
            os.unlink(entry, dir_fd=folder)
        except OSError:
            continue  # a folder someone put there: rmdir below then fails, harmlessly
    with contextlib.suppress(OSError):
        os.rmdir(name, dir_fd=parent)


def remove_stale_files_sync(root: Root, older_than: timedelta) -> CleanupReport:
    """Walk the whole root and remove leftovers (see :class:`CleanupReport`).

    Args:
        root: The storage root.
        older_than: Age limit for abandoned multipart uploads and orphaned sidecars.

    Returns:
        Counts of what was removed.
    """
    cutoff = time.time() - older_than.total_seconds()
    counts = _Counts()
    with root.top() as top:
        for staging in (STAGING_DIR, LEGACY_STAGING_DIR):
            _clean_staging(top.fd, staging, cutoff, counts)
        _clean_folder(top.fd, cutoff, counts)
    return CleanupReport(
        temporary_files=counts.temporary,
        multipart_uploads=counts.uploads,
        orphaned_sidecars=counts.orphaned,
        folders=counts.folders,
        migrated_sidecars=counts.migrated,
    )


def _clean_folder(folder: int, cutoff: float, counts: _Counts) -> None:
    # Depth first, so folders emptied below can be removed on the way back up.
    try:
        with os.scandir(folder) as scan:
            entries = list(scan)
    except OSError:
        return
    for entry in entries:
        name = entry.name
        try:
            if is_internal(name) or not entry.is_dir(follow_symlinks=False):
                continue  # links are not followed: whatever they point to is not ours
        except OSError:
            continue
        child = _open_child(folder, name)
        if child is None:
            continue
        try:
            _clean_folder(child, cutoff, counts)
        finally:
            os.close(child)
        try:
            os.rmdir(name, dir_fd=folder)
        except OSError:
            continue
        counts.folders += 1
    names = [entry.name for entry in entries]
    counts.temporary += sum(_remove_if_abandoned(folder, name) for name in names if is_temp(name))
    if any(is_sidecar(name) or is_legacy_sidecar(name) for name in names):
        _tidy_sidecars(folder, names, cutoff, counts)


@dataclass
class _Found:
    sidecar: str  # the sidecar file's name
    size: int
    mtime_ns: int
    content: Sidecar


def _matches(found: _Found, stat: os.stat_result) -> bool:
    if found.size != stat.st_size:
        return False
    recorded, actual = found.mtime_ns, stat.st_mtime_ns
    return recorded == actual or any(recorded - recorded % unit == actual for unit in _TRUNCATIONS)


def _reattach(folder: int, owner: str, stat: os.stat_result, candidates: list[_Found]) -> _Found | None:
    """Give file ``owner`` a current sidecar made from the best matching old one; return that one."""
    matching = [item for item in candidates if _matches(item, stat)]
    if not matching:
        return None
    best = max(matching, key=lambda item: item.mtime_ns)
    record = dump_record(owner, stat.st_size, stat.st_mtime_ns, best.content)
    try:
        mode = os.stat(best.sidecar, dir_fd=folder, follow_symlinks=False).st_mode & 0o7777
        write_small_file(folder, sidecar_name(owner, stat.st_size, stat.st_mtime_ns), record, mode)
    except OSError:
        return None
    unlink_quietly(folder, best.sidecar)
    return best


def _tidy_sidecars(folder: int, names: list[str], cutoff: float, counts: _Counts) -> None:
    files = _regular_files(folder, names)
    current = {sidecar_name(name, stat.st_size, stat.st_mtime_ns) for name, stat in files.items()}
    found = _Sidecars(folder, files)
    for name in names:
        if name not in current:
            found.sort(name)
    present = set(names)
    for owner, candidates in found.others.items():
        stat = files[owner]
        stale = candidates
        if sidecar_name(owner, stat.st_size, stat.st_mtime_ns) not in present:
            migrated = _reattach(folder, owner, stat, candidates)
            if migrated is None:
                continue  # no sidecar matches the file: keep them all, never lose its metadata
            counts.migrated += 1
            stale = [item for item in candidates if item is not migrated]
        # The file has its own sidecar: the others describe versions that no longer exist.
        found.orphans.extend(item.sidecar for item in stale)
    counts.orphaned += _remove_old(folder, found.orphans, cutoff)


def _regular_files(folder: int, names: list[str]) -> dict[str, os.stat_result]:
    files: dict[str, os.stat_result] = {}
    for name in names:
        if is_internal(name):
            continue
        try:
            stat = os.stat(name, dir_fd=folder, follow_symlinks=False)
        except FileNotFoundError:
            continue
        if stat_module.S_ISREG(stat.st_mode):
            files[name] = stat
    return files


class _Sidecars:
    """The sidecars of one folder that are not their file's current one: another version's, or orphans."""

    __slots__ = ("_hashes", "files", "folder", "orphans", "others")

    def __init__(self, folder: int, files: dict[str, os.stat_result]) -> None:
        self.folder = folder
        self.files = files
        self.others: defaultdict[str, list[_Found]] = defaultdict(list)
        self.orphans: list[str] = []
        self._hashes: dict[str, str] | None = None

    def sort(self, name: str) -> None:
        """File sidecar ``name`` under its owner's other versions, or as an orphan (other names: ignored)."""
        if is_sidecar(name):
            self._current_format(name)
        elif is_legacy_sidecar(name):
            self._legacy(name)

    def _current_format(self, name: str) -> None:
        record = decode_record(read_small_file(self.folder, name))
        if record is None or sidecar_name(record[0], record[1], record[2]) != name:
            self.orphans.append(name)  # unreadable, or not a name this storage gives
        elif record[0] in self.files:
            self.others[record[0]].append(_Found(name, record[1], record[2], record[3]))
        else:
            self.orphans.append(name)

    def _legacy(self, name: str) -> None:
        parsed = parse_legacy_sidecar(name)
        content = decode_legacy(read_small_file(self.folder, name))
        if parsed is None or content is None:
            self.orphans.append(name)
            return
        owner, size, mtime_ns = parsed
        if owner not in self.files:
            if self._hashes is None:
                self._hashes = {name_hash(file): file for file in self.files}
            owner = self._hashes.get(owner, owner)
        if owner in self.files:
            self.others[owner].append(_Found(name, size, mtime_ns, content))
        else:
            self.orphans.append(name)


def _remove_old(folder: int, orphans: list[str], cutoff: float) -> int:
    removed = 0
    for name in orphans:
        try:
            # Young sidecars may belong to a write about to be renamed into place.
            if os.stat(name, dir_fd=folder, follow_symlinks=False).st_mtime >= cutoff:
                continue
        except FileNotFoundError:
            continue
        unlink_quietly(folder, name)
        removed += 1
    return removed
