"""Translation of ``OSError`` into storage errors (in one place), and the signed-URL errors.

Errors of the filesystem backend::

    StorageError
    ├── StorageFileNotFoundError    ENOENT, ENOTDIR, EISDIR (reading a folder)
    ├── StorageFileExistsError      EEXIST; a parent "folder" of the key is a file
    ├── StoragePermissionError      EACCES, EPERM, EROFS, ELOOP; a link leading out of the root
    │   └── InvalidSignatureError   a signed URL that is forged, tampered with or malformed
    │       └── ExpiredSignatureError   a signed URL past its expiry
    ├── InvalidKeyError             ENAMETOOLONG (a key segment longer than the filesystem allows)
    └── StorageError                anything else (ENOSPC, EIO, ...), with the OS message
"""

from __future__ import annotations

import errno

from litestar_storages.error_mapping import ErrorMapper
from litestar_storages.exceptions import (
    InvalidKeyError,
    StorageError,
    StorageFileExistsError,
    StorageFileNotFoundError,
    StoragePermissionError,
    build_error,
)

__all__ = ("ExpiredSignatureError", "InvalidSignatureError", "error_mapper", "translate_error")

BACKEND = "FileSystemStorage"

_BY_ERRNO: dict[int, tuple[type[StorageError], str]] = {
    errno.ENOENT: (StorageFileNotFoundError, "File not found"),
    errno.ENOTDIR: (StorageFileNotFoundError, "File not found"),
    errno.EISDIR: (StorageFileNotFoundError, "File not found (it is a folder)"),
    errno.EEXIST: (StorageFileExistsError, "File already exists"),
    errno.EACCES: (StoragePermissionError, "Permission denied"),
    errno.EPERM: (StoragePermissionError, "Operation not permitted"),
    errno.EROFS: (StoragePermissionError, "Read-only filesystem"),
    errno.ELOOP: (StoragePermissionError, "Too many levels of symbolic links"),
    errno.ENAMETOOLONG: (InvalidKeyError, "A segment of the key is longer than the filesystem allows"),
    errno.ENOSPC: (StorageError, "No space left on the device"),
    errno.EDQUOT: (StorageError, "Disk quota exceeded"),
}


class InvalidSignatureError(StoragePermissionError):
    """A signed URL's signature does not match: forged, altered or malformed. Serve 403."""


class ExpiredSignatureError(InvalidSignatureError):
    """A signed URL was valid but its expiry time has passed. Serve 403 (or 410)."""


def translate_error(error: Exception, key: str | None) -> StorageError | None:
    """Translate an ``OSError`` into the storage error it stands for.

    Args:
        error: The exception raised by a filesystem call.
        key: The key of the operation, if any.

    Returns:
        The storage error, or ``None`` for anything that is not an ``OSError``
        (the mapper then raises a plain :class:`StorageError`).
    """
    if not isinstance(error, OSError):
        return None
    known = _BY_ERRNO.get(error.errno) if error.errno is not None else None
    reason = error.strerror or str(error)
    if known is None:
        cls, summary = StorageError, f"{BACKEND}: {reason}"
    else:
        cls, summary = known
    subject = f" for key {key!r}" if key is not None else ""
    return build_error(cls, f"{summary}{subject} ({reason})", key=key)


def error_mapper() -> ErrorMapper:
    """Return the mapper every filesystem operation runs under."""
    return ErrorMapper(translate_error, backend=BACKEND, owns=(OSError,))
