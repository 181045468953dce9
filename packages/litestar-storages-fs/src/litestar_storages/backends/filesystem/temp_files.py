"""Temporary files of writes in progress: created locked beside their target, removed on failure.

The writer holds an ``flock`` on its temporary file for the whole write; the lock dies
with the process, which is how ``FileSystemStorage.remove_stale_files()`` tells a
crashed writer's leftovers from a live write. Every name is relative to the descriptor
of its folder (see :mod:`.paths`).
"""

from __future__ import annotations

import contextlib
import os
import sys

from litestar_storages.exceptions import StorageError

from .names import temp_name
from .paths import Folder, Root

if sys.platform != "win32":  # POSIX only: FileSystemStorage refuses to start elsewhere
    import fcntl

__all__ = ("create_temp_at", "discard_sync", "open_temp_sync", "unlink_if_present", "unlink_quietly")

_TEMP_ATTEMPTS = 8


def unlink_quietly(folder: int, name: str) -> None:
    """Remove a file of an open folder, ignoring that it is already gone."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(name, dir_fd=folder)


def unlink_if_present(folder: int, name: str) -> None:
    """Remove a file that usually does not exist (a sidecar), cheaply when it does not."""
    if os.access(name, os.F_OK, dir_fd=folder, follow_symlinks=False):
        unlink_quietly(folder, name)


def create_temp_at(folder: int, key: str, permissions: int) -> tuple[int, str] | None:
    """Create and lock a fresh temporary file in an open folder.

    Args:
        folder: The folder's descriptor.
        key: The key being written, for error messages.
        permissions: Mode of the file.

    Returns:
        ``(fd, name)`` of the open, locked temporary file, or ``None`` when
        ``remove_stale_files()`` claimed the name meanwhile (try again).

    Raises:
        FileNotFoundError: If the folder was removed meanwhile.
    """
    name = temp_name()
    fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, permissions, dir_fd=folder)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        # A link count of 0: remove_stale_files() unlinked it between our create and our lock.
        claimed = os.fstat(fd).st_nlink == 0
    except BlockingIOError:
        claimed = True  # remove_stale_files() holds it and is about to unlink it
    except BaseException:
        discard_sync(fd, folder, name)
        raise
    if claimed:
        os.close(fd)
        return None
    try:
        os.fchmod(fd, permissions)  # exact mode, whatever the umask
    except BaseException:
        discard_sync(fd, folder, name)
        raise
    return fd, name


def open_temp_sync(root: Root, key: str, permissions: int) -> tuple[Folder, int, str]:
    """Open the key's folder (creating it) and a fresh, locked temporary file in it.

    Args:
        root: The storage root.
        key: A validated key.
        permissions: Mode of the file.

    Returns:
        ``(folder, fd, name)``: the key's open folder, and the temporary file's
        descriptor and name in it. The caller closes both (``commit_sync`` does).

    Raises:
        StorageFileExistsError: If a parent folder of the key is a file.
        StoragePermissionError: If a parent folder of the key is a symbolic link.
    """
    for _ in range(_TEMP_ATTEMPTS):
        try:
            folder = root.parent(key, create=True)
        except FileNotFoundError:
            # A folder was removed under the walk (a concurrent delete emptied it), or the root was.
            root.reopen_if_removed()
            continue
        try:
            created = create_temp_at(folder.fd, key, permissions)
        except FileNotFoundError:
            created = None  # the folder was removed by a concurrent delete: open it again
            root.reopen_if_removed()
        except BaseException:
            folder.close()
            raise
        if created is not None:
            return folder, *created
        folder.close()
    raise StorageError(f"Could not create a temporary file for {key!r}", key=key)


def discard_sync(fd: int, folder: int, name: str) -> None:
    """Abandon a write: close its temporary file and remove it."""
    try:
        os.close(fd)
    finally:
        unlink_quietly(folder, name)
