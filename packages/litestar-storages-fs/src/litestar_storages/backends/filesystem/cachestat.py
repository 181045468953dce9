"""``cachestat(2)`` (Linux 6.5+): whether a byte range of a file is in the page cache, in one system call.

Reads served on the event loop must not wait for the disk. Probing one byte every
128 KiB with ``preadv(..., RWF_NOWAIT)`` answers that in nine system calls per MiB
(about 9 µs, a sixth of reading the MiB from the cache); ``cachestat`` counts the
cached pages of the whole range in one (about 1 µs). Where the kernel lacks it or a
sandbox (seccomp) refuses it, :func:`cache_counter` says so once and the probes are
used instead.
"""

from __future__ import annotations

import ctypes
import errno
import os
import sys
from collections.abc import Callable

__all__ = ("CacheCounter", "cache_counter")

_CACHESTAT = 451
"""The system call's number: the same on every Linux architecture (the unified table)."""

_ABSENT = frozenset({errno.ENOSYS, errno.EPERM, errno.EACCES})
"""No such call here (an older kernel) or refused by a sandbox: never ask again."""

_NOT_HERE = frozenset({errno.EOPNOTSUPP, errno.ENOTSUP, errno.EINVAL})
"""Not for this file (a filesystem without a page cache of its own): probe it instead."""


class _Range(ctypes.Structure):
    _fields_ = (("off", ctypes.c_uint64), ("len", ctypes.c_uint64))


class _Stat(ctypes.Structure):
    _fields_ = tuple(
        (name, ctypes.c_uint64)
        for name in ("nr_cache", "nr_dirty", "nr_writeback", "nr_evicted", "nr_recently_evicted")
    )


class CacheCounter:
    """Calls ``cachestat``; thread-safe (each call has its own buffers)."""

    __slots__ = ("_page", "_syscall", "available")

    def __init__(self, syscall: Callable[..., int]) -> None:
        """Wrap libc's ``syscall`` function.

        Args:
            syscall: ``libc.syscall``, loaded with ``use_errno=True``.
        """
        self._syscall = syscall
        self._page = os.sysconf("SC_PAGESIZE")
        self.available = True

    def __call__(self, fd: int, offset: int, size: int) -> bool | None:
        """Tell whether every page of ``size`` bytes from ``offset`` is in the page cache.

        Args:
            fd: The open file.
            offset: Where the range starts.
            size: Its length (more than zero).

        Returns:
            ``True`` when every page is cached, ``False`` when one is not (or the call
            failed on this descriptor: the read in a thread then reports why), ``None``
            when ``cachestat`` cannot answer here (the caller probes instead).
        """
        if not self.available:
            return None
        span = _Range(offset, size)
        found = _Stat()
        if self._syscall(_CACHESTAT, fd, ctypes.byref(span), ctypes.byref(found), 0) != 0:
            code = ctypes.get_errno()
            if code in _ABSENT:
                self.available = False
                return None
            if code in _NOT_HERE:
                return None
            return False
        page = self._page
        pages = (offset + size - 1) // page - offset // page + 1
        return int(found.nr_cache) >= pages


def cache_counter() -> CacheCounter | None:
    """Return ``cachestat`` where the platform may have it (Linux), else ``None``."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        syscall = libc.syscall
    except (OSError, AttributeError):
        return None
    syscall.restype = ctypes.c_long  # variadic in C: the arguments keep ctypes' defaults
    return CacheCounter(syscall)
