"""Root confinement, and the names the storage keeps for itself inside the root.

Keys map to paths below the root (``"a/b.txt"`` is ``<root>/a/b.txt``). Everything
else the storage writes (temporary files, metadata sidecars, the multipart staging
area) has a name containing a backslash: :func:`~litestar_storages.keys.validate_key`
refuses backslashes, so no key can ever name, list, overwrite or delete those files.

Functions here block (they call ``lstat``); the storage runs them in worker threads.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import stat as stat_module
from pathlib import Path

from litestar_storages.exceptions import ConfigurationError, StorageFileExistsError, StoragePermissionError

__all__ = (
    "SIDECAR_SUFFIX",
    "STAGING_DIR",
    "TEMP_SUFFIX",
    "Root",
    "is_internal",
    "is_sidecar",
    "is_temp",
    "make_parents",
    "remove_empty_parents",
    "sidecar_name",
    "temp_name",
)

INTERNAL_MARK = "\\"
TEMP_SUFFIX = "\\tmp"
SIDECAR_SUFFIX = ".meta"
STAGING_DIR = ".multipart\\"
"""Folder at the root holding multipart uploads in progress."""

_NAME_MAX = 255  # bytes per name on ext4, XFS, btrfs, APFS, tmpfs


def is_internal(name: str) -> bool:
    """Tell whether a directory entry belongs to the storage rather than to a key.

    Args:
        name: A file or folder name (one path segment).

    Returns:
        ``True`` for temporary files, sidecars and the staging area.
    """
    return INTERNAL_MARK in name


def is_temp(name: str) -> bool:
    """Tell whether ``name`` is a temporary file of an unfinished write."""
    return name.endswith(TEMP_SUFFIX)


def is_sidecar(name: str) -> bool:
    """Tell whether ``name`` is a metadata sidecar."""
    return INTERNAL_MARK in name and name.endswith(SIDECAR_SUFFIX)


def temp_name() -> str:
    """Return a fresh, unguessable temporary file name (hidden, internal)."""
    return f".{secrets.token_hex(8)}{TEMP_SUFFIX}"


def sidecar_name(name: str, etag: str) -> str:
    """Return the name of the metadata sidecar of file ``name`` at version ``etag``.

    The sidecar sits beside the file. Its name carries the file's etag, so a sidecar
    only ever describes the exact file version it was written for: a reader that finds
    none for the current version knows the metadata is the default.

    Args:
        name: The data file's name.
        etag: The data file's etag (see :func:`~.metadata.etag_of`).

    Returns:
        A hidden name, readable when it fits the filesystem's name limit, else hashed.
    """
    readable = f".{name}{INTERNAL_MARK}{etag}{SIDECAR_SUFFIX}"
    if len(os.fsencode(readable)) <= _NAME_MAX:
        return readable
    digest = hashlib.sha256(os.fsencode(name)).hexdigest()[:40]
    return f".{digest}{INTERNAL_MARK}{etag}{SIDECAR_SUFFIX}"


class Root:
    """The storage's root folder: resolved once, lazily, and guarded on every access.

    Thread-safe: the worst a race can do is resolve the root twice to the same value.
    """

    __slots__ = ("_create", "_path", "_real")

    def __init__(self, path: Path, *, create: bool) -> None:
        """Prepare (but do not touch) the root.

        Args:
            path: The configured root folder.
            create: Create it when missing.
        """
        self._path = os.path.abspath(path)
        self._create = create
        self._real: str | None = None

    @property
    def configured(self) -> str:
        """The configured root as an absolute path (links not resolved)."""
        return self._path

    def real(self) -> str:
        """Return the root with symbolic links resolved, creating it if configured to.

        Returns:
            The real path of the root folder.

        Raises:
            ConfigurationError: If the root is missing (and may not be created) or is not a folder.
        """
        real = self._real
        if real is None:
            if self._create:
                try:
                    os.makedirs(self._path, exist_ok=True)
                except FileExistsError:
                    raise ConfigurationError(
                        f"FileSystemConfig.path {self._path!r} exists and is not a folder", field="path"
                    ) from None
            real = os.path.realpath(self._path)
            if not os.path.isdir(real):
                raise ConfigurationError(
                    f"FileSystemConfig.path {self._path!r} is not an existing folder (create_dirs is off)",
                    field="path",
                )
            self._real = real
        return real

    def forget(self) -> None:
        """Resolve the root again on next use (after ``close()``)."""
        self._real = None

    def contains(self, real_path: str) -> bool:
        """Tell whether a resolved path is the root or below it, outside internal files.

        Args:
            real_path: A path with symbolic links resolved.

        Returns:
            ``True`` when it is safe to touch.
        """
        root = self.real()
        if real_path == root:
            return True
        return real_path.startswith(root + os.sep) and INTERNAL_MARK not in real_path[len(root) :]

    def path(self, key: str) -> str:
        """Return the real path of ``key`` after checking it stays inside the root.

        Symbolic links inside the root are followed, so reads, writes and deletes all
        act on the file a link points to. A link leading outside the root, or into the
        storage's internal files, is refused.

        Args:
            key: A validated key.

        Returns:
            The absolute path to act on.

        Raises:
            StoragePermissionError: If the key resolves outside the root.
        """
        return self.resolve(key)[0]

    def resolve(self, key: str) -> tuple[str, os.stat_result | None]:
        """Like :meth:`path`, also returning the ``stat`` of what the key names.

        Only the key's own segments are examined (one ``lstat`` each, stopping at the
        first that does not exist): the root itself was resolved once.

        Args:
            key: A validated key.

        Returns:
            ``(path, stat)``; ``stat`` is ``None`` when nothing exists at the key.

        Raises:
            StoragePermissionError: If the key resolves outside the root.
        """
        root = self.real()
        path = root
        stat: os.stat_result | None = None
        for segment in key.split("/"):
            path = f"{path}/{segment}"
            try:
                stat = os.lstat(path)
            except (FileNotFoundError, NotADirectoryError):
                # Nothing exists from here down, so no link below can lead anywhere.
                return f"{root}/{key}", None
            if stat_module.S_ISLNK(stat.st_mode):
                return self._through_link(key)
        return path, stat

    def _through_link(self, key: str) -> tuple[str, os.stat_result | None]:
        real = os.path.realpath(f"{self.real()}/{key}")
        if not self.contains(real):
            raise StoragePermissionError(
                f"Refusing {key!r}: it resolves through a symbolic link to outside the storage root", key=key
            )
        try:
            return real, os.stat(real)
        except (FileNotFoundError, NotADirectoryError):
            return real, None


def make_parents(directory: str, key: str) -> None:
    """Create ``directory`` and its missing parents (the caller confined it already).

    Args:
        directory: The folder a key's file goes in.
        key: The key, for error messages.

    Raises:
        StorageFileExistsError: If a parent "folder" of the key is already a file.
    """
    try:
        os.makedirs(directory, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise StorageFileExistsError(
            key, message=f"Cannot store {key!r}: one of its parent folders is already stored as a file"
        ) from None


def remove_empty_parents(root: str, directory: str) -> None:
    """Remove ``directory`` and its parents while they are empty, stopping at the root.

    Args:
        root: The real root (never removed).
        directory: The folder a file was just removed from.
    """
    prefix = root + os.sep
    while directory.startswith(prefix):
        try:
            os.rmdir(directory)
        except OSError:
            # Not empty (or already gone, or busy): the ancestors are not empty either.
            return
        directory = os.path.dirname(directory)
