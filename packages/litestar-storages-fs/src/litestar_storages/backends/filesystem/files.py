"""Blocking operations on stored files: info, exists, delete, copy, move.

Each function is the whole work of one storage call, run in one worker thread hop.
"""

from __future__ import annotations

import errno
import os
import stat as stat_module
from collections.abc import Iterable

from litestar_storages.exceptions import StorageError, StorageFileExistsError, StorageFileNotFoundError
from litestar_storages.types import StoredFile

from .atomic import commit_sync, copy_range, discard_sync, open_temp_sync, unlink_if_present, unlink_quietly
from .metadata import Sidecar, content_type_for, encode_sidecar, etag_of, read_sidecar, stored_file, write_small_file
from .paths import Root, make_parents, remove_empty_parents, sidecar_name

__all__ = ("copy_sync", "delete_many_sync", "delete_sync", "exists_sync", "info_sync", "move_sync")

_MOVE_ATTEMPTS = 8


def _sidecar_of(path: str, stat: os.stat_result) -> Sidecar | None:
    directory, name = os.path.split(path)
    return read_sidecar(directory, name, etag_of(stat))


def _existing_file(root: Root, key: str) -> tuple[str, os.stat_result]:
    path, stat = root.resolve(key)
    if stat is None:
        raise StorageFileNotFoundError(key)
    if not stat_module.S_ISREG(stat.st_mode):
        raise StorageFileNotFoundError(key, message=f"File not found: {key!r} (it is a folder)")
    return path, stat


def info_sync(root: Root, key: str) -> StoredFile:
    """Return a key's metadata.

    Raises:
        StorageFileNotFoundError: If the key does not exist.
    """
    path, stat = _existing_file(root, key)
    return stored_file(key, stat, _sidecar_of(path, stat))


def exists_sync(root: Root, key: str) -> bool:
    """Tell whether a key exists (a folder is not a key)."""
    stat = root.resolve(key)[1]
    return stat is not None and stat_module.S_ISREG(stat.st_mode)


def delete_sync(root: Root, key: str, missing_ok: bool) -> None:
    """Delete a key's file and sidecar, then its folders while they are empty.

    Raises:
        StorageFileNotFoundError: If the key does not exist and ``missing_ok`` is false.
    """
    try:
        path, stat = _existing_file(root, key)
        os.unlink(path)
    except (StorageFileNotFoundError, FileNotFoundError):
        if missing_ok:
            return
        raise StorageFileNotFoundError(key) from None
    directory, name = os.path.split(path)
    unlink_if_present(os.path.join(directory, sidecar_name(name, etag_of(stat))))
    remove_empty_parents(root.real(), directory)


def delete_many_sync(root: Root, keys: Iterable[str]) -> None:
    """Delete several (validated) keys, skipping missing ones, in one thread hop."""
    for key in keys:
        delete_sync(root, key, True)


def _effective(key: str, sidecar: Sidecar | None) -> Sidecar:
    # A file without a sidecar has the content type guessed from its key.
    return sidecar if sidecar is not None else (content_type_for(key), {})


def copy_sync(root: Root, source: str, destination: str, permissions: int, durable: bool) -> StoredFile:
    """Copy a file and its metadata (in the kernel where possible) through an atomic write.

    Raises:
        StorageFileNotFoundError: If ``source`` does not exist.
    """
    source_path = root.path(source)
    target = root.path(destination)
    try:
        source_fd = os.open(source_path, os.O_RDONLY | os.O_CLOEXEC)
    except (FileNotFoundError, NotADirectoryError):
        raise StorageFileNotFoundError(source) from None
    try:
        stat = os.fstat(source_fd)
        if not stat_module.S_ISREG(stat.st_mode):
            raise StorageFileNotFoundError(source, message=f"File not found: {source!r} (it is a folder)")
        described = _effective(source, _sidecar_of(source_path, stat))
        fd, temp_path = open_temp_sync(os.path.dirname(target), destination, permissions)
        try:
            copy_range(source_fd, fd, stat.st_size)
        except BaseException:
            discard_sync(fd, temp_path)
            raise
    finally:
        os.close(source_fd)
    raw = encode_sidecar(destination, *described)
    new_stat = commit_sync(
        fd, temp_path, target, destination, raw, overwrite=True, permissions=permissions, durable=durable
    )
    return stored_file(destination, new_stat, described)


def move_sync(root: Root, source: str, destination: str, permissions: int, durable: bool) -> StoredFile:
    """Rename a file and its sidecar; copy then delete only across filesystems.

    Raises:
        StorageFileNotFoundError: If ``source`` does not exist.
        StorageFileExistsError: If ``destination`` is a folder holding other keys.
    """
    source_path, stat = _existing_file(root, source)
    target, target_stat = root.resolve(destination)
    sidecar = _sidecar_of(source_path, stat)
    described = _effective(source, sidecar)
    if source_path == target:  # two keys naming one file through a link inside the root
        return stored_file(destination, stat, described)
    etag = etag_of(stat)
    source_dir, source_name = os.path.split(source_path)
    target_dir, target_name = os.path.split(target)
    old_sidecar = os.path.join(source_dir, sidecar_name(source_name, etag))
    new_sidecar = os.path.join(target_dir, sidecar_name(target_name, etag))
    # Without a sidecar the type was guessed from the old key; the new key may guess differently.
    fresh_sidecar = None if sidecar is not None else encode_sidecar(destination, *described)
    previous = etag_of(target_stat) if target_stat is not None and stat_module.S_ISREG(target_stat.st_mode) else None
    for _ in range(_MOVE_ATTEMPTS):
        make_parents(target_dir, destination)
        try:
            _rename_with_sidecar(
                source=source_path,
                target=target,
                old_sidecar=old_sidecar,
                new_sidecar=new_sidecar,
                has_sidecar=sidecar is not None,
                fresh_sidecar=fresh_sidecar,
                permissions=permissions,
            )
        except FileNotFoundError:
            if not os.path.exists(source_path):
                raise StorageFileNotFoundError(source) from None
            continue  # the target folder was removed by a concurrent delete: recreate it
        except OSError as error:
            if error.errno == errno.EXDEV:
                copied = copy_sync(root, source, destination, permissions, durable)
                delete_sync(root, source, True)
                return copied
            if error.errno in {errno.EISDIR, errno.ENOTEMPTY, errno.EEXIST}:
                raise StorageFileExistsError(
                    destination, message=f"Cannot move to {destination!r}: a folder of that name holds other keys"
                ) from None
            raise
        break
    else:
        raise StorageError(f"Could not move {source!r} to {destination!r}: its folder keeps disappearing", key=source)
    if previous is not None and previous != etag:
        unlink_if_present(os.path.join(target_dir, sidecar_name(target_name, previous)))
    remove_empty_parents(root.real(), source_dir)
    return stored_file(destination, stat, described)


def _rename_with_sidecar(
    *,
    source: str,
    target: str,
    old_sidecar: str,
    new_sidecar: str,
    has_sidecar: bool,
    fresh_sidecar: bytes | None,
    permissions: int,
) -> None:
    # Sidecar first: the file never appears at its new key without its metadata.
    if has_sidecar:
        os.rename(old_sidecar, new_sidecar)
    elif fresh_sidecar is not None:
        write_small_file(new_sidecar, fresh_sidecar, permissions)
    try:
        os.rename(source, target)
    except BaseException:
        if has_sidecar:
            os.rename(new_sidecar, old_sidecar)
        elif fresh_sidecar is not None:
            unlink_quietly(new_sidecar)
        raise
