"""Any storage behind advanced-alchemy's file columns (``FileObject``, ``StoredObject``).

advanced-alchemy stores a file's metadata in a JSON column and its bytes through a
``StorageBackend`` registered under a key in its ``storages`` registry.
:class:`StorageBackendAdapter` is such a backend for any litestar-storages storage::

    from advanced_alchemy.types.file_object import storages

    storages.register_backend(StorageBackendAdapter("documents", S3Storage(...)))

    class Document(UUIDBase):
        file: Mapped[FileObject] = mapped_column(StoredObject(backend="documents"))

Saving streams: bytes, sync or async iterables of bytes, file objects (``UploadFile``)
and paths go to ``storage.put`` chunk by chunk. advanced-alchemy reads content whole
(``get_content``); :meth:`StorageBackendAdapter.stream` and ``storage_response`` read
it in chunks instead.

The storage is async; the sync half of advanced-alchemy's interface (used by sync
sessions) runs each call on an event loop in a thread the adapter owns, so a storage
used that way belongs to that loop: give sync code its own storage instance.

:func:`files_in_transaction` saves files before the database commit (so a failed
upload never leaves a row) and deletes them again when the transaction fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import threading
from collections.abc import AsyncIterator, Coroutine, Sequence
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from advanced_alchemy.types.file_object import FileObject, StorageBackend

from litestar_storages.calls import delete_object, open_read, read_bytes, write

if TYPE_CHECKING:
    from advanced_alchemy.types.file_object.base import AsyncDataLike, DataLike, PathLike
    from sqlalchemy.ext.asyncio import AsyncSession

    from litestar_storages.protocol import Storage
    from litestar_storages.streams import PutData
    from litestar_storages.types import StoredFile

__all__ = ("FilesInTransaction", "StorageBackendAdapter", "files_in_transaction")

_T = TypeVar("_T")

# Protocol names advanced-alchemy's own backends report, by storage class.
_PROTOCOLS = {
    "S3Storage": "s3",
    "GCSStorage": "gs",
    "AzureStorage": "azure",
    "FileSystemStorage": "file",
    "MemoryStorage": "memory",
    "ObstoreStorage": "obstore",
}


class _LoopThread:
    """An event loop in a daemon thread, for the sync half of the interface."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def run(self, coroutine: Coroutine[Any, Any, _T]) -> _T:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(target=loop.run_forever, name="storage-backend-adapter", daemon=True)
                thread.start()
                self._loop, self._thread = loop, thread
            loop = self._loop
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result()

    def stop(self) -> None:
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is not None and thread is not None:
            loop.call_soon_threadsafe(loop.stop)
            thread.join()
            loop.close()


def _paths(paths: PathLike | Sequence[PathLike]) -> list[str]:
    if isinstance(paths, (str, os.PathLike)):
        return [os.fspath(paths)]
    return [os.fspath(path) for path in paths]


def _metadata(values: dict[str, Any]) -> dict[str, str]:
    # Storage metadata is text: other values are stored as JSON, as advanced-alchemy's
    # obstore backend does. The storage still checks names, sizes and characters.
    return {str(name): value if isinstance(value, str) else json.dumps(value) for name, value in values.items()}


class StorageBackendAdapter(StorageBackend):
    """advanced-alchemy's ``StorageBackend`` over a litestar-storages storage.

    Attributes:
        storage: The storage holding the files (also ``fs``, advanced-alchemy's name).
        key: The name the backend is registered under (``StoredObject(backend=key)``).
        protocol: The storage's kind (``"s3"``, ``"gs"``, ``"azure"``, ``"file"``,
            ``"memory"``...), for advanced-alchemy's ``FileObject.protocol``.
    """

    driver = "litestar-storages"
    """The backend's kind, as advanced-alchemy names them (``"obstore"``, ``"fsspec"``...)."""

    def __init__(self, key: str, storage: Storage, *, protocol: str | None = None) -> None:
        """Wrap a storage.

        Args:
            key: The name to register the backend under.
            storage: Any storage (an object with the members of ``Storage``).
            protocol: The protocol name to report; derived from the storage's class
                when omitted.
        """
        super().__init__(key=key, fs=storage)
        self.storage = storage
        self.protocol = protocol or _PROTOCOLS.get(type(storage).__name__, type(storage).__name__.lower())
        self._loop_thread = _LoopThread()

    # -- async ------------------------------------------------------------------------

    async def get_content_async(self, path: PathLike, *, options: dict[str, Any] | None = None) -> bytes:
        """Return a file's content, whole.

        Args:
            path: The file's key.
            options: ``start``/``end`` to read a byte range; other options are ignored.

        Returns:
            The bytes.

        Raises:
            StorageFileNotFoundError: If there is no such file (also a ``FileNotFoundError``).
        """
        options = options or {}
        return await read_bytes(self.storage, os.fspath(path), start=options.get("start"), end=options.get("end"))

    def stream(self, path: PathLike | FileObject) -> AsyncIterator[bytes]:
        """Stream a file's content in chunks, never holding it whole.

        Args:
            path: The file's key, or its ``FileObject``.

        Returns:
            An async iterator of chunks.
        """
        key = path.path if isinstance(path, FileObject) else os.fspath(path)
        return open_read(self.storage, key)

    async def save_object_async(
        self,
        file_object: FileObject,
        data: AsyncDataLike,
        *,
        use_multipart: bool | None = None,
        chunk_size: int = 5 * 1024 * 1024,
        max_concurrency: int = 12,
    ) -> FileObject:
        """Store ``data`` at the file object's path, streaming it, and fill in what the storage reports.

        Args:
            file_object: Where and how to store: ``path``, ``content_type``, ``metadata``.
            data: Bytes, a sync or async iterable of bytes, a file object (sync or async
                ``read``) or a ``Path`` to a local file.
            use_multipart: Ignored: the storage decides (multipart above its threshold).
            chunk_size: Ignored: the storage's part size applies.
            max_concurrency: Ignored: the storage's concurrency applies.

        Returns:
            ``file_object``, with ``size``, ``etag`` and ``last_modified`` (a POSIX
            timestamp) of the stored file.

        Raises:
            StorageValidationError: If the path is no valid key, the metadata is refused
                or the data is none of the above (``InvalidDataError``).
        """
        if isinstance(data, Path):
            # Opened here, read in chunks by the storage (off the event loop).
            with data.open("rb") as source:
                stored = await self._put(file_object, source)
        else:
            stored = await self._put(file_object, data)
        file_object.size = stored.size
        if stored.etag is not None:
            file_object.etag = stored.etag
        if stored.last_modified is not None:
            file_object.last_modified = stored.last_modified.timestamp()
        return file_object

    async def _put(self, file_object: FileObject, data: object) -> StoredFile:
        return await write(
            self.storage,
            file_object.path,
            data,  # type: ignore[arg-type]  # the core refuses anything else with InvalidDataError
            content_type=file_object.content_type,
            metadata=_metadata(file_object.metadata) or None,
        )

    async def delete_object_async(self, paths: PathLike | Sequence[PathLike]) -> None:
        """Delete files; a file already gone is not an error (advanced-alchemy ignores it too).

        Args:
            paths: One key or several.
        """
        await asyncio.gather(*(delete_object(self.storage, key, missing_ok=True) for key in _paths(paths)))

    async def sign_async(
        self,
        paths: PathLike | Sequence[PathLike],
        *,
        expires_in: int | None = None,
        for_upload: bool = False,
    ) -> str | list[str]:
        """Return URLs for downloading (GET) or uploading (PUT) files.

        Args:
            paths: One key (a URL is returned) or several (a list).
            expires_in: Validity in seconds; the storage's default when omitted.
            for_upload: A URL to ``PUT`` the file's content to.

        Returns:
            The URL, or the URLs in the order of ``paths``.

        Raises:
            UnsupportedOperationError: If the storage cannot make such URLs (memory).
        """
        validity = timedelta(seconds=expires_in) if expires_in is not None else None
        method: Literal["GET", "PUT"] = "PUT" if for_upload else "GET"
        urls: list[str] = [await self.storage.url(key, expires_in=validity, method=method) for key in _paths(paths)]
        if isinstance(paths, (str, os.PathLike)):
            return urls[0]
        return urls

    # -- sync: the same calls, on the adapter's own event loop --------------------------

    def get_content(self, path: PathLike, *, options: dict[str, Any] | None = None) -> bytes:
        """Sync :meth:`get_content_async`.

        Args:
            path: The file's key.
            options: As for :meth:`get_content_async`.

        Returns:
            The bytes.
        """
        return self._loop_thread.run(self.get_content_async(path, options=options))

    def save_object(
        self,
        file_object: FileObject,
        data: DataLike,
        *,
        use_multipart: bool | None = None,
        chunk_size: int = 5 * 1024 * 1024,
        max_concurrency: int = 12,
    ) -> FileObject:
        """Sync :meth:`save_object_async`.

        Args:
            file_object: Where and how to store.
            data: Bytes, an iterable of bytes, a file object or a ``Path``.
            use_multipart: Ignored.
            chunk_size: Ignored.
            max_concurrency: Ignored.

        Returns:
            ``file_object``, updated.
        """
        return self._loop_thread.run(self.save_object_async(file_object, data))

    def delete_object(self, paths: PathLike | Sequence[PathLike]) -> None:
        """Sync :meth:`delete_object_async`.

        Args:
            paths: One key or several.
        """
        self._loop_thread.run(self.delete_object_async(paths))

    def sign(
        self,
        paths: PathLike | Sequence[PathLike],
        *,
        expires_in: int | None = None,
        for_upload: bool = False,
    ) -> str | list[str]:
        """Sync :meth:`sign_async`.

        Args:
            paths: One key or several.
            expires_in: Validity in seconds.
            for_upload: A URL to upload to.

        Returns:
            The URL or URLs.
        """
        return self._loop_thread.run(self.sign_async(paths, expires_in=expires_in, for_upload=for_upload))

    def close_sync_loop(self) -> None:
        """Stop the event loop thread the sync methods started, if any (idempotent)."""
        self._loop_thread.stop()


class FilesInTransaction:
    """Files saved for one database transaction; see :func:`files_in_transaction`."""

    __slots__ = ("_saved",)

    def __init__(self) -> None:
        """Start with no file saved."""
        self._saved: list[FileObject] = []

    async def save(self, file_object: FileObject, data: PutData | Path | None = None) -> FileObject:
        """Save a file now (streaming) and remember it, to delete it if the transaction fails.

        Args:
            file_object: The file to save (assign it to the model's column).
            data: Its content: anything ``storage.put`` takes (an ``UploadFile`` too) or a
                ``Path``; the ``content``/``source_path`` it was created with when omitted.

        Returns:
            ``file_object``, with size, etag and modification time filled in.
        """
        # advanced-alchemy's annotation is narrower than what the adapter streams.
        saved = await file_object.save_async(cast("Any", data))
        self._saved.append(saved)
        return saved

    @property
    def saved(self) -> tuple[FileObject, ...]:
        """The files saved so far, in order."""
        return tuple(self._saved)

    async def discard(self) -> None:
        """Delete every file saved here (files already gone are skipped)."""
        saved, self._saved = self._saved, []
        await asyncio.gather(*(file_object.delete_async() for file_object in saved))


@contextlib.asynccontextmanager
async def files_in_transaction(session: AsyncSession) -> AsyncIterator[FilesInTransaction]:
    """Save files for a database transaction, deleting them if it fails.

    advanced-alchemy's own listener saves pending content after the commit (in a
    background task, with the whole content in memory). Saving first instead streams
    the upload and never leaves a row pointing at a file that failed to upload; this
    context manager removes the files again when the block raises, a flush or commit
    failing included, after rolling the session back::

        async with files_in_transaction(session) as files:
            document.file = await files.save(FileObject(backend="documents", filename=name), upload)
            session.add(document)
            await session.commit()

    Args:
        session: The session whose transaction the files belong to.

    Yields:
        Where to save the files.
    """
    files = FilesInTransaction()
    try:
        yield files
    except BaseException:
        # Shielded: a cancelled request must still not leave orphaned files behind.
        await asyncio.shield(_undo(session, files))
        raise


async def _undo(session: AsyncSession, files: FilesInTransaction) -> None:
    try:
        await session.rollback()
    finally:
        await files.discard()
