"""Atomic writes: a locked temporary file beside the target, renamed into place when complete.

A write never shows a partial file: data goes to a hidden temporary file in the target's
folder (same filesystem, so the final ``rename`` is atomic) and only the complete file is
renamed over the key. ``overwrite=False`` uses ``link``, which fails atomically when the
key exists, instead of checking first. The writer holds an ``flock`` on its temporary
file for the whole write; the lock dies with the process, which is how
``FileSystemStorage.remove_stale_files()`` tells a crashed writer's leftovers from a live
write.

The ``*_sync`` functions block and run in worker threads; :class:`StreamingWrite` drives
them from the event loop, one chunk in flight at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import functools
import os
import stat as stat_module
import sys
from collections.abc import Callable
from typing import Any, TypeVar, cast

from litestar_storages.exceptions import StorageError, StorageFileExistsError
from litestar_storages.progress import ProgressReporter

from .metadata import etag_of, write_small_file
from .paths import Root, make_parents, sidecar_name, temp_name

if sys.platform != "win32":  # POSIX only: FileSystemStorage refuses to start elsewhere
    import fcntl

__all__ = (
    "StreamingWrite",
    "commit_sync",
    "copy_range",
    "discard_sync",
    "open_temp_sync",
    "regular_etag",
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


def unlink_quietly(path: str) -> None:
    """Remove a file, ignoring that it is already gone."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def unlink_if_present(path: str) -> None:
    """Remove a file that usually does not exist (a sidecar), cheaply when it does not."""
    if os.access(path, os.F_OK, follow_symlinks=False):
        unlink_quietly(path)


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


def open_temp_sync(directory: str, key: str, permissions: int, *, create_parents: bool = True) -> tuple[int, str]:
    """Create and lock a fresh temporary file in ``directory`` (creating the folder if needed).

    Args:
        directory: The target's folder (already confined to the root).
        key: The key being written, for error messages.
        permissions: Mode of the file.
        create_parents: Create ``directory`` when missing (else let ``FileNotFoundError`` through).

    Returns:
        ``(fd, path)`` of the open, locked temporary file.

    Raises:
        StorageFileExistsError: If a parent folder of the key is a file.
    """
    for _ in range(_TEMP_ATTEMPTS):
        path = os.path.join(directory, temp_name())
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, permissions)
        except FileNotFoundError:
            if not create_parents:
                raise
            # Folder missing, or removed by a concurrent delete since we created it.
            make_parents(directory, key)
            continue
        except NotADirectoryError:
            make_parents(directory, key)  # raises the clear "parent is a file" error
            raise
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            # A link count of 0: remove_stale_files() unlinked it between our create and our lock.
            claimed = os.fstat(fd).st_nlink == 0
        except BlockingIOError:
            claimed = True  # remove_stale_files() holds it and is about to unlink it
        except BaseException:
            discard_sync(fd, path)
            raise
        if claimed:
            os.close(fd)
            continue
        try:
            os.fchmod(fd, permissions)  # exact mode, whatever the umask
        except BaseException:
            discard_sync(fd, path)
            raise
        return fd, path
    raise StorageError(f"Could not create a temporary file for {key!r} in {directory!r}", key=key)


def discard_sync(fd: int, temp_path: str) -> None:
    """Abandon a write: close its temporary file and remove it."""
    try:
        os.close(fd)
    finally:
        unlink_quietly(temp_path)


def regular_etag(path: str) -> str | None:
    """Return the etag of the regular file at ``path``, or ``None`` if there is none."""
    try:
        stat = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    return etag_of(stat) if stat_module.S_ISREG(stat.st_mode) else None


def _fsync_directory(directory: str) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def commit_sync(
    fd: int,
    temp_path: str,
    target: str,
    key: str,
    sidecar: bytes | None,
    *,
    overwrite: bool,
    permissions: int,
    durable: bool,
    previous: str | object | None = _LOOK_UP,
) -> os.stat_result:
    """Put a completely written temporary file in place; always closes ``fd``.

    The sidecar (named after the new version's etag) is written first, so the file
    never appears without its metadata; the previous version's sidecar is removed after.
    On any failure the temporary file and the new sidecar are removed and the previous
    version stays.

    Args:
        fd: The temporary file, open and locked.
        temp_path: Its path.
        target: The key's path.
        key: The key, for error messages.
        sidecar: Sidecar bytes, or ``None`` for default metadata.
        overwrite: Replace an existing file; when ``False`` fail atomically instead.
        permissions: Mode of the sidecar.
        durable: ``fsync`` the data, the sidecar and the folder.
        previous: Etag of the version being replaced (``None``: none), when the caller
            just looked; by default it is looked up here.

    Returns:
        The ``stat`` of the stored file.

    Raises:
        StorageFileExistsError: If ``overwrite`` is false and the key exists, or the
            key is a folder.
    """
    directory, name = os.path.split(target)
    committed = False
    sidecar_path: str | None = None
    try:
        if durable:
            os.fsync(fd)
        stat = os.fstat(fd)
        etag = etag_of(stat)
        if sidecar is not None:
            sidecar_path = os.path.join(directory, sidecar_name(name, etag))
            write_small_file(sidecar_path, sidecar, permissions, durable=durable)
        if overwrite:
            replaced = regular_etag(target) if previous is _LOOK_UP else cast("str | None", previous)
            try:
                os.rename(temp_path, target)
            except OSError as error:
                if error.errno in {errno.EISDIR, errno.ENOTEMPTY, errno.EEXIST}:
                    raise StorageFileExistsError(
                        key, message=f"Cannot store {key!r}: a folder of that name holds other keys"
                    ) from None
                raise
            committed = True
            if replaced is not None and replaced != etag:
                unlink_if_present(os.path.join(directory, sidecar_name(name, replaced)))
        else:
            try:
                os.link(temp_path, target)
            except FileExistsError:
                raise StorageFileExistsError(key) from None
            committed = True
            unlink_quietly(temp_path)
        if durable:
            _fsync_directory(directory)
        return stat
    finally:
        os.close(fd)
        if not committed:
            unlink_quietly(temp_path)
            if sidecar_path is not None:
                unlink_quietly(sidecar_path)


def write_file_sync(
    root: Root,
    key: str,
    data: bytes | bytearray | memoryview,
    sidecar: bytes | None,
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
        sidecar: Sidecar bytes, or ``None``.
        overwrite: Replace an existing file.
        permissions: File mode.
        durable: ``fsync`` before returning.

    Returns:
        The ``stat`` of the stored file.
    """
    target, existing = root.resolve(key)
    if not overwrite and existing is not None:
        raise StorageFileExistsError(key)
    fd, temp_path = open_temp_sync(os.path.dirname(target), key, permissions)
    try:
        write_all(fd, data)
    except BaseException:
        discard_sync(fd, temp_path)
        raise
    # The write took microseconds: the version seen by resolve() is the one being replaced.
    previous = etag_of(existing) if existing is not None and stat_module.S_ISREG(existing.st_mode) else None
    return commit_sync(
        fd,
        temp_path,
        target,
        key,
        sidecar,
        overwrite=overwrite,
        permissions=permissions,
        durable=durable,
        previous=previous,
    )


def _open_and_write_sync(root: Root, key: str, first: bytes, overwrite: bool, permissions: int) -> tuple[int, str, str]:
    target, existing = root.resolve(key)
    if not overwrite and existing is not None:
        raise StorageFileExistsError(key)
    fd, temp_path = open_temp_sync(os.path.dirname(target), key, permissions)
    try:
        write_all(fd, first)
    except BaseException:
        discard_sync(fd, temp_path)
        raise
    return fd, temp_path, target


def _discard_opened(opened: tuple[int, str, str]) -> None:
    discard_sync(opened[0], opened[1])


class StreamingWrite:
    """An atomic write fed chunk by chunk from the event loop.

    One batch of chunks is written in a worker thread while the caller fetches the next
    ones, so disk and producer overlap. A slow producer (a network upload) gets one chunk
    per hop; when the producer outpaces the disk, chunks arriving meanwhile are gathered
    (up to 1 MiB) into the next hop's ``writev`` instead of waiting, so memory stays
    bounded and thread hops stay few.
    """

    __slots__ = ("_batch", "_batch_size", "_fd", "_key", "_pending", "_pending_size", "_reporter", "_target", "_temp")

    def __init__(self, fd: int, temp_path: str, target: str, key: str, reporter: ProgressReporter) -> None:
        """Wrap an open temporary file; use :meth:`open`."""
        self._fd: int | None = fd
        self._temp = temp_path
        self._target = target
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
        fd, temp_path, target = await hop(
            _open_and_write_sync, root, key, first, overwrite, permissions, on_abandon=_discard_opened
        )
        write = cls(fd, temp_path, target, key, reporter)
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
        self, sidecar: bytes | None, *, overwrite: bool, permissions: int, durable: bool
    ) -> os.stat_result:
        """Wait for the last chunk, then put the file in place.

        Args:
            sidecar: Sidecar bytes, or ``None``.
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
            self._temp,
            self._target,
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
        temp_path = self._temp
        pending = self._pending
        if pending is None:
            discard_sync(fd, temp_path)
        elif pending.done():
            _discard_when_done(fd, temp_path, pending)
        else:
            # Closing while a worker still writes to the descriptor could hit a reused fd.
            pending.add_done_callback(functools.partial(_discard_when_done, fd, temp_path))


def _discard_when_done(fd: int, temp_path: str, done: asyncio.Future[Any]) -> None:
    if not done.cancelled():
        done.exception()  # retrieved: the error that matters is already propagating
    discard_sync(fd, temp_path)
