"""``FileSystemStorage``: files in a local folder, written atomically, never outside it."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from datetime import timedelta
from typing import Union

from litestar_storages.engine import DriverStorage
from litestar_storages.exceptions import ConfigurationError
from litestar_storages.keys import validate_key
from litestar_storages.opened import OpenedObject
from litestar_storages.types import StoredFile

from . import maintenance
from .config import FileSystemConfig
from .driver import FileSystemDriver, build_driver
from .maintenance import CleanupReport
from .signing import SignedAccess, verify_signature

__all__ = ("FileSystemStorage",)


class FileSystemStorage(DriverStorage):
    """Files in a local folder: atomic writes, persistent metadata, signed URLs.

    Every key is a file below ``config.path``, resolved one segment at a time relative to
    an open descriptor of the root and never through a symbolic link, so nothing outside
    it is ever touched, even by a process racing to swap folders for links. Writes go to
    a locked temporary file renamed into place once complete. Content type and custom
    metadata live in hidden sidecar files no key can address (keys may not have a
    segment starting with ``.lss~``). Blocking work runs in worker threads, a whole
    small operation per hop.

    ``url()`` returns a signed URL below ``base_url`` when ``signing_secret`` is set
    (GET or PUT, checked by :meth:`verify_signed_url`), else ``base_url + "/" + quoted
    key``, else the file's ``file://`` URI.

    Example:
        >>> storage = FileSystemStorage(FileSystemConfig(path="./uploads"))  # doctest: +SKIP
        >>> await storage.put("hello.txt", b"Hello, World!")  # doctest: +SKIP
    """

    __slots__ = ("_files", "config")

    def __init__(self, config: FileSystemConfig) -> None:
        """Create the storage; the root folder is created (if configured) on first use.

        Args:
            config: Where and how to store files.

        Raises:
            ConfigurationError: If ``config`` is not a :class:`FileSystemConfig`, or the
                platform is not POSIX.
        """
        if not isinstance(config, FileSystemConfig):
            raise ConfigurationError(
                f"FileSystemStorage needs a FileSystemConfig, got {type(config).__name__}", field="config"
            )
        if os.name != "posix":
            raise ConfigurationError("FileSystemStorage supports POSIX systems (Linux, macOS) only", field="path")
        self.config = config
        self._files: FileSystemDriver = build_driver(config)
        super().__init__(self._files)

    async def open_object(self, key: str) -> OpenedObject:
        """Open the current version of a file: its metadata and its bytes, in one worker-thread call.

        What :func:`~litestar_storages.contrib.responses.storage_response` serves from
        (see :class:`~litestar_storages.capabilities.SupportsOpenObject`): ``stat``, the
        metadata sidecar and the open happen together, and every range read from the
        result comes from that version, even if the key is overwritten or deleted
        meanwhile. A file of at most 64 KiB is read whole in the same call.

        Args:
            key: The file's key.

        Returns:
            The opened version; call its ``close()`` when done.

        Raises:
            StorageFileNotFoundError: If the key does not exist (or is a folder).
            StoragePermissionError: If the key's path meets a symbolic link.
            InvalidKeyError: If the key is invalid.
        """
        name = validate_key(key)
        with self._files.errors.guard(key):
            return await self._files.open_object(name)

    async def move(self, source: str, destination: str) -> StoredFile:
        """Move a file with its metadata: a rename (copy and delete only across filesystems).

        Args:
            source: Key to move from.
            destination: Key to move to (replaced if it exists).

        Returns:
            Metadata of the file at its new key.

        Raises:
            StorageFileNotFoundError: If ``source`` does not exist.
        """
        validate_key(destination)
        if validate_key(source) == destination:
            return await self.info(source)
        with self._files.errors.guard(source):
            return await self._files.move(source, destination)

    def verify_signed_url(
        self, key: str, query: Union[Mapping[str, str], str], *, method: str = "GET", now: float | None = None
    ) -> SignedAccess:
        """Check a signed URL made by :meth:`url`; call it from the route serving the files.

        Args:
            key: The key from the request path (percent-decoded).
            query: The request's query parameters (or raw query string).
            method: The request's HTTP method.
            now: The current Unix time (tests); defaults to now.

        Returns:
            What the URL grants (key, method, expiry, filename, content type).

        Raises:
            InvalidSignatureError: If the signature is missing, malformed or wrong.
            ExpiredSignatureError: If the URL has expired.
            ConfigurationError: If the storage has no ``signing_secret``.
        """
        secret = self.config.signing_secret
        if secret is None:
            raise ConfigurationError(
                "FileSystemConfig.signing_secret is not set: this storage makes no signed URLs",
                field="signing_secret",
            )
        return verify_signature(key, query, secret, method=method, now=now)

    async def remove_stale_files(self, *, older_than: timedelta = timedelta(hours=24)) -> CleanupReport:
        """Remove what interrupted work left behind; safe to run while the storage is in use.

        Temporary files of writers that died (killed, crashed, power loss) are removed
        whatever their age: a live writer holds a lock on its temporary file. Multipart
        uploads not touched for ``older_than`` are aborted, and metadata sidecars of file
        versions that no longer exist (left by concurrent writers) are removed once that
        old. Folders left empty are removed. This walks the whole tree: run it from a
        periodic job or at startup, not per request.

        Args:
            older_than: Age after which abandoned multipart uploads and orphaned sidecars go.

        Returns:
            What was removed.
        """
        with self._files.errors.guard():
            return await asyncio.to_thread(maintenance.remove_stale_files_sync, self._files.root, older_than)
