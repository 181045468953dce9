"""Atomic writes: a locked temporary file beside the target, renamed into place when complete.

A write never shows a partial file: data goes to a hidden temporary file in the target's
folder (same filesystem, so the final ``rename`` is atomic) and only the complete file is
renamed over the key. ``overwrite=False`` uses ``link``, which fails atomically when the
key exists, instead of checking first. The writer holds an ``flock`` on its temporary
file for the whole write; the lock dies with the process, which is how
``FileSystemStorage.remove_stale_files()`` tells a crashed writer's leftovers from a live
write.

Every file is created, renamed, linked and removed relative to the descriptor of its
folder (see :mod:`.paths`), so a folder swapped for a link meanwhile changes nothing.

The ``*_sync`` functions block and run in worker threads; :class:`StreamingWrite` drives
them from the event loop, one chunk in flight at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import functools
import os
import secrets
import stat as stat_module
import sys
import time
from collections.abc import Callable
from typing import Any, TypeVar, cast

from litestar_storages.exceptions import StorageError, StorageFileExistsError
from litestar_storages.progress import ProgressReporter

from .metadata import Sidecar, dump_record, etag_of, write_small_file
from .names import legacy_sidecar_name, sidecar_name, temp_name
from .paths import Folder, Root, entry_stat

if sys.platform != "win32":  # POSIX only: FileSystemStorage refuses to start elsewhere
    import fcntl

__all__ = (
    "StreamingWrite",
    "commit_sync",
    "copy_range",
    "create_temp_at",
    "discard_sync",
    "open_temp_sync",
    "remove_sidecars",
    "stamp_version",
    "unlink_if_present",
    "unlink_quietly",
    "write_all",
    "write_chunks",
    "write_and_release",
    "write_file_sync",
    "hop",
)

T = TypeVar("T")

_TEMP_ATTEMPTS = 8
_MAX_IOVECS = 512  # below IOV_MAX (1024 on Linux and macOS)
_WRITE_BEHIND = 1024 * 1024
"""Most bytes gathered for one thread hop while the previous write is still running
(small chunks are batched; see ``reads._READ_AHEAD`` for why not more)."""
_LOOK_UP = object()
_NO_TIMES = frozenset({errno.EPERM, errno.EACCES, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS})
"""Filesystems that keep their own times (some FUSE and network ones): the kernel's then stand."""


async def hop(
    function: Callable[..., T], *args: Any, on_abandon: Callable[[T], None] | None = None, **kwargs: Any
) -> T:
    """Run a blocking function in a worker thread, surviving cancellation of the caller.

    The thread cannot be stopped once started. When the awaiting task is cancelled the
    function still finishes; ``on_abandon`` then receives its result so resources it
    created (an open file, a temporary file) are released instead of leaked.

    Args:
        function: The blocking function.
        *args: Its positional arguments.
        on_abandon: Cleanup for the result of an abandoned call.
        **kwargs: Its keyword arguments.

    Returns:
        The function's result.
    """
    call = functools.partial(function, *args, **kwargs) if kwargs else functools.partial(function, *args)
    future = asyncio.get_running_loop().run_in_executor(None, call)
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        future.add_done_callback(functools.partial(_release, on_abandon))
        raise


def _release(cleanup: Callable[[Any], None] | None, done: asyncio.Future[Any]) -> None:
    # Also marks a failure as retrieved, so asyncio logs no "never retrieved" error.
    if done.cancelled() or done.exception() is not None:
        return
    if cleanup is not None:
        cleanup(done.result())


def unlink_quietly(folder: int, name: str) -> None:
    """Remove a file of an open folder, ignoring that it is already gone."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(name, dir_fd=folder)


def unlink_if_present(folder: int, name: str) -> None:
    """Remove a file that usually does not exist (a sidecar), cheaply when it does not."""
    if os.access(name, os.F_OK, dir_fd=folder, follow_symlinks=False):
        unlink_quietly(folder, name)


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


def write_all(fd: int, data: bytes | bytearray | memoryview) -> int:
    """Write every byte of ``data`` (``os.write`` may write less than asked).

    Args:
        fd: An open file descriptor.
        data: The bytes.

    Returns:
        The number of bytes written.
    """
    view = memoryview(data).cast("B")
    total = view.nbytes
    while view:
        view = view[os.write(fd, view) :]
    return total


def write_chunks(fd: int, chunks: list[bytes]) -> int:
    """Write several chunks with one ``writev`` (no joining copy).

    Args:
        fd: An open file descriptor.
        chunks: The chunks, in order.

    Returns:
        The number of bytes written.
    """
    if len(chunks) == 1:
        return write_all(fd, chunks[0])
    if len(chunks) > _MAX_IOVECS:
        return write_all(fd, b"".join(chunks))
    total = sum(len(chunk) for chunk in chunks)
    written = os.writev(fd, chunks)
    if written < total:  # only when interrupted or out of space: finish the slow way
        write_all(fd, memoryview(b"".join(chunks))[written:])
    return total


def write_and_release(fd: int, chunks: list[bytes]) -> int:
    """Write ``chunks`` like :func:`write_chunks`, then empty the list, in the worker thread.

    The executor's work item keeps its arguments until after the caller has been told
    the write is done, so without this the written chunks would outlive the write: the
    next chunks are allocated while they are still alive, the heap grows, glibc trims
    it when they are finally freed, and the next allocations fault their pages in again.
    Freed here, the chunks' memory is reused for the next ones.

    Args:
        fd: An open file descriptor.
        chunks: The chunks, in order; the list is emptied, even when the write fails.

    Returns:
        The number of bytes written.
    """
    try:
        return write_chunks(fd, chunks)
    finally:
        chunks.clear()


def copy_range(source: int, destination: int, count: int) -> None:
    """Copy ``count`` bytes between file descriptors at their current offsets, in the kernel.

    Uses ``copy_file_range`` (reflinks on btrfs/XFS) or ``sendfile`` where available.

    Args:
        source: Descriptor to read from.
        destination: Descriptor to write to.
        count: Bytes to copy.
    """
    remaining = count
    copy_file_range = getattr(os, "copy_file_range", None)
    while remaining > 0:
        step = min(remaining, 1 << 30)
        try:
            if copy_file_range is not None:
                copied = copy_file_range(source, destination, step)
            else:
                copied = os.sendfile(destination, source, None, step)
        except OSError as error:
            if error.errno not in {errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP}:
                raise
            copied = write_all(destination, os.read(source, min(step, 1 << 20)))
        if copied == 0:
            raise StorageError("Source file shrank while it was being copied")
        remaining -= copied


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
    for attempt in range(_TEMP_ATTEMPTS):
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


def write_file_sync(
    root: Root,
    key: str,
    data: bytes | bytearray | memoryview,
    sidecar: Sidecar | None,
    *,
    overwrite: bool,
    permissions: int,
    durable: bool,
) -> os.stat_result:
    """Store a whole in-memory payload atomically: the one thread hop of a small put.

    Args:
        root: The storage root.
        key: A validated key.
        data: The content.
        sidecar: ``(content_type, metadata)``, or ``None``.
        overwrite: Replace an existing file.
        permissions: File mode.
        durable: ``fsync`` before returning.

    Returns:
        The ``stat`` of the stored file.
    """
    folder, fd, temp, existing = _open_and_write_sync(root, key, data, overwrite, permissions)
    # The write took microseconds: the version seen before it is the one being replaced.
    return commit_sync(
        fd,
        folder,
        temp,
        key,
        sidecar,
        overwrite=overwrite,
        permissions=permissions,
        durable=durable,
        previous=existing,
    )


def _open_and_write_sync(
    root: Root, key: str, first: bytes | bytearray | memoryview, overwrite: bool, permissions: int
) -> tuple[Folder, int, str, os.stat_result | None]:
    folder, fd, temp = open_temp_sync(root, key, permissions)
    try:
        existing = _replaceable(folder, key, overwrite=overwrite)
        write_all(fd, first)
    except BaseException:
        try:
            discard_sync(fd, folder.fd, temp)
        finally:
            folder.close()
        raise
    return folder, fd, temp, existing


def _replaceable(folder: Folder, key: str, *, overwrite: bool) -> os.stat_result | None:
    existing = entry_stat(folder, key)  # refuses a link at the key
    if not overwrite and existing is not None:
        raise StorageFileExistsError(key)
    return existing


def _discard_opened(opened: tuple[Folder, int, str, object]) -> None:
    folder, fd, temp, _ = opened
    try:
        discard_sync(fd, folder.fd, temp)
    finally:
        folder.close()


class StreamingWrite:
    """An atomic write fed chunk by chunk from the event loop.

    One batch of chunks is written in a worker thread while the caller fetches the next
    ones, so disk and producer overlap. A slow producer (a network upload) gets one chunk
    per hop; when the producer outpaces the disk, chunks arriving meanwhile are gathered
    (up to 1 MiB) into the next hop's ``writev`` instead of waiting, so memory stays
    bounded and thread hops stay few.
    """

    __slots__ = ("_batch", "_batch_size", "_fd", "_folder", "_key", "_pending", "_pending_size", "_reporter", "_temp")

    def __init__(self, folder: Folder, fd: int, temp: str, key: str, reporter: ProgressReporter) -> None:
        """Wrap an open temporary file in the key's open folder; use :meth:`open`."""
        self._fd: int | None = fd
        self._folder = folder
        self._temp = temp
        self._key = key
        self._reporter = reporter
        self._pending: asyncio.Future[int] | None = None
        self._pending_size = 0
        self._batch: list[bytes] = []
        self._batch_size = 0

    @classmethod
    async def open(
        cls, root: Root, key: str, first: bytes, *, overwrite: bool, permissions: int, reporter: ProgressReporter
    ) -> StreamingWrite:
        """Create the temporary file and write the first block, in one thread hop.

        Args:
            root: The storage root.
            key: A validated key.
            first: The first block of data.
            overwrite: When ``False``, fail now if the key exists.
            permissions: File mode.
            reporter: Upload progress.

        Returns:
            The write in progress.
        """
        folder, fd, temp, _ = await hop(
            _open_and_write_sync, root, key, first, overwrite, permissions, on_abandon=_discard_opened
        )
        write = cls(folder, fd, temp, key, reporter)
        await reporter.advance(len(first))
        return write

    async def _settle(self) -> None:
        pending = self._pending
        if pending is not None:
            await asyncio.shield(pending)
            self._pending = None
            await self._reporter.advance(self._pending_size)

    async def write(self, chunk: bytes) -> None:
        """Queue ``chunk`` for writing.

        Args:
            chunk: The next bytes of the stream.
        """
        self._batch.append(chunk)
        self._batch_size += len(chunk)
        pending = self._pending
        if pending is not None and not pending.done() and self._batch_size < _WRITE_BEHIND:
            return  # the disk is busy: gather more rather than wait
        await self._settle()
        self._submit()

    def _submit(self) -> None:
        fd = self._fd
        if fd is None:
            raise StorageError("Write already finished", key=self._key)
        batch, self._batch = self._batch, []
        self._pending_size, self._batch_size = self._batch_size, 0
        self._pending = asyncio.get_running_loop().run_in_executor(None, write_and_release, fd, batch)

    async def finish(
        self, sidecar: Sidecar | None, *, overwrite: bool, permissions: int, durable: bool
    ) -> os.stat_result:
        """Wait for the last chunk, then put the file in place.

        Args:
            sidecar: ``(content_type, metadata)``, or ``None``.
            overwrite: Replace an existing file.
            permissions: File mode.
            durable: ``fsync`` before returning.

        Returns:
            The ``stat`` of the stored file.
        """
        await self._settle()
        if self._batch:
            self._submit()
            await self._settle()
        fd, self._fd = self._fd, None
        if fd is None:
            raise StorageError("Write already finished", key=self._key)
        # From here the commit owns the descriptor and cleans up after itself.
        return await hop(
            commit_sync,
            fd,
            self._folder,
            self._temp,
            self._key,
            sidecar,
            overwrite=overwrite,
            permissions=permissions,
            durable=durable,
        )

    async def abort(self) -> None:
        """Abandon the write after its chunk in flight (if any) is done, removing the temporary file."""
        pending = self._pending
        if pending is not None and not pending.done():
            try:
                await asyncio.wait([pending])
            except asyncio.CancelledError:
                self.discard()
                raise
        self.discard()

    def discard(self) -> None:
        """Abandon the write: remove the temporary file once no chunk is being written.

        Synchronous on purpose: it runs while an error or a cancellation propagates,
        where awaiting could be interrupted again; it costs a ``close`` and an ``unlink``.
        """
        fd, self._fd = self._fd, None
        if fd is None:
            return
        opened = (self._folder, fd, self._temp, None)
        pending = self._pending
        if pending is None:
            _discard_opened(opened)
        elif pending.done():
            _discard_when_done(opened, pending)
        else:
            # Closing while a worker still writes to the descriptor could hit a reused fd.
            pending.add_done_callback(functools.partial(_discard_when_done, opened))


def _discard_when_done(opened: tuple[Folder, int, str, object], done: asyncio.Future[Any]) -> None:
    if not done.cancelled():
        done.exception()  # retrieved: the error that matters is already propagating
    _discard_opened(opened)
