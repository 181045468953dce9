"""Blocking operations on stored files: info, exists, delete, copy, move.

Each function is the whole work of one storage call, run in one worker thread hop.
"""

from __future__ import annotations

import errno
import os
import stat as stat_module
from collections.abc import Iterable

from litestar_storages.content import guess_content_type
from litestar_storages.exceptions import StorageError, StorageFileExistsError, StorageFileNotFoundError
from litestar_storages.types import StoredFile

from .atomic import commit_sync, copy_range, discard_sync, open_temp_sync, regular_etag, unlink_quietly
from .metadata import Sidecar, encode_sidecar, etag_of, read_sidecar, stored_file, write_small_file
from .paths import Root, make_parents, remove_empty_parents, sidecar_name

__all__ = ("copy_sync", "delete_many_sync", "delete_sync", "exists_sync", "info_sync", "move_sync")

_MOVE_ATTEMPTS = 8


def _stat_file(path: str, key: str) -> os.stat_result:
    try:
        stat = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        raise StorageFileNotFoundError(f"File not found: {key!r}", key=key) from None
    if not stat_module.S_ISREG(stat.st_mode):
        raise StorageFileNotFoundError(f"File not found: {key!r} (it is a folder)", key=key)
    return stat


def _sidecar_of(path: str, stat: os.stat_result) -> Sidecar | None:
    directory, name = os.path.split(path)
    return read_sidecar(directory, name, etag_of(stat))


def info_sync(root: Root, key: str) -> StoredFile:
    """Return a key's metadata.

    Raises:
        StorageFileNotFoundError: If the key does not exist.
    """
    path = root.path(key)
    stat = _stat_file(path, key)
    return stored_file(key, stat, _sidecar_of(path, stat))


def exists_sync(root: Root, key: str) -> bool:
    """Tell whether a key exists (a folder is not a key)."""
    try:
        stat = os.stat(root.path(key))
    except (FileNotFoundError, NotADirectoryError):
        return False
    return stat_module.S_ISREG(stat.st_mode)


def _delete_path(root: Root, path: str, key: str, *, missing_ok: bool) -> None:
    try:
        stat = _stat_file(path, key)
        os.unlink(path)
    except (StorageFileNotFoundError, FileNotFoundError):
        if missing_ok:
            return
        raise StorageFileNotFoundError(f"File not found: {key!r}", key=key) from None
    directory, name = os.path.split(path)
    unlink_quietly(os.path.join(directory, sidecar_name(name, etag_of(stat))))
    remove_empty_parents(root.real(), directory)


def delete_sync(root: Root, key: str, missing_ok: bool) -> None:
    """Delete a key's file and sidecar, then its folders while they are empty.

    Raises:
        StorageFileNotFoundError: If the key does not exist and ``missing_ok`` is false.
    """
    _delete_path(root, root.path(key), key, missing_ok=missing_ok)


def delete_many_sync(root: Root, keys: Iterable[str]) -> None:
    """Delete several (validated) keys, skipping missing ones, in one thread hop."""
    for key in keys:
        _delete_path(root, root.path(key), key, missing_ok=True)


def _effective(key: str, sidecar: Sidecar | None) -> Sidecar:
    # A file without a sidecar has the content type guessed from its key.
    return sidecar if sidecar is not None else (guess_content_type(key), {})


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
        raise StorageFileNotFoundError(f"File not found: {source!r}", key=source) from None
    try:
        stat = os.fstat(source_fd)
        if not stat_module.S_ISREG(stat.st_mode):
            raise StorageFileNotFoundError(f"File not found: {source!r} (it is a folder)", key=source)
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
    source_path = root.path(source)
    target = root.path(destination)
    stat = _stat_file(source_path, source)
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
    previous = regular_etag(target)
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
                raise StorageFileNotFoundError(f"File not found: {source!r}", key=source) from None
            continue  # the target folder was removed by a concurrent delete: recreate it
        except OSError as error:
            if error.errno == errno.EXDEV:
                copied = copy_sync(root, source, destination, permissions, durable)
                _delete_path(root, source_path, source, missing_ok=True)
                return copied
            if error.errno in {errno.EISDIR, errno.ENOTEMPTY, errno.EEXIST}:
                raise StorageFileExistsError(
                    f"Cannot move to {destination!r}: a folder of that name holds other keys", key=destination
                ) from None
            raise
        break
    else:
        raise StorageError(f"Could not move {source!r} to {destination!r}: its folder keeps disappearing", key=source)
    if previous is not None and previous != etag:
        unlink_quietly(os.path.join(target_dir, sidecar_name(target_name, previous)))
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
