"""Writing to and copying between open file descriptors: whole buffers, gathered chunks, kernel copies."""

from __future__ import annotations

import errno
import os

from litestar_storages.exceptions import StorageError

__all__ = ("copy_range", "write_all", "write_chunks")

_MAX_IOVECS = 512  # below IOV_MAX (1024 on Linux and macOS)


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
