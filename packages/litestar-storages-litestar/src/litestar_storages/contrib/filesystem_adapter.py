"""Any storage as a Litestar file system, for ``File`` responses and static files.

:class:`StorageFileSystem` implements Litestar 2's file system protocol (``info`` and
``open``) and Litestar 3's ``BaseFileSystem`` (``info``, ``read_bytes``, ``iter``), so
Litestar's own ``File`` response and ``create_static_files_router`` serve from a
bucket as they would from a folder::

    create_static_files_router(
        path="/static",
        directories=["/"],
        file_system=StorageFileSystem(storage),
        resolve_symlinks=False,
    )

Paths are keys with an optional leading ``/`` (static files join the request path to
the directory ``"/"``). A path under which keys exist is a directory, so
``html_mode`` finds ``index.html``.

Files are served as Litestar serves them (``text/html`` inline, no sandbox): point
static files at keys only the application writes (a ``prefix``), never at user uploads;
serve those with :func:`~litestar_storages.contrib.responses.storage_response`.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, Any

from litestar_storages.calls import open_read, read_bytes
from litestar_storages.exceptions import InvalidKeyError, StorageFileNotFoundError, StoragePermissionError
from litestar_storages.keys import validate_key
from litestar_storages.streams import ByteStream

if TYPE_CHECKING:
    from types import TracebackType

    from litestar.types.file_types import FileInfo

    from litestar_storages.protocol import Storage
    from litestar_storages.types import StoredFile

    _FileSystemBase = object
else:
    # Litestar 3 turns file systems into subclasses of an ABC; Litestar 2 only needs
    # the methods (a protocol).
    _FileSystemBase = getattr(importlib.import_module("litestar.file_system"), "BaseFileSystem", object)

__all__ = ("StorageFile", "StorageFileSystem")

_FILE_MODE = 0o100644
_DIRECTORY_MODE = 0o040755


class StorageFile:
    """A read-only, async file object streaming one stored file (what ``open`` returns)."""

    __slots__ = ("_stream",)

    def __init__(self, storage: Storage, key: str, *, start: int | None = None, end: int | None = None) -> None:
        """Prepare the download; nothing is requested before the first read.

        Args:
            storage: The storage holding the file.
            key: The file's key.
            start: First byte to read.
            end: Byte after the last to read.
        """
        self._stream = ByteStream(open_read(storage, key, start=start, end=end), key=key)

    async def read(self, size: int = -1) -> bytes:
        """Read ``size`` bytes (fewer only at the end), or everything left when negative.

        Args:
            size: Number of bytes wanted; ``-1`` for all.

        Returns:
            The bytes; ``b""`` at the end.
        """
        if size < 0:
            return b"".join([chunk async for chunk in self._stream])
        return await self._stream.read(size)

    async def aclose(self) -> None:
        """Stop the download."""
        await self._stream.aclose()

    async def __aenter__(self) -> StorageFile:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        await self.aclose()


class StorageFileSystem(_FileSystemBase):
    """Adapts a storage to Litestar's file system interface (read only)."""

    __slots__ = ("prefix", "storage")

    def __init__(self, storage: Storage, *, prefix: str = "") -> None:
        """Wrap a storage.

        Args:
            storage: The storage to read from.
            prefix: A key prefix prepended to every path (``"public/"`` serves only
                that part of the storage).
        """
        self.storage = storage
        self.prefix = prefix

    def key_for(self, path: str | os.PathLike[str]) -> str:
        """Turn a file system path into the storage key it names.

        Args:
            path: A path such as ``/photos/cat.jpg`` or ``photos/cat.jpg``.

        Returns:
            The key.

        Raises:
            StorageFileNotFoundError: If the path can name no key (``..``, empty, ...).
        """
        text = os.fspath(path).replace(os.sep, "/").lstrip("/")
        key = self.prefix + text
        try:
            return validate_key(key)
        except InvalidKeyError as error:
            raise StorageFileNotFoundError(key, message=f"No file at {text!r}") from error

    async def info(self, path: str | os.PathLike[str], **kwargs: Any) -> FileInfo:
        """Describe a file, or a directory when keys exist under the path.

        Args:
            path: The path.
            **kwargs: Ignored (fsspec compatibility).

        Returns:
            Litestar's file info mapping.

        Raises:
            FileNotFoundError: If neither a file nor a directory is there, or the storage
                refuses to read the path (a link leading out of a filesystem root): a
                :class:`~litestar_storages.exceptions.StorageFileNotFoundError`.
        """
        name = os.fspath(path)
        relative = name.replace(os.sep, "/").strip("/")
        if not relative:
            # The root: a directory, listing the whole (prefixed) storage.
            return await self._directory(name, self.prefix)
        key = self.key_for(relative)
        try:
            stored = await self.storage.info(key)
        except StorageFileNotFoundError:
            return await self._directory(name, key + "/")
        except StoragePermissionError as error:
            # Litestar's static files answer PermissionError with 401, which would ask
            # the client to log in: a path the storage will not read is simply not there.
            raise StorageFileNotFoundError(key, message=f"No file at {relative!r}") from error
        return _file_info(name, stored)

    async def _directory(self, name: str, prefix: str) -> FileInfo:
        async for _ in self.storage.list(prefix, limit=1):
            return _directory_info(name)
        raise StorageFileNotFoundError(prefix, message=f"No file or folder at {name!r}")

    async def open(self, file: str | os.PathLike[str], mode: str = "rb", buffering: int = -1) -> Any:
        """Open a file for reading (Litestar 2).

        The return type is loose on purpose: Litestar 2's protocol wants an anyio
        ``AsyncFile``, of which only ``read`` and ``async with`` are used.

        Args:
            file: The path.
            mode: Must be ``"rb"``.
            buffering: Ignored.

        Returns:
            A :class:`StorageFile`.

        Raises:
            PermissionError: For any mode but reading bytes (storages are read only here).
        """
        if mode != "rb":
            raise PermissionError(f"StorageFileSystem is read only: cannot open {os.fspath(file)!r} with {mode!r}")
        return StorageFile(self.storage, self.key_for(file))

    async def read_bytes(self, path: str | os.PathLike[str], start: int = 0, end: int = -1) -> bytes:
        """Read a file or a slice of it (Litestar 3).

        Args:
            path: The path.
            start: First byte.
            end: Last byte, inclusive; ``-1`` for the end of the file.

        Returns:
            The bytes.
        """
        return await read_bytes(self.storage, self.key_for(path), start=start, end=None if end < 0 else end + 1)

    async def iter(
        self, path: str | os.PathLike[str], chunksize: int, start: int = 0, end: int = -1
    ) -> AsyncGenerator[bytes, None]:
        """Stream a file or a slice of it in chunks of ``chunksize`` bytes (Litestar 3).

        Args:
            path: The path.
            chunksize: Size of each chunk but the last.
            start: First byte.
            end: Last byte, inclusive; ``-1`` for the end of the file.

        Yields:
            The chunks.
        """
        async with StorageFile(self.storage, self.key_for(path), start=start, end=None if end < 0 else end + 1) as file:
            while chunk := await file.read(chunksize):
                yield chunk


def _file_info(name: str, stored: StoredFile) -> FileInfo:
    mtime = stored.last_modified.timestamp() if stored.last_modified else 0.0
    return {
        "created": mtime,
        "gid": 0,
        "ino": 0,
        "islink": False,
        "mode": _FILE_MODE,
        "mtime": mtime,
        "name": name,
        "nlink": 1,
        "size": stored.size,
        "type": "file",
        "uid": 0,
    }


def _directory_info(name: str) -> FileInfo:
    return {
        "created": 0.0,
        "gid": 0,
        "ino": 0,
        "islink": False,
        "mode": _DIRECTORY_MODE,
        "mtime": 0.0,
        "name": name,
        "nlink": 1,
        "size": 0,
        "type": "directory",
        "uid": 0,
    }
