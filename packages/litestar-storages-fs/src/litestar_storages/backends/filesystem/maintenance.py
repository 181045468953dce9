"""Removing what interrupted work left behind (``FileSystemStorage.remove_stale_files``).

A process killed mid-write leaves its hidden temporary file. Every writer holds an
``flock`` on its temporary file until it is renamed into place, and the kernel drops the
lock when the process dies, so a temporary file whose lock can be taken belongs to a dead
writer and is removed whatever its age, while live writes are never disturbed. Writers
re-check their file after locking it (see :func:`~.atomic.open_temp_sync`), which closes
the window between creating the file and locking it.
"""

from __future__ import annotations

import os
import shutil
import stat as stat_module
import sys
import time
from dataclasses import dataclass
from datetime import timedelta

from .atomic import unlink_quietly
from .metadata import etag_of
from .paths import STAGING_DIR, Root, is_internal, is_sidecar, is_temp, sidecar_name

if sys.platform != "win32":  # POSIX only: FileSystemStorage refuses to start elsewhere
    import fcntl

__all__ = ("CleanupReport", "remove_stale_files_sync")


@dataclass(frozen=True)
class CleanupReport:
    """What :meth:`FileSystemStorage.remove_stale_files` removed.

    Attributes:
        temporary_files: Temporary files of writers that died.
        multipart_uploads: Multipart uploads abandoned for longer than the age limit.
        orphaned_sidecars: Metadata sidecars of file versions that no longer exist.
        folders: Folders left empty.
    """

    temporary_files: int = 0
    multipart_uploads: int = 0
    orphaned_sidecars: int = 0
    folders: int = 0

    @property
    def total(self) -> int:
        """Everything removed."""
        return self.temporary_files + self.multipart_uploads + self.orphaned_sidecars + self.folders


def _remove_if_abandoned(path: str) -> bool:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW)
    except OSError:
        return False
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # a live writer holds it
        unlink_quietly(path)
        return True
    finally:
        os.close(fd)


def _newest_mtime(directory: str) -> float:
    newest = os.stat(directory).st_mtime
    with os.scandir(directory) as entries:
        for entry in entries:
            try:
                newest = max(newest, entry.stat(follow_symlinks=False).st_mtime)
            except FileNotFoundError:
                continue
    return newest


def _clean_staging(staging: str, cutoff: float) -> tuple[int, int]:
    temporary = uploads = 0
    try:
        with os.scandir(staging) as scan:
            upload_dirs = [entry.path for entry in scan if entry.is_dir(follow_symlinks=False)]
    except FileNotFoundError:
        return 0, 0
    for directory in upload_dirs:
        try:
            with os.scandir(directory) as scan:
                names = [entry.name for entry in scan]
            temporary += sum(_remove_if_abandoned(os.path.join(directory, n)) for n in names if is_temp(n))
            if _newest_mtime(directory) < cutoff:
                shutil.rmtree(directory, ignore_errors=True)
                uploads += 1
        except FileNotFoundError:
            continue  # completed or aborted meanwhile
    return temporary, uploads


def _orphans(directory: str, names: list[str], cutoff: float) -> int:
    sidecars = [name for name in names if is_sidecar(name)]
    if not sidecars:
        return 0
    current: set[str] = set()
    for name in names:
        if is_internal(name):
            continue
        try:
            stat = os.stat(os.path.join(directory, name), follow_symlinks=False)
        except FileNotFoundError:
            continue
        if stat_module.S_ISREG(stat.st_mode):
            current.add(sidecar_name(name, etag_of(stat)))
    removed = 0
    for name in sidecars:
        path = os.path.join(directory, name)
        if name in current:
            continue
        try:
            # Young sidecars may belong to a write about to be renamed into place.
            if os.stat(path, follow_symlinks=False).st_mtime >= cutoff:
                continue
        except FileNotFoundError:
            continue
        unlink_quietly(path)
        removed += 1
    return removed


def remove_stale_files_sync(root: Root, older_than: timedelta) -> CleanupReport:
    """Walk the whole root and remove leftovers (see :class:`CleanupReport`).

    Args:
        root: The storage root.
        older_than: Age limit for abandoned multipart uploads and orphaned sidecars.

    Returns:
        Counts of what was removed.
    """
    real = root.real()
    cutoff = time.time() - older_than.total_seconds()
    staging = os.path.join(real, STAGING_DIR)
    temporary, uploads = _clean_staging(staging, cutoff)
    orphaned = folders = 0
    # Bottom-up, so folders emptied here can be removed on the way back up. Links are not
    # followed: whatever they point to is cleaned where it really lives.
    for directory, _subdirs, names in os.walk(real, topdown=False):
        if directory.startswith(staging):  # handled above, with its own age rule
            continue
        temporary += sum(_remove_if_abandoned(os.path.join(directory, name)) for name in names if is_temp(name))
        orphaned += _orphans(directory, names, cutoff)
        if directory != real:
            try:
                os.rmdir(directory)
            except OSError:
                continue
            folders += 1
    return CleanupReport(
        temporary_files=temporary, multipart_uploads=uploads, orphaned_sidecars=orphaned, folders=folders
    )
