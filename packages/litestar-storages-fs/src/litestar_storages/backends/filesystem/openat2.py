"""Linux's ``openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS)``: a folder path opened in one call.

The portable resolution (:mod:`.paths`) opens a key's folders one segment at a time:
two system calls per folder. ``openat2`` (Linux 5.6+) resolves the whole folder path
in one call, refusing any symbolic link (``RESOLVE_NO_SYMLINKS``) and anything that
would leave the starting folder (``RESOLVE_BENEATH``) inside the kernel. Measured on
this project's machines it is cheaper from two folders deep (3.6 µs against 5.3 µs at
two, 3.4 µs against 13.5 µs at four) and dearer for one (3.5 µs against 2.9 µs), so it
is used only for two or more.

It is only a fast path: it succeeds, or the caller does the portable walk, which is
correct on its own and tells a missing folder, a file and a link apart. Where the call
is missing (other systems, older kernels, seccomp filters) :func:`open_beneath`
returns ``None`` from then on.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import sys
from collections.abc import Callable
from typing import cast

__all__ = ("open_beneath",)

_SYS_OPENAT2 = 437  # the same number on every architecture that has it (x86_64, arm64, riscv64, ...)
_RESOLVE_NO_MAGICLINKS = 0x02
_RESOLVE_NO_SYMLINKS = 0x04
_RESOLVE_BENEATH = 0x08
_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_MACHINES = frozenset({"x86_64", "aarch64", "arm64", "riscv64", "ppc64le", "s390x"})
_MISSING = frozenset({errno.ENOSYS, errno.EPERM, errno.E2BIG, errno.EINVAL})


class _OpenHow(ctypes.Structure):
    _fields_ = (("flags", ctypes.c_uint64), ("mode", ctypes.c_uint64), ("resolve", ctypes.c_uint64))


def _load() -> Callable[..., int] | None:
    if sys.platform != "linux" or platform.machine() not in _MACHINES:
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).syscall
    except (OSError, AttributeError):
        return None
    function.restype = ctypes.c_long
    # Integer and pointer arguments pass alike to variadic and fixed functions on Linux.
    function.argtypes = (ctypes.c_long, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p, ctypes.c_size_t)
    return cast("Callable[..., int]", function)


class _State:
    """Whether the call is usable (``None`` once it is known not to be)."""

    __slots__ = ("syscall",)

    def __init__(self) -> None:
        self.syscall = _load()


_state = _State()
_how = _OpenHow(_FLAGS, 0, _RESOLVE_BENEATH | _RESOLVE_NO_SYMLINKS | _RESOLVE_NO_MAGICLINKS)
_how_address = ctypes.addressof(_how)  # only read by the kernel: shared by every thread
_how_size = ctypes.sizeof(_how)


def open_beneath(folder: int, path: str) -> int | None:
    """Open the folder ``path`` below the open folder ``folder``, through no link, in one call.

    Args:
        folder: Descriptor to resolve from.
        path: A relative folder path (``"a/b"``), with no ``.`` or ``..`` segments.

    Returns:
        The folder's descriptor, or ``None`` if the call is unavailable or failed for
        any reason (missing segment, link, file, race): the caller then walks.
    """
    call = _state.syscall
    if call is None:
        return None
    fd: int = call(_SYS_OPENAT2, folder, os.fsencode(path), _how_address, _how_size)
    if fd >= 0:
        return fd
    if ctypes.get_errno() in _MISSING:
        _state.syscall = None  # not on this kernel, or filtered: walk from now on
    return None
