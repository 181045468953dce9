"""Confinement: every key is resolved below an open descriptor of the root, never through a link.

Checking a path and then using it loses to anyone who can swap a folder for a symbolic
link in between. So no operation ever hands the kernel a path longer than one name:

- the root is opened once (its configured path may itself be a link, resolved then) and
  its descriptor is kept until ``close()``;
- a key's folders are opened one segment at a time, each relative to the descriptor of
  the folder above, with ``O_NOFOLLOW | O_DIRECTORY``: a segment that is a link fails
  to open, whatever it became a microsecond ago;
- the final action (``open``, ``stat``, ``unlink``, ``rename``, ``link``, ``mkdir``,
  ``rmdir``) names one entry relative to the descriptor of its folder, with
  ``O_NOFOLLOW`` or the call's no-follow form.

On Linux, folders two or more segments deep are first opened in one
``openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS)`` call (see :mod:`.openat2`); when it
fails for any reason, the walk above decides.

A folder swapped after it was opened is harmless: the descriptor still refers to the
folder that was inside the root. This is the design of Go's ``os.Root`` and Rust's
cap-std, without ``..`` (keys have none). Symbolic links inside the root are never
followed, by any operation: a key whose path meets one is refused with
:class:`~litestar_storages.exceptions.StoragePermissionError`.

Functions here block; the storage runs them in worker threads.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat as stat_module
import threading
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from litestar_storages.exceptions import (
    ConfigurationError,
    StorageError,
    StorageFileExistsError,
    StorageFileNotFoundError,
    StoragePermissionError,
)

from .openat2 import open_beneath

__all__ = (
    "FILE_FLAGS",
    "Folder",
    "Root",
    "RootDescriptor",
    "entry_stat",
    "link_refused",
    "open_file",
    "open_folder_at",
)

_FOLDER_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
"""Opening a stored file to read it: never through a link, never waiting on a FIFO
(``O_NONBLOCK`` changes nothing for regular files)."""

# What opening a link with O_NOFOLLOW gives: ELOOP (Linux, macOS), EMLINK (FreeBSD), and
# ENOTDIR with O_DIRECTORY (Linux). A file where a folder was expected gives ENOTDIR too.
_NOT_FOLLOWED = frozenset({errno.ELOOP, errno.EMLINK, errno.ENOTDIR})
_ATTEMPTS = 8


def link_refused(key: str) -> StoragePermissionError:
    """Return the error for a key whose path meets a symbolic link.

    Args:
        key: The key (or listing prefix).

    Returns:
        The error to raise.
    """
    return StoragePermissionError(
        f"Refusing {key!r}: its path meets a symbolic link, and FileSystemStorage never follows links inside its root",
        key=key,
    )


class RootDescriptor:
    """The root's descriptor, closed when the last reference goes.

    The storage holds one reference until ``close()``, and each operation using the
    root's descriptor holds another: Python's reference counting closes it after the
    last, so a descriptor number is never closed (and reused) under a running operation,
    and taking it costs no lock.
    """

    __slots__ = ("fd",)

    def __init__(self, fd: int) -> None:
        """Own ``fd``: the root's open descriptor."""
        self.fd = fd

    def __del__(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.fd)


class Folder:
    """An open folder below (or at) the root: where one key's file lives, or a walk's current folder.

    Use it as a context manager, or call :meth:`close` (idempotent). ``name`` is the
    key's last segment when the folder was opened for a key.
    """

    __slots__ = ("_handle", "fd", "key", "name")

    def __init__(self, fd: int, handle: RootDescriptor | None, key: str, name: str) -> None:
        """Wrap a descriptor; use :meth:`Root.parent`, :meth:`Root.top` or :meth:`Root.folder`."""
        self.fd = fd
        self._handle = handle  # set when fd is the root's shared descriptor (not ours to close)
        self.key = key
        self.name = name

    def close(self) -> None:
        """Release the folder: close its descriptor, or drop the reference to the root's."""
        fd, self.fd = self.fd, -1
        if self._handle is not None:
            self._handle = None
        elif fd >= 0:
            os.close(fd)

    def __enter__(self) -> Folder:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()


class Root:
    """The storage's root folder: opened once, lazily, and the base of every key's resolution.

    Thread-safe. The root's descriptor is shared by all operations; ``forget()`` (on
    ``close()``) drops the storage's reference, and it is closed once the last operation
    using it is done (reference counting: no lock).
    """

    __slots__ = ("_create", "_handle", "_lock", "_path")

    def __init__(self, path: Path, *, create: bool) -> None:
        """Prepare (but do not touch) the root.

        Args:
            path: The configured root folder.
            create: Create it when missing.
        """
        self._path = os.path.abspath(path)
        self._create = create
        self._handle: RootDescriptor | None = None
        self._lock = threading.Lock()

    @property
    def configured(self) -> str:
        """The configured root as an absolute path (links not resolved)."""
        return self._path

    def _open(self) -> int:
        if self._create:
            try:
                os.makedirs(self._path, exist_ok=True)
            except FileExistsError:
                raise ConfigurationError(
                    f"FileSystemConfig.path {self._path!r} exists and is not a folder", field="path"
                ) from None
        try:
            # The configured path may be (or pass through) a link: followed here, once.
            return os.open(self._path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except (FileNotFoundError, NotADirectoryError):
            raise ConfigurationError(
                f"FileSystemConfig.path {self._path!r} is not an existing folder (create_dirs is off)",
                field="path",
            ) from None

    def _acquire(self) -> RootDescriptor:
        handle = self._handle
        if handle is None:
            with self._lock:
                handle = self._handle
                if handle is None:
                    handle = self._handle = RootDescriptor(self._open())
        return handle

    def forget(self) -> None:
        """Drop the root's descriptor (closed once unused); the next operation opens the root again."""
        self._handle = None

    def reopen_if_removed(self) -> None:
        """Open the root again on next use if its folder was removed (and maybe recreated).

        Called when creating something fails with "not found": the descriptor of a
        removed folder can create nothing, while the configured path may again be a folder.
        """
        with self._lock:
            handle = self._handle
        if handle is None:
            return
        try:
            removed = os.fstat(handle.fd).st_nlink == 0
        except OSError:
            removed = True
        if removed:
            with self._lock:
                if self._handle is handle:
                    self._handle = None

    def top(self) -> Folder:
        """Return the root folder itself (for walks over the whole tree)."""
        handle = self._acquire()
        return Folder(handle.fd, handle, "", "")

    def folder(self, segments: Sequence[str], *, create: bool, key: str) -> Folder:
        """Open the folder ``segments`` below the root, one segment at a time, never through a link.

        Args:
            segments: The folder's path segments (empty for the root).
            create: Create missing folders (else a missing one is "not found").
            key: The key (or prefix) being resolved, for error messages.

        Returns:
            The open folder (``name`` empty).

        Raises:
            StoragePermissionError: If a segment is a symbolic link.
            StorageFileNotFoundError: If a segment is missing (``create`` off) or a file.
            StorageFileExistsError: If a segment is a file and ``create`` is on.
        """
        return self._walk(segments, create=create, key=key, name="")

    def parent(self, key: str, *, create: bool = False) -> Folder:
        """Open the folder holding ``key``'s file; its ``name`` is the key's last segment.

        Args:
            key: A validated key.
            create: Create the key's missing folders (writes).

        Returns:
            The open folder.

        Raises:
            StoragePermissionError: If one of the key's folders is a symbolic link.
            StorageFileNotFoundError: If a folder is missing (``create`` off) or is a file.
            StorageFileExistsError: If a folder is a file and ``create`` is on.
        """
        *folders, name = key.split("/")
        return self._walk(folders, create=create, key=key, name=name)

    def _walk(self, segments: Sequence[str], *, create: bool, key: str, name: str) -> Folder:
        handle = self._acquire()
        if not segments:
            return Folder(handle.fd, handle, key, name)
        try:
            return self._walk_below(handle.fd, segments, create=create, key=key, name=name)
        finally:
            # An error's traceback keeps this frame alive: it must not keep the root's descriptor open.
            del handle

    @staticmethod
    def _walk_below(top: int, segments: Sequence[str], *, create: bool, key: str, name: str) -> Folder:
        if len(segments) > 1:
            fast = open_beneath(top, "/".join(segments))
            if fast is not None:
                return Folder(fast, None, key, name)
        current = top
        owned = False
        try:
            for segment in segments:
                child = open_folder_at(current, segment, create=create, key=key)
                if owned:
                    os.close(current)
                current, owned = child, True
        except BaseException:
            if owned:
                os.close(current)
            raise
        return Folder(current, None, key, name)

    def remove_empty_parents(self, key: str) -> None:
        """Remove the key's folders while they are empty, deepest first, never the root.

        Each ``rmdir`` names one entry relative to its opened parent; ``rmdir`` never
        follows a link (it fails on one), so nothing outside the root can be removed.

        Args:
            key: The key whose file was just removed.
        """
        folders = key.split("/")[:-1]
        for depth in range(len(folders), 0, -1):
            try:
                with self.folder(folders[: depth - 1], create=False, key=key) as parent:
                    os.rmdir(folders[depth - 1], dir_fd=parent.fd)
            except (OSError, StorageError):
                # Not empty (or already gone, busy, swapped): the ancestors are not empty either.
                return


def open_folder_at(parent: int, segment: str, *, create: bool, key: str) -> int:
    """Open the folder ``segment`` in the open folder ``parent``, never through a link.

    Args:
        parent: Descriptor of the folder holding it.
        segment: One name.
        create: Create it when missing.
        key: The key being resolved, for error messages.

    Returns:
        The folder's descriptor (the caller closes it).

    Raises:
        StoragePermissionError: If ``segment`` is a symbolic link.
        StorageFileNotFoundError: If it is missing (``create`` off) or a file (``create`` off).
        StorageFileExistsError: If it is a file and ``create`` is on.
    """
    for _ in range(_ATTEMPTS):
        try:
            return os.open(segment, _FOLDER_FLAGS, dir_fd=parent)
        except FileNotFoundError:
            if not create:
                raise StorageFileNotFoundError(key) from None
            try:
                os.mkdir(segment, 0o777, dir_fd=parent)  # the umask applies, as for os.makedirs
            except FileExistsError:
                continue  # made meanwhile (a concurrent writer, or an attacker's link: the open tells)
        except OSError as error:
            if error.errno not in _NOT_FOLLOWED:
                raise
            _refuse_non_folder(parent, segment, create=create, key=key)
    raise StorageError(f"Could not open the folders of {key!r}: they keep changing", key=key)


def _refuse_non_folder(parent: int, segment: str, *, create: bool, key: str) -> None:
    try:
        found = os.stat(segment, dir_fd=parent, follow_symlinks=False)
    except FileNotFoundError:
        return  # gone meanwhile: the caller tries again
    if stat_module.S_ISLNK(found.st_mode):
        raise link_refused(key)
    if stat_module.S_ISDIR(found.st_mode):
        return  # a link swapped back for a folder meanwhile: try again
    if create:
        raise StorageFileExistsError(
            key,
            message=f"Cannot store {key!r}: one of its parent folders is already stored as a file",
        )
    raise StorageFileNotFoundError(key)


def entry_stat(folder: Folder, key: str) -> os.stat_result | None:
    """Return the ``lstat`` of the key's entry in its folder, refusing a link.

    Args:
        folder: The key's folder (from :meth:`Root.parent`).
        key: The key, for error messages.

    Returns:
        The entry's ``stat`` (a file or a folder), or ``None`` when nothing is there.

    Raises:
        StoragePermissionError: If the entry is a symbolic link.
    """
    try:
        found = os.stat(folder.name, dir_fd=folder.fd, follow_symlinks=False)
    except FileNotFoundError:
        return None
    if stat_module.S_ISLNK(found.st_mode):
        raise link_refused(key)
    return found


def open_file(folder: Folder, key: str) -> int:
    """Open the key's file for reading, never through a link.

    Args:
        folder: The key's folder (from :meth:`Root.parent`).
        key: The key, for error messages.

    Returns:
        The open descriptor (the caller checks it is a regular file, and closes it).

    Raises:
        StorageFileNotFoundError: If nothing is there.
        StoragePermissionError: If the entry is a symbolic link.
    """
    try:
        return os.open(folder.name, FILE_FLAGS, dir_fd=folder.fd)
    except (FileNotFoundError, NotADirectoryError):
        raise StorageFileNotFoundError(key) from None
    except OSError as error:
        if error.errno in _NOT_FOLLOWED:
            raise link_refused(key) from None
        raise
