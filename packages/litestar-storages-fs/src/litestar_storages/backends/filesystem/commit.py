"""Putting a completely written temporary file in place, with its sidecar, atomically.

The sidecar (named after the new version: see :func:`stamp_version`) is written first,
so a file never appears without its metadata; ``rename`` replaces the key atomically,
and ``overwrite=False`` uses ``link``, which fails atomically when the key exists,
instead of checking first. The previous version's sidecar goes after.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat as stat_module
import time
from typing import cast

from litestar_storages.exceptions import StorageError, StorageFileExistsError

from .metadata import Sidecar, dump_record, etag_of, write_small_file
from .names import legacy_sidecar_name, sidecar_name
from .paths import Folder, entry_stat
from .temp_files import unlink_if_present, unlink_quietly

__all__ = ("commit_sync", "remove_sidecars", "stamp_version")

_STAMP_ATTEMPTS = 8
_LOOK_UP = object()
# Default of ``commit_sync(previous=...)``: look the replaced version up there.
_NO_TIMES = frozenset({errno.EPERM, errno.EACCES, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS})
"""Filesystems that keep their own times (some FUSE and network ones): the kernel's then stand."""


def remove_sidecars(folder: int, name: str, stat: os.stat_result, *, keep: str | None = None) -> None:
    """Remove the sidecars (current and 0.1 format) of one version of file ``name``.

    Args:
        folder: Descriptor of the file's folder.
        name: The file's name.
        stat: The version's ``stat``.
        keep: A sidecar name not to remove (the new version's, should they coincide).
    """
    current = sidecar_name(name, stat.st_size, stat.st_mtime_ns)
    if current != keep:
        unlink_if_present(folder, current)
    unlink_if_present(folder, legacy_sidecar_name(name, etag_of(stat)))


def stamp_version(fd: int, attempt: int = 0) -> os.stat_result:
    """Give a written file a modification time of its own, and return its ``stat``.

    The kernel's file times tick in milliseconds, so two writes of one size can share
    one. A sidecar's name carries its file's size and modification time (which backups
    keep, unlike the inode), so each version gets its own time instead: the current time
    less a random part of a millisecond, and never a whole microsecond (copies that keep
    only microseconds, milliseconds or seconds are then recognizable). On a retry after a
    collision the time moves ahead by ``attempt`` seconds, for filesystems with coarse times.

    Args:
        fd: The written temporary file.
        attempt: How many stamps collided already.

    Returns:
        The file's ``stat`` after stamping.
    """
    mtime = time.time_ns() + attempt * 1_000_000_000 - secrets.randbelow(1_000_000)
    if mtime % 1000 == 0:
        mtime += 1
    try:
        os.utime(fd, ns=(mtime, mtime))
    except OSError as error:
        if error.errno not in _NO_TIMES:
            raise
    return os.fstat(fd)


def _fsync_folder(folder: int) -> None:
    try:
        os.fsync(folder)
    except OSError as error:
        if error.errno not in {errno.EINVAL, errno.EBADF}:  # folders that cannot be flushed this way
            raise


def commit_sync(
    fd: int,
    folder: Folder,
    temp: str,
    key: str,
    sidecar: Sidecar | None,
    *,
    overwrite: bool,
    permissions: int,
    durable: bool,
    previous: os.stat_result | object | None = _LOOK_UP,
) -> os.stat_result:
    """Put a completely written temporary file in place; always closes ``fd`` and ``folder``.

    The sidecar (named after the new version) is written first, so the file never
    appears without its metadata; the previous version's sidecar is removed after. On
    any failure the temporary file and the new sidecar are removed and the previous
    version stays.

    Args:
        fd: The temporary file, open and locked.
        folder: The key's open folder, holding the temporary file.
        temp: The temporary file's name.
        key: The key, for error messages.
        sidecar: ``(content_type, metadata)``, or ``None`` for default metadata.
        overwrite: Replace an existing file; when ``False`` fail atomically instead.
        permissions: Mode of the sidecar.
        durable: ``fsync`` the data, the sidecar and the folder.
        previous: ``stat`` of the version being replaced (``None``: none), when the
            caller just looked; by default it is looked up here.

    Returns:
        The ``stat`` of the stored file.

    Raises:
        StorageFileExistsError: If ``overwrite`` is false and the key exists, or the
            key is a folder.
    """
    name = folder.name
    committed = False
    written: str | None = None
    try:
        dir_fd = folder.fd
        stat = stamp_version(fd)
        if durable:
            os.fsync(fd)
        if sidecar is not None:
            written = _write_sidecar(fd, dir_fd, name, sidecar, stat, permissions=permissions, durable=durable)
            stat = os.fstat(fd)
        if overwrite:
            replaced = entry_stat(folder, key) if previous is _LOOK_UP else cast("os.stat_result | None", previous)
            try:
                os.rename(temp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
            except OSError as error:
                if error.errno in {errno.EISDIR, errno.ENOTEMPTY, errno.EEXIST}:
                    raise StorageFileExistsError(
                        key,
                        message=f"Cannot store {key!r}: a folder of that name holds other keys",
                    ) from None
                raise
            committed = True
            if replaced is not None and stat_module.S_ISREG(replaced.st_mode):
                remove_sidecars(dir_fd, name, replaced, keep=written)
        else:
            try:
                # Never follows a link: the temporary file is linked, whatever its name now holds.
                os.link(temp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd, follow_symlinks=False)
            except FileExistsError:
                raise StorageFileExistsError(key) from None
            committed = True
            unlink_quietly(dir_fd, temp)
        if durable:
            _fsync_folder(dir_fd)
        return stat
    finally:
        try:
            os.close(fd)
            if not committed:
                unlink_quietly(folder.fd, temp)
                if written is not None:
                    unlink_quietly(folder.fd, written)
        finally:
            folder.close()


def _write_sidecar(
    fd: int, folder: int, name: str, sidecar: Sidecar, stat: os.stat_result, *, permissions: int, durable: bool
) -> str:
    # Created exclusively: a name taken by another version (same size, same time) makes
    # this version take another time instead of sharing (or overwriting) its sidecar.
    for attempt in range(_STAMP_ATTEMPTS):
        if attempt:
            stat = stamp_version(fd, attempt)
        written = sidecar_name(name, stat.st_size, stat.st_mtime_ns)
        record = dump_record(name, stat.st_size, stat.st_mtime_ns, sidecar)
        try:
            write_small_file(folder, written, record, permissions, durable=durable, exclusive=True)
        except FileExistsError:
            continue
        return written
    raise StorageError(f"Could not write the metadata of {name!r}: its sidecar names keep colliding")
