"""Blocking operations on stored files: info, exists, delete, copy, move.

Each function is the whole work of one storage call, run in one worker thread hop.
Every entry is named relative to its opened folder (see :mod:`.paths`).
"""

from __future__ import annotations

import errno
import os
import stat as stat_module
from collections.abc import Iterable

from litestar_storages.attributes import NO_ATTRIBUTES
from litestar_storages.exceptions import StorageError, StorageFileExistsError, StorageFileNotFoundError
from litestar_storages.types import StoredFile

from .commit import commit_sync, remove_sidecars
from .fdio import copy_range
from .metadata import (
    Sidecar,
    content_type_for,
    dump_record,
    encode_sidecar,
    read_sidecar,
    stored_file,
    write_small_file,
)
from .names import sidecar_name
from .paths import Folder, Root, entry_stat, open_file
from .temp_files import discard_sync, open_temp_sync, unlink_quietly

__all__ = ("copy_sync", "delete_many_sync", "delete_sync", "exists_sync", "info_sync", "move_sync")

_MOVE_ATTEMPTS = 8


def _not_found(key: str, detail: str = "") -> StorageFileNotFoundError:
    return StorageFileNotFoundError(key, message=f"File not found: {key!r}{detail}" if detail else None)


def _existing_stat(folder: Folder, key: str) -> os.stat_result:
    stat = entry_stat(folder, key)
    if stat is None:
        raise _not_found(key)
    if not stat_module.S_ISREG(stat.st_mode):
        raise _not_found(key, " (it is a folder)")
    return stat


def info_sync(root: Root, key: str) -> StoredFile | None:
    """Return a key's metadata, or ``None`` when no file is there (a folder is not a key).

    Raises:
        StoragePermissionError: If the key's path meets a symbolic link.
    """
    try:
        folder = root.parent(key)
    except StorageFileNotFoundError:
        return None
    with folder:
        stat = entry_stat(folder, key)
        if stat is None or not stat_module.S_ISREG(stat.st_mode):
            return None
        return stored_file(key, stat, read_sidecar(folder.fd, folder.name, stat))


def exists_sync(root: Root, key: str) -> bool:
    """Tell whether a key exists (a folder is not a key), without reading its metadata.

    Raises:
        StoragePermissionError: If the key's path meets a symbolic link.
    """
    try:
        folder = root.parent(key)
    except StorageFileNotFoundError:
        return False
    with folder:
        stat = entry_stat(folder, key)
    return stat is not None and stat_module.S_ISREG(stat.st_mode)


def delete_sync(root: Root, key: str) -> bool:
    """Delete a key's file and sidecar, then its folders while they are empty.

    Returns:
        Whether the file existed.

    Raises:
        StoragePermissionError: If the key's path meets a symbolic link.
    """
    try:
        with root.parent(key) as folder:
            stat = _existing_stat(folder, key)
            # unlink never follows a link: at worst it removes one swapped in meanwhile.
            os.unlink(folder.name, dir_fd=folder.fd)
            remove_sidecars(folder.fd, folder.name, stat)
    except (StorageFileNotFoundError, FileNotFoundError):
        return False
    if "/" in key:
        root.remove_empty_parents(key)
    return True


def delete_many_sync(root: Root, keys: Iterable[str]) -> None:
    """Delete several (validated) keys, skipping missing ones, in one thread hop."""
    for key in keys:
        delete_sync(root, key)


def _effective(key: str, sidecar: Sidecar | None) -> Sidecar:
    # A file without a sidecar has the content type guessed from its key.
    return sidecar if sidecar is not None else (content_type_for(key), {}, NO_ATTRIBUTES)


def _regular(fd: int, key: str) -> os.stat_result:
    stat = os.fstat(fd)
    if not stat_module.S_ISREG(stat.st_mode):
        raise _not_found(key, " (it is a folder)")
    return stat


def copy_sync(root: Root, source: str, destination: str, permissions: int, durable: bool) -> StoredFile:
    """Copy a file and its metadata (in the kernel where possible) through an atomic write.

    Raises:
        StorageFileNotFoundError: If ``source`` does not exist.
        StoragePermissionError: If either key's path meets a symbolic link.
    """
    with root.parent(source) as source_folder:
        source_fd = open_file(source_folder, source)
        try:
            stat = _regular(source_fd, source)
            described = _effective(source, read_sidecar(source_folder.fd, source_folder.name, stat))
        except BaseException:
            os.close(source_fd)
            raise
    try:
        folder, fd, temp = open_temp_sync(root, destination, permissions)
        try:
            entry_stat(folder, destination)  # refuses a link at the destination
            copy_range(source_fd, fd, stat.st_size)
        except BaseException:
            try:
                discard_sync(fd, folder.fd, temp)
            finally:
                folder.close()
            raise
    finally:
        os.close(source_fd)
    new_stat = commit_sync(
        fd, folder, temp, destination, described, overwrite=True, permissions=permissions, durable=durable
    )
    return stored_file(destination, new_stat, described)


def move_sync(root: Root, source: str, destination: str, permissions: int, durable: bool) -> StoredFile:
    """Rename a file and its sidecar; copy then delete only across filesystems.

    Raises:
        StorageFileNotFoundError: If ``source`` does not exist.
        StorageFileExistsError: If ``destination`` is a folder holding other keys.
        StoragePermissionError: If either key's path meets a symbolic link.
    """
    for _ in range(_MOVE_ATTEMPTS):
        with root.parent(source) as source_folder:
            stat = _existing_stat(source_folder, source)
            try:
                target = root.parent(destination, create=True)
            except FileNotFoundError:
                continue  # a folder was removed under the walk by a concurrent delete: walk again
            with target:
                try:
                    moved = _move_entry(
                        source_folder, target, stat, source_key=source, destination=destination, permissions=permissions
                    )
                except FileNotFoundError:
                    if entry_stat(source_folder, source) is None:
                        raise _not_found(source) from None
                    continue  # the target folder was removed by a concurrent delete: open it again
                except OSError as error:
                    if error.errno != errno.EXDEV:
                        raise
                    moved = None
                if durable and moved is not None:
                    os.fsync(target.fd)
        if moved is None:  # across filesystems (a mount inside the root)
            copied = copy_sync(root, source, destination, permissions, durable)
            delete_sync(root, source)
            return copied
        if "/" in source:
            root.remove_empty_parents(source)
        return stored_file(destination, stat, moved)
    raise StorageError(f"Could not move {source!r} to {destination!r}: its folder keeps disappearing", key=source)


def _move_entry(
    source: Folder, target: Folder, stat: os.stat_result, *, source_key: str, destination: str, permissions: int
) -> Sidecar:
    previous = entry_stat(target, destination)  # refuses a link at the destination
    sidecar = read_sidecar(source.fd, source.name, stat)
    described = _effective(source_key, sidecar)
    old_sidecar = sidecar_name(source.name, stat.st_size, stat.st_mtime_ns)
    new_sidecar = sidecar_name(target.name, stat.st_size, stat.st_mtime_ns)
    # A current-format sidecar is renamed when the file keeps its name: the record inside
    # names the file, and a reader trusts a record only for that name. Otherwise (another
    # name, no sidecar, a 0.1 one) a fresh one is written if the new key needs it: the
    # type guessed from the old key may differ.
    renamed = (
        sidecar is not None
        and source.name == target.name
        and os.access(old_sidecar, os.F_OK, dir_fd=source.fd, follow_symlinks=False)
    )
    fresh = None if renamed else encode_sidecar(destination, *described)
    # Sidecar first: the file never appears at its new key without its metadata.
    if renamed:
        os.rename(old_sidecar, new_sidecar, src_dir_fd=source.fd, dst_dir_fd=target.fd)
    elif fresh is not None:
        record = dump_record(target.name, stat.st_size, stat.st_mtime_ns, fresh)
        write_small_file(target.fd, new_sidecar, record, permissions)
    try:
        os.rename(source.name, target.name, src_dir_fd=source.fd, dst_dir_fd=target.fd)
    except OSError as error:
        _undo_sidecar(source, target, old_sidecar, new_sidecar, renamed=renamed, written=fresh is not None)
        if error.errno in {errno.EISDIR, errno.ENOTEMPTY, errno.EEXIST}:
            raise StorageFileExistsError(
                destination,
                message=f"Cannot move to {destination!r}: a folder of that name holds other keys",
            ) from None
        raise
    except BaseException:
        _undo_sidecar(source, target, old_sidecar, new_sidecar, renamed=renamed, written=fresh is not None)
        raise
    if not renamed:
        remove_sidecars(source.fd, source.name, stat)  # a stale or 0.1 sidecar, if any
    if previous is not None and stat_module.S_ISREG(previous.st_mode):
        remove_sidecars(target.fd, target.name, previous, keep=new_sidecar)
    return described


def _undo_sidecar(source: Folder, target: Folder, old: str, new: str, *, renamed: bool, written: bool) -> None:
    if renamed:
        os.rename(new, old, src_dir_fd=target.fd, dst_dir_fd=source.fd)
    elif written:
        unlink_quietly(target.fd, new)
