"""Etags and metadata sidecars: content type, custom metadata and attributes that survive restarts and backups.

A file whose content type is the one guessed from its key and which has no custom
metadata and no attributes gets no sidecar at all (most files: one file on disk, one write). Otherwise a
small JSON sidecar sits beside it, named after the file and its version: its size and
modification time (see :func:`~.names.sidecar_name`), which ``cp -a``, ``rsync -a`` and
restores keep, unlike the inode. The sidecar also records the file's name, size and
modification time, checked on every read. It is written before the file is renamed into
place, so a reader never sees a file version with someone else's metadata.

Sidecars written by litestar-storages-fs 0.1 (named after the inode-based etag) are
still read; :mod:`.maintenance` migrates them.
"""

from __future__ import annotations

import functools
import json
import os
from datetime import datetime, timezone

from litestar_storages.attributes import NO_ATTRIBUTES, ObjectAttributes, attributes_from_dict, attributes_to_dict
from litestar_storages.content import guess_content_type
from litestar_storages.types import StoredFile

from .names import legacy_sidecar_name, sidecar_name

__all__ = (
    "Sidecar",
    "content_type_for",
    "decode_legacy",
    "decode_record",
    "dump_record",
    "encode_sidecar",
    "etag_of",
    "read_small_file",
    "read_sidecar",
    "stored_file",
    "write_small_file",
)

Sidecar = tuple[str, dict[str, str], ObjectAttributes]
"""A sidecar's content: ``(content_type, metadata, attributes)``."""

Record = tuple[str, int, int, Sidecar]
"""A sidecar file's whole record: ``(file name, size, mtime_ns, (content_type, metadata, attributes))``."""

_FORMAT = 2
_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK


@functools.lru_cache(maxsize=512)
def _content_type_of_suffixes(suffixes: str) -> str:
    return guess_content_type(f"x{suffixes}")


def content_type_for(key: str) -> str:
    """Return the content type guessed from ``key``, as ``guess_content_type`` does, cached.

    ``mimetypes`` only looks at a name's last two extensions (``.tar.gz``: a type and an
    encoding), so the guess is cached per pair of extensions: every ``info`` and listed
    file needs it, and the guess costs more than the ``stat``.

    Args:
        key: A key.

    Returns:
        The guessed MIME type, or the default one.
    """
    if ":" in key:
        return guess_content_type(key)  # "scheme:..." keys are parsed as URLs: not worth caching
    name = key[key.rfind("/") + 1 :].lstrip(".")  # leading dots start no extension
    last = name.rfind(".")
    if last < 0:
        return _content_type_of_suffixes("")
    previous = name.rfind(".", 0, last)
    return _content_type_of_suffixes(name[previous if previous >= 0 else last :])


def etag_of(stat: os.stat_result) -> str:
    """Return the etag of a file version: inode, modification time and size.

    Every write makes a new inode (temporary file renamed into place), so the etag
    changes with every write and stays the same while the file is untouched; no byte
    of the content is read to compute it.

    Args:
        stat: The file's ``stat`` result.

    Returns:
        A short hexadecimal tag.
    """
    return f"{stat.st_ino:x}-{stat.st_mtime_ns:x}-{stat.st_size:x}"


def encode_sidecar(
    key: str, content_type: str, metadata: dict[str, str], attributes: ObjectAttributes = NO_ATTRIBUTES
) -> Sidecar | None:
    """Return the sidecar content to store with a file, or ``None`` when none is needed.

    Args:
        key: The key (its guessed content type needs no sidecar).
        content_type: The resolved content type.
        metadata: Validated custom metadata.
        attributes: Checked attributes.

    Returns:
        ``(content_type, metadata, attributes)``, or ``None`` for defaults.
    """
    if not metadata and attributes is NO_ATTRIBUTES and content_type == content_type_for(key):
        return None
    return content_type, metadata, attributes


def dump_record(name: str, size: int, mtime_ns: int, sidecar: Sidecar) -> bytes:
    """Serialize a sidecar for one file version (UTF-8 JSON).

    Args:
        name: The data file's name (its last key segment).
        size: The version's size.
        mtime_ns: The version's modification time.
        sidecar: ``(content_type, metadata, attributes)``.

    Returns:
        The bytes to store.
    """
    document: dict[str, object] = {
        "format": _FORMAT,
        "name": name,
        "size": size,
        "mtime_ns": mtime_ns,
        "content_type": sidecar[0],
        "metadata": sidecar[1],
    }
    attributes = attributes_to_dict(sidecar[2])
    if attributes:  # absent when empty: the sidecars of earlier 0.3 builds read the same
        document["attributes"] = attributes
    return json.dumps(document, ensure_ascii=False).encode()


def _content(document: object) -> Sidecar | None:
    if not isinstance(document, dict):
        return None
    content_type = document.get("content_type")
    metadata = document.get("metadata")
    if not isinstance(content_type, str) or not isinstance(metadata, dict):
        return None
    if not all(isinstance(name, str) and isinstance(value, str) for name, value in metadata.items()):
        return None
    attributes = attributes_from_dict(document.get("attributes", {}))
    if attributes is None:
        return None
    return content_type, metadata, attributes


def _load(raw: bytes | None) -> object:
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def decode_record(raw: bytes | None) -> Record | None:
    """Parse a sidecar in the current format.

    Args:
        raw: The sidecar file's bytes.

    Returns:
        ``(name, size, mtime_ns, (content_type, metadata, attributes))``, or ``None`` if malformed.
    """
    document = _load(raw)
    content = _content(document)
    if content is None or not isinstance(document, dict) or document.get("format") != _FORMAT:
        return None
    name, size, mtime_ns = document.get("name"), document.get("size"), document.get("mtime_ns")
    if not isinstance(name, str) or type(size) is not int or type(mtime_ns) is not int:
        return None
    return name, size, mtime_ns, content


def decode_legacy(raw: bytes | None) -> Sidecar | None:
    """Parse a sidecar written by litestar-storages-fs 0.1 (content type and metadata only).

    Args:
        raw: The sidecar file's bytes.

    Returns:
        ``(content_type, metadata, attributes)`` (0.1 had no attributes), or ``None`` if malformed.
    """
    return _content(_load(raw))


def read_small_file(folder: int, name: str) -> bytes | None:
    """Read a small internal file of an open folder, if present (never through a link).

    Args:
        folder: The folder's descriptor.
        name: The file's name.

    Returns:
        Its bytes, or ``None`` when it does not exist.
    """
    if not os.access(name, os.F_OK, dir_fd=folder, follow_symlinks=False):
        return None  # most files have no sidecar: a cheaper miss than a failing open
    try:
        fd = os.open(name, _READ_FLAGS, dir_fd=folder)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError:
        return None  # a link put in the sidecar's place: never followed, never trusted
    try:
        parts = []
        while part := os.read(fd, 65536):
            parts.append(part)
    finally:
        os.close(fd)
    return b"".join(parts)


def read_sidecar(folder: int, name: str, stat: os.stat_result) -> Sidecar | None:
    """Read the sidecar of one file version: the current format, else the 0.1 one.

    Args:
        folder: Descriptor of the folder holding the file.
        name: The file's name.
        stat: The file's current ``stat``.

    Returns:
        The sidecar's content, or ``None`` when the version has none (or it is unreadable).
    """
    size, mtime_ns = stat.st_size, stat.st_mtime_ns
    record = decode_record(read_small_file(folder, sidecar_name(name, size, mtime_ns)))
    if record is not None:
        if record[:3] == (name, size, mtime_ns):
            return record[3]
        return None  # not this version's (a hand-edited or colliding name): never another's metadata
    return decode_legacy(read_small_file(folder, legacy_sidecar_name(name, etag_of(stat))))


def write_small_file(
    folder: int, name: str, data: bytes, permissions: int, *, durable: bool = False, exclusive: bool = False
) -> None:
    """Write a small internal file (sidecars, manifests) in one go, in an open folder.

    Args:
        folder: The folder's descriptor.
        name: The file's name.
        data: The whole content.
        permissions: The file mode.
        durable: ``fsync`` the file before returning.
        exclusive: Fail with ``FileExistsError`` if it exists (else replace its content).
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC | (os.O_EXCL if exclusive else os.O_TRUNC)
    fd = os.open(name, flags, permissions, dir_fd=folder)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        if durable:
            os.fsync(fd)
    finally:
        os.close(fd)


def stored_file(key: str, stat: os.stat_result, sidecar: Sidecar | None, etag: str | None = None) -> StoredFile:
    """Build the :class:`StoredFile` of a file from its ``stat`` and sidecar.

    Args:
        key: The key.
        stat: The file's ``stat`` result.
        sidecar: Its sidecar, or ``None`` for defaults.
        etag: ``etag_of(stat)`` when the caller computed it already.

    Returns:
        The file's metadata.
    """
    if sidecar is None:
        content_type, metadata, attributes = content_type_for(key), {}, NO_ATTRIBUTES
    else:
        content_type, metadata, attributes = sidecar[0], dict(sidecar[1]), sidecar[2]
    return StoredFile(
        key=key,
        size=stat.st_size,
        content_type=content_type,
        etag=etag if etag is not None else etag_of(stat),
        last_modified=datetime.fromtimestamp(stat.st_mtime_ns / 1e9, tz=timezone.utc),
        metadata=metadata,
        attributes=attributes,
    )
