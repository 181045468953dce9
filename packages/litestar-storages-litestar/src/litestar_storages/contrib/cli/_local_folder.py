r"""A local folder the CLI reads and writes, confined: no key ever reaches outside it.

Keys come from storages, and a bucket can hold keys no local path should follow
(``../x``, ``a/../../x``, ``/etc/x``, ``a\b``). A key is written locally only if it
passes the core key rules (:func:`~litestar_storages.keys.validate_key`), and then
without ever handing the kernel a path longer than one name, as Go's ``os.Root`` does:

- the folder the user named is opened once (it may itself be a link; it is resolved
  then) and every later call is relative to that descriptor;
- each folder of a key is opened relative to the one above with ``O_NOFOLLOW``: a
  symbolic link on the way fails, whatever it became a microsecond ago;
- a file is written to a hidden temporary name beside its target, then renamed over it
  (``renameat``), so a reader never sees half a file and an interrupted or failed
  transfer leaves nothing behind (the temporary file is removed, also on Ctrl-C).

Reading a folder (:meth:`LocalFolder.scan`) never follows symbolic links either: they
are reported as skipped. This needs POSIX ``*at`` calls (Linux, macOS, BSDs).
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat as stat_module
from collections.abc import AsyncIterable, AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import anyio
import anyio.to_thread

from litestar_storages.exceptions import StorageFileNotFoundError, StoragePermissionError
from litestar_storages.keys import validate_key

__all__ = ("CHUNK_SIZE", "LocalFile", "LocalFolder", "Scan")

CHUNK_SIZE = 1024 * 1024
"""Bytes read from a local file per call."""

_FOLDER_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
_CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
# What opening a link with O_NOFOLLOW gives: ELOOP (Linux, macOS), EMLINK (FreeBSD), and
# ENOTDIR with O_DIRECTORY; a file where a folder is expected gives ENOTDIR too.
_NOT_FOLLOWED = frozenset({errno.ELOOP, errno.EMLINK, errno.ENOTDIR})
_TEMP_NAME_BYTES = 100


@dataclass(frozen=True)
class LocalFile:
    """A regular file found in a local folder.

    Attributes:
        name: Its path below the folder, ``/``-separated.
        size: Size in bytes.
        modified: Modification time (UTC).
    """

    name: str
    size: int
    modified: datetime


@dataclass
class Scan:
    """What :meth:`LocalFolder.scan` found.

    Attributes:
        files: Regular files, by name.
        skipped: Names of entries not followed (symbolic links, devices, sockets), with why.
    """

    files: list[LocalFile] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _read_segments(name: str) -> list[str]:
    # Names to read come from a scan of the folder or from the user; they still never
    # climb out of it.
    segments = name.split("/")
    if any(segment in {"", ".", ".."} for segment in segments):
        raise StoragePermissionError(f"Refusing local name {name!r}: empty, '.' or '..' segment", key=name)
    return segments


def _write_segments(name: str) -> list[str]:
    # validate_key refuses '..', '.', empty segments, a leading '/', backslashes and
    # control characters: what a bucket may hold but no local path should follow.
    return validate_key(name).split("/")


def _followed(error: OSError, name: str) -> OSError:
    if error.errno in _NOT_FOLLOWED:
        return StoragePermissionError(
            f"Refusing {name!r}: a folder on its path is a symbolic link or a file (links are not followed)", key=name
        )
    return error


def _open_folder(segment: str, parent: int, *, create: bool) -> int:
    try:
        return os.open(segment, _FOLDER_FLAGS, dir_fd=parent)
    except FileNotFoundError:
        if not create:
            raise
    with contextlib.suppress(FileExistsError):
        os.mkdir(segment, 0o777, dir_fd=parent)  # the umask applies, as for mkdir -p
    return os.open(segment, _FOLDER_FLAGS, dir_fd=parent)


def _write_all(fd: int, chunk: bytes) -> None:
    view = memoryview(chunk)
    while view:
        view = view[os.write(fd, view) :]


def _temporary_name(leaf: str) -> str:
    # Hidden, unique, and short enough for any file system's 255-byte name limit.
    stem = leaf.encode("utf-8")[:_TEMP_NAME_BYTES].decode("utf-8", errors="ignore")
    return f".{stem}.{secrets.token_hex(6)}.part"


class _Partial:
    """A temporary file being written in a folder: renamed into place, or removed."""

    __slots__ = ("fd", "leaf", "parent", "temporary")

    def __init__(self, parent: int, leaf: str) -> None:
        self.parent = parent
        self.leaf = leaf
        self.temporary = _temporary_name(leaf)
        self.fd: int | None = os.open(self.temporary, _CREATE_FLAGS, 0o666, dir_fd=parent)

    def write(self, chunk: bytes) -> None:
        assert self.fd is not None  # noqa: S101 - written before finish
        _write_all(self.fd, chunk)

    def finish(self, modified: datetime | None) -> None:
        fd, self.fd = self.fd, None
        assert fd is not None  # noqa: S101 - finish runs once
        try:
            if modified is not None:
                # A later sync then sees the copy as up to date.
                timestamp = int(modified.timestamp() * 1_000_000_000)
                os.utime(fd, ns=(timestamp, timestamp))
        finally:
            os.close(fd)
        # renameat replaces a link at the target, never what it points to.
        os.rename(self.temporary, self.leaf, src_dir_fd=self.parent, dst_dir_fd=self.parent)
        self.temporary = ""

    def discard(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
        if self.temporary:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.temporary, dir_fd=self.parent)
        os.close(self.parent)

    def close(self) -> None:
        os.close(self.parent)


class LocalFolder:
    """A folder on the local disk, read and written only below its root descriptor."""

    __slots__ = ("_root", "path")

    def __init__(self, path: Path) -> None:
        """Name the folder; :meth:`open` opens it.

        Args:
            path: The folder.
        """
        self.path = path
        self._root: int | None = None

    async def open(self, *, create: bool) -> bool:
        """Open the folder, creating it (and its parents) when ``create``.

        Args:
            create: Create the folder when it is missing.

        Returns:
            ``False`` if the folder does not exist (and was not created).
        """

        def opened() -> bool:
            if create:
                os.makedirs(self.path, exist_ok=True)
            try:
                self._root = os.open(self.path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
            except FileNotFoundError:
                if create:
                    raise
                return False
            return True

        return await anyio.to_thread.run_sync(opened)

    def close(self) -> None:
        """Close the root descriptor."""
        if self._root is not None:
            os.close(self._root)
            self._root = None

    def _parent(self, segments: list[str], *, create: bool) -> int:
        if self._root is None:
            raise StorageFileNotFoundError(str(self.path), message=f"Local folder {str(self.path)!r} does not exist")
        fd = os.dup(self._root)
        try:
            for segment in segments[:-1]:
                child = _open_folder(segment, fd, create=create)
                os.close(fd)
                fd = child
        except OSError as error:
            os.close(fd)
            raise _followed(error, "/".join(segments)) from error
        return fd

    async def scan(self) -> Scan:
        """List the regular files below the folder, in key order.

        Returns:
            The files, and the entries skipped (links are not followed).
        """
        found = Scan()
        if self._root is None:
            return found
        root = self._root

        def walk(fd: int, prefix: str) -> None:
            try:
                with os.scandir(fd) as entries:
                    for entry in entries:
                        _scan_entry(fd, prefix, entry, found, walk)
            finally:
                os.close(fd)

        await anyio.to_thread.run_sync(lambda: walk(os.dup(root), ""))
        found.files.sort(key=lambda file: file.name)
        return found

    async def stat(self, name: str) -> LocalFile:
        """Describe one regular file.

        Args:
            name: Its path below the folder.

        Returns:
            Its size and modification time.

        Raises:
            StorageFileNotFoundError: If it is missing or not a regular file.
        """

        def described() -> LocalFile:
            segments = _read_segments(name)
            parent = self._parent(segments, create=False)
            try:
                found = os.stat(segments[-1], dir_fd=parent, follow_symlinks=False)
            finally:
                os.close(parent)
            if not stat_module.S_ISREG(found.st_mode):
                raise StorageFileNotFoundError(name, message=f"Not a regular file: {str(self.path / name)!r}")
            return LocalFile(name, found.st_size, datetime.fromtimestamp(found.st_mtime, tz=timezone.utc))

        try:
            return await anyio.to_thread.run_sync(described)
        except FileNotFoundError as error:
            raise StorageFileNotFoundError(name, message=f"No such file: {str(self.path / name)!r}") from error

    async def read(self, name: str) -> AsyncIterator[bytes]:
        """Stream a regular file's bytes.

        Args:
            name: Its path below the folder.

        Yields:
            Chunks of at most :data:`CHUNK_SIZE` bytes.
        """

        def opened() -> int:
            segments = _read_segments(name)
            parent = self._parent(segments, create=False)
            try:
                return os.open(segments[-1], _READ_FLAGS, dir_fd=parent)
            except OSError as error:
                raise _followed(error, name) from error
            finally:
                os.close(parent)

        fd = await anyio.to_thread.run_sync(opened)
        try:
            while chunk := await anyio.to_thread.run_sync(os.read, fd, CHUNK_SIZE):
                yield chunk
        finally:
            os.close(fd)

    async def write(self, name: str, chunks: AsyncIterable[bytes], *, modified: datetime | None = None) -> None:
        """Write a file atomically: a temporary file beside it, renamed over it when complete.

        Args:
            name: Its path below the folder; it must be a valid key (see the module docstring).
            chunks: The content.
            modified: Modification time to give the file.
        """
        segments = _write_segments(name)

        def started() -> _Partial:
            parent = self._parent(segments, create=True)
            try:
                return _Partial(parent, segments[-1])
            except BaseException:
                os.close(parent)
                raise

        partial = await anyio.to_thread.run_sync(started)
        try:
            async for chunk in chunks:
                await anyio.to_thread.run_sync(partial.write, chunk)
            await anyio.to_thread.run_sync(partial.finish, modified)
        except BaseException:
            # Also on cancellation (Ctrl-C): the cleanup must run to the end.
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(partial.discard)
            raise
        partial.close()

    async def delete(self, name: str) -> None:
        """Delete one file (``unlink`` never follows a link).

        Args:
            name: Its path below the folder.
        """

        def deleted() -> None:
            segments = _read_segments(name)
            parent = self._parent(segments, create=False)
            try:
                os.unlink(segments[-1], dir_fd=parent)
            finally:
                os.close(parent)

        await anyio.to_thread.run_sync(deleted)


def _scan_entry(fd: int, prefix: str, entry: os.DirEntry[str], found: Scan, walk: Callable[[int, str], None]) -> None:
    name = prefix + entry.name
    if entry.is_symlink():
        found.skipped.append(f"{name} (symbolic link, not followed)")
    elif entry.is_dir(follow_symlinks=False):
        try:
            child = os.open(entry.name, _FOLDER_FLAGS, dir_fd=fd)
        except OSError:
            # Removed or replaced (by a link, say) since scandir saw it: another process
            # changes the folder while we scan; what is no longer a folder is not entered.
            found.skipped.append(f"{name} (changed during the scan, not followed)")
            return
        walk(child, name + "/")
    elif entry.is_file(follow_symlinks=False):
        try:
            found_stat = entry.stat(follow_symlinks=False)
        except FileNotFoundError:
            return  # deleted since scandir saw it
        found.files.append(
            LocalFile(name, found_stat.st_size, datetime.fromtimestamp(found_stat.st_mtime, tz=timezone.utc))
        )
    else:
        found.skipped.append(f"{name} (not a regular file)")
