"""Etags and metadata sidecars: content type and custom metadata that survive restarts.

A file whose content type is the one guessed from its key and which has no custom
metadata gets no sidecar at all (most files: one file on disk, one write). Otherwise a
small JSON sidecar named after the file *and its etag* sits beside it (see
:func:`~.paths.sidecar_name`); it is written before the file is renamed into place, so a
reader never sees a file version with someone else's metadata.
"""

from __future__ import annotations

import functools
import json
import os
from datetime import datetime, timezone

from litestar_storages.content import guess_content_type
from litestar_storages.types import StoredFile

from .paths import sidecar_name

__all__ = (
    "Sidecar",
    "content_type_for",
    "dump_sidecar",
    "encode_sidecar",
    "etag_of",
    "read_sidecar",
    "stored_file",
    "write_small_file",
)

Sidecar = tuple[str, dict[str, str]]
"""A sidecar's content: ``(content_type, metadata)``."""


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


def encode_sidecar(key: str, content_type: str, metadata: dict[str, str]) -> bytes | None:
    """Return the sidecar bytes to store with a file, or ``None`` when none is needed.

    Args:
        key: The key (its guessed content type needs no sidecar).
        content_type: The resolved content type.
        metadata: Validated custom metadata.

    Returns:
        JSON bytes, or ``None`` for defaults.
    """
    if not metadata and content_type == content_type_for(key):
        return None
    return dump_sidecar((content_type, metadata))


def dump_sidecar(sidecar: Sidecar) -> bytes:
    """Serialize a sidecar's content (UTF-8 JSON).

    Args:
        sidecar: ``(content_type, metadata)``.

    Returns:
        The bytes to store.
    """
    return json.dumps({"content_type": sidecar[0], "metadata": sidecar[1]}, ensure_ascii=False).encode()


def _decode_sidecar(raw: bytes) -> Sidecar | None:
    try:
        document = json.loads(raw)
        content_type = document["content_type"]
        metadata = document["metadata"]
    except (ValueError, KeyError, TypeError):
        return None
    if not isinstance(content_type, str) or not isinstance(metadata, dict):
        return None
    if not all(isinstance(name, str) and isinstance(value, str) for name, value in metadata.items()):
        return None
    return content_type, metadata


def read_sidecar(directory: str, name: str, etag: str) -> Sidecar | None:
    """Read the sidecar of one file version.

    Args:
        directory: The folder holding the file.
        name: The file's name.
        etag: The file's current etag.

    Returns:
        The sidecar's content, or ``None`` when the version has none (or it is unreadable).
    """
    path = os.path.join(directory, sidecar_name(name, etag))
    if not os.access(path, os.F_OK):
        return None  # most files have no sidecar: a cheaper miss than a failing open
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except (FileNotFoundError, NotADirectoryError):
        return None
    try:
        parts = []
        while part := os.read(fd, 65536):
            parts.append(part)
    finally:
        os.close(fd)
    return _decode_sidecar(b"".join(parts))


def write_small_file(path: str, data: bytes, permissions: int, *, durable: bool = False) -> None:
    """Write a small file in one go (sidecars, manifests), replacing any previous one.

    Args:
        path: Where to write.
        data: The whole content.
        permissions: The file mode.
        durable: ``fsync`` the file before returning.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, permissions)
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
        content_type, metadata = content_type_for(key), {}
    else:
        content_type, metadata = sidecar[0], dict(sidecar[1])
    return StoredFile(
        key=key,
        size=stat.st_size,
        content_type=content_type,
        etag=etag if etag is not None else etag_of(stat),
        last_modified=datetime.fromtimestamp(stat.st_mtime_ns / 1e9, tz=timezone.utc),
        metadata=metadata,
    )
