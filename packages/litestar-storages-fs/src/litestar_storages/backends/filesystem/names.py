r"""The names the storage keeps for itself inside the root, and the one key rule they add.

Keys map to paths below the root (``"a/b.txt"`` is ``<root>/a/b.txt``). Everything else
the storage writes has a name starting with :data:`RESERVED_PREFIX` (``.lss~``):

- temporary files of writes in progress: ``.lss~t.<random hex>``;
- metadata sidecars: ``.lss~m.<file name>.<size hex>-<mtime hex>`` (``.lss~h.<hash of the
  name>.<...>`` when that would exceed the filesystem's 255-byte name limit);
- the multipart staging folder at the root: ``.lss~multipart``.

:func:`check_key` refuses keys with a segment starting with ``.lss~``, so no key can
name, list, overwrite or delete these files. The names hold no backslash, so they can
be copied, archived and synchronized by any tool.

Roots written by litestar-storages-fs 0.1 hold the earlier names, which all contain a
backslash (keys cannot): ``.<name>\<etag>.meta`` sidecars, ``.<hex>\tmp`` temporary
files and the ``.multipart\`` staging folder. They are recognized here so that their
metadata is still read, their leftovers still cleaned, and both migrated.
"""

from __future__ import annotations

import hashlib
import os
import secrets

from litestar_storages.exceptions import InvalidKeyError
from litestar_storages.keys import validate_key

__all__ = (
    "LEGACY_STAGING_DIR",
    "RESERVED_PREFIX",
    "STAGING_DIR",
    "check_key",
    "check_reserved",
    "is_internal",
    "is_legacy_sidecar",
    "is_sidecar",
    "is_temp",
    "legacy_sidecar_name",
    "parse_legacy_sidecar",
    "sidecar_name",
    "sidecar_tag",
    "temp_name",
)

RESERVED_PREFIX = ".lss~"
"""Names starting with this belong to the storage; no key segment may start with it."""
TEMP_PREFIX = ".lss~t."
SIDECAR_PREFIX = ".lss~m."
HASHED_SIDECAR_PREFIX = ".lss~h."
STAGING_DIR = ".lss~multipart"
"""Folder at the root holding multipart uploads in progress."""

LEGACY_MARK = "\\"
LEGACY_TEMP_SUFFIX = "\\tmp"
LEGACY_SIDECAR_SUFFIX = ".meta"
LEGACY_STAGING_DIR = ".multipart\\"

_NAME_MAX = 255  # bytes per name on ext4, XFS, btrfs, APFS, tmpfs


def check_key(key: str) -> str:
    """Validate ``key`` with the common rules, and refuse the storage's reserved names.

    Args:
        key: The key to check.

    Returns:
        The key, unchanged.

    Raises:
        InvalidKeyError: If a common rule is broken, or a segment starts with ``.lss~``.
    """
    return check_reserved(validate_key(key))


def check_reserved(key: str) -> str:
    """Refuse a key (already valid by the common rules) with a segment starting with ``.lss~``.

    Args:
        key: A key the engine has validated.

    Returns:
        The key, unchanged.

    Raises:
        InvalidKeyError: If a segment starts with ``.lss~``.
    """
    if RESERVED_PREFIX in key and any(segment.startswith(RESERVED_PREFIX) for segment in key.split("/")):
        raise InvalidKeyError(
            f"Invalid key {key!r}: FileSystemStorage reserves names starting with {RESERVED_PREFIX!r} "
            "for its own files",
            key=key,
        )
    return key


def is_internal(name: str) -> bool:
    """Tell whether a directory entry belongs to the storage rather than to a key.

    Args:
        name: A file or folder name (one path segment).

    Returns:
        ``True`` for temporary files, sidecars and the staging area, current or legacy.
    """
    return name.startswith(RESERVED_PREFIX) or LEGACY_MARK in name


def is_temp(name: str) -> bool:
    """Tell whether ``name`` is a temporary file of an unfinished write (current or legacy)."""
    return name.startswith(TEMP_PREFIX) or name.endswith(LEGACY_TEMP_SUFFIX)


def is_sidecar(name: str) -> bool:
    """Tell whether ``name`` is a metadata sidecar in the current format."""
    return name.startswith((SIDECAR_PREFIX, HASHED_SIDECAR_PREFIX))


def is_legacy_sidecar(name: str) -> bool:
    """Tell whether ``name`` is a metadata sidecar written by litestar-storages-fs 0.1."""
    return LEGACY_MARK in name and name.endswith(LEGACY_SIDECAR_SUFFIX)


def temp_name() -> str:
    """Return a fresh, unguessable temporary file name (hidden, internal)."""
    return f"{TEMP_PREFIX}{secrets.token_hex(8)}"


def sidecar_tag(size: int, mtime_ns: int) -> str:
    """Return the version part of a sidecar's name: the data file's size and modification time.

    Both survive ``cp -a``, ``rsync -a``, ``shutil.copytree`` and restores that keep
    modification times (the inode, which the etag uses, does not). Writers give every
    version a modification time of its own (see :func:`~.commit.stamp_version`).

    Args:
        size: The data file's size.
        mtime_ns: Its modification time in nanoseconds.

    Returns:
        ``<size hex>-<mtime hex>``.
    """
    return f"{size:x}-{mtime_ns:x}"


def sidecar_name(name: str, size: int, mtime_ns: int) -> str:
    """Return the name of the metadata sidecar of file ``name`` at one version.

    The sidecar sits beside the file. Its name carries the version (size and
    modification time), so a sidecar only ever describes the version it was written
    for: a reader that finds none for the current version knows the metadata is the
    default, and writers racing on one key never share a sidecar.

    Args:
        name: The data file's name.
        size: The version's size.
        mtime_ns: The version's modification time in nanoseconds.

    Returns:
        A hidden name, readable when it fits the filesystem's name limit, else hashed.
    """
    tag = sidecar_tag(size, mtime_ns)
    readable = f"{SIDECAR_PREFIX}{name}.{tag}"
    if len(os.fsencode(readable)) <= _NAME_MAX:
        return readable
    return f"{HASHED_SIDECAR_PREFIX}{name_hash(name)}.{tag}"


def name_hash(name: str) -> str:
    """Return the hash standing for a file name too long to appear in its sidecar's name."""
    return hashlib.sha256(os.fsencode(name)).hexdigest()[:40]


def legacy_sidecar_name(name: str, etag: str) -> str:
    """Return the 0.1 sidecar name of file ``name`` at version ``etag`` (inode-based).

    Args:
        name: The data file's name.
        etag: The data file's etag (see :func:`~.metadata.etag_of`).

    Returns:
        The name litestar-storages-fs 0.1 gave that version's sidecar.
    """
    readable = f".{name}{LEGACY_MARK}{etag}{LEGACY_SIDECAR_SUFFIX}"
    if len(os.fsencode(readable)) <= _NAME_MAX:
        return readable
    return f".{name_hash(name)}{LEGACY_MARK}{etag}{LEGACY_SIDECAR_SUFFIX}"


def parse_legacy_sidecar(sidecar: str) -> tuple[str, int, int] | None:
    """Split a 0.1 sidecar name into (file name or name hash, size, modification time).

    Args:
        sidecar: A name for which :func:`is_legacy_sidecar` is true.

    Returns:
        ``(name, size, mtime_ns)``, where ``name`` may be a :func:`name_hash`; ``None``
        when the name is not one the 0.1 backend wrote.
    """
    stem, mark, etag = sidecar[: -len(LEGACY_SIDECAR_SUFFIX)].rpartition(LEGACY_MARK)
    parts = etag.split("-")
    if not mark or not stem.startswith(".") or len(parts) != 3:
        return None
    try:
        _inode, mtime_ns, size = (int(part, 16) for part in parts)
    except ValueError:
        return None
    return stem[1:], size, mtime_ns
