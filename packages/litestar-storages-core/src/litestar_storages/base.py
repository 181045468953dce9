"""``BaseStorage``: the abstract base class every backend derives from.

A backend implements seven operations (``put``, ``get``, ``delete``, ``exists``,
``list``, ``url``, ``info``); everything else has a working default here, written in
terms of those seven, which backends override with server-side operations.

The defaults call the seven through :mod:`litestar_storages.calls`, so they work both
for a subclass written for 0.2.x (``get(self, key)``, ``delete(self, key)``,
``put(self, key, data, *, content_type=None, metadata=None)``) and for one with this
release's extended signatures (``get(key, start=..., end=...)``, ``delete(key,
missing_ok=...)``).
"""

from __future__ import annotations

import builtins
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Iterable, Mapping
from datetime import timedelta
from types import TracebackType
from typing import TypeVar

from litestar_storages.calls import delete_object, open_read, write
from litestar_storages.capabilities import (
    SupportsAsyncContext,
    SupportsDeleteMany,
    SupportsFolderListing,
    SupportsMultipartUpload,
    SupportsPutLarge,
)
from litestar_storages.exceptions import UnsupportedOperationError
from litestar_storages.folders import group_listing
from litestar_storages.keys import validate_folder, validate_key
from litestar_storages.listing import validate_limit
from litestar_storages.protocol import HttpMethod, Storage
from litestar_storages.streams import PutData
from litestar_storages.types import MultipartUpload, ProgressCallback, StoredFile, StoredFolder

__all__ = ("BaseStorage", "Storage")

SelfT = TypeVar("SelfT", bound="BaseStorage")


class BaseStorage(ABC):
    """Abstract base of every storage backend.

    Subclasses implement :meth:`put`, :meth:`get`, :meth:`delete`, :meth:`exists`,
    :meth:`list`, :meth:`url` and :meth:`info`. A storage is an async context manager
    that closes itself on exit.
    """

    __slots__ = ()

    backend_name: str = "storage"
    """Short name of the backend, used in error messages."""

    # -- the seven operations a backend must provide -------------------------------

    @abstractmethod
    async def put(
        self,
        key: str,
        data: PutData,
        *,
        content_type: str | None = None,
        metadata: Mapping[str, str] | None = None,
        overwrite: bool = True,
        progress: ProgressCallback | None = None,
    ) -> StoredFile:
        """Store data at ``key``, streaming it chunk by chunk.

        Args:
            key: The object's key (see :func:`~litestar_storages.keys.validate_key`).
            data: Bytes, a sync or async iterable of bytes, or a file-like object with
                a sync or async ``read()``.
            content_type: MIME type; guessed from the key's extension when omitted.
            metadata: Custom metadata (see
                :func:`~litestar_storages.content.validate_metadata`).
            overwrite: When ``False``, fail instead of replacing an existing object,
                atomically where the service supports conditional writes.
            progress: Sync or async callback receiving upload progress.

        Returns:
            Metadata of the stored object.

        Raises:
            StorageFileExistsError: If ``overwrite`` is ``False`` and the key exists.
            StorageValidationError: If the key, metadata or data is invalid.
            StorageError: If the stream raised or the service failed; nothing is stored.
        """

    @abstractmethod
    def get(
        self,
        key: str,
        *,
        start: int | None = None,
        end: int | None = None,
        progress: ProgressCallback | None = None,
    ) -> AsyncIterator[bytes]:
        """Stream the object's bytes, optionally a byte range of them.

        Ranges follow slicing: ``start`` inclusive, ``end`` exclusive; a range past
        the end of the object is clipped. Errors are raised when iteration starts.

        Args:
            key: The object's key.
            start: First byte to read (default 0).
            end: Byte after the last to read (default: end of object).
            progress: Sync or async callback receiving download progress.

        Yields:
            Chunks of the object's content.

        Raises:
            StorageFileNotFoundError: If the key does not exist.
            InvalidRangeError: If the range is negative or inverted.
            StorageConnectionError: If the transfer is cut short.
        """

    @abstractmethod
    async def delete(self, key: str, *, missing_ok: bool = False) -> None:
        """Delete an object.

        Args:
            key: The object's key.
            missing_ok: Succeed silently when the key does not exist.

        Raises:
            StorageFileNotFoundError: If the key does not exist and ``missing_ok`` is false.
        """

    @abstractmethod
    async def exists(self, key: str) -> bool:
        """Tell whether an object exists.

        Args:
            key: The object's key.

        Returns:
            ``True`` if the key exists.
        """

    @abstractmethod
    def list(self, prefix: str = "", *, limit: int | None = None) -> AsyncIterator[StoredFile]:
        """List objects whose keys start with ``prefix``, in key order.

        ``prefix`` is a plain string prefix (``"photos/ca"`` matches
        ``"photos/cat.jpg"``); listing is recursive.

        Args:
            prefix: Only keys starting with this string.
            limit: Stop after this many results.

        Yields:
            Metadata of each matching object, sorted by key.

        Raises:
            InvalidKeyError: If the prefix could never match a valid key.
            StorageValidationError: If ``limit`` is not ``None`` or an ``int`` >= 0 (``bool`` included).
        """

    @abstractmethod
    async def url(
        self,
        key: str,
        *,
        expires_in: timedelta | None = None,
        method: HttpMethod = "GET",
        filename: str | None = None,
        content_type: str | None = None,
    ) -> str:
        """Return a URL to download the object, or to upload it with ``method="PUT"``.

        Signing happens locally: the key's existence is not checked.

        Args:
            key: The object's key.
            expires_in: Validity of a signed URL; the backend's default when omitted.
            method: ``"GET"`` to download, ``"PUT"`` for a direct browser upload.
            filename: For GET: the download name a browser should save as, where the
                service can sign a response Content-Disposition.
            content_type: For PUT: the Content-Type the uploader must send, bound into
                the signature where the service supports it.

        Returns:
            The URL.

        Raises:
            UnsupportedOperationError: If the backend cannot make such a URL.
        """

    @abstractmethod
    async def info(self, key: str) -> StoredFile:
        """Return an object's metadata without downloading it.

        Args:
            key: The object's key.

        Returns:
            The object's metadata.

        Raises:
            StorageFileNotFoundError: If the key does not exist.
        """

    # -- defaults built on the seven --------------------------------------------------

    async def get_bytes(self, key: str, *, start: int | None = None, end: int | None = None) -> bytes:
        """Return the whole object (or a byte range of it) as bytes.

        Args:
            key: The object's key.
            start: First byte to read (default 0).
            end: Byte after the last to read (default: end of object).

        Returns:
            The content.

        Raises:
            StorageFileNotFoundError: If the key does not exist.
        """
        return b"".join([chunk async for chunk in open_read(self, key, start=start, end=end)])

    def list_dir(self, prefix: str = "", *, limit: int | None = None) -> AsyncIterator[StoredFile | StoredFolder]:
        """List one folder: the objects directly in it and its sub-folders, in key order.

        ``prefix`` names a folder: ``""`` is the root, and ``"a/b"`` and ``"a/b/"`` are
        the same folder (never ``"a/bc/"``). A sub-folder is a :class:`StoredFolder`
        whose key ends with ``/``, yielded once however many objects it holds; it sorts
        as its key (``"a/b-c"`` before ``"a/b/"``). A folder exists while an object
        below it exists; a missing folder lists nothing. Errors are raised when
        iteration starts.

        This default groups :meth:`list` of the whole subtree (correct, not fast);
        backends with a delimiter listing override it.

        Args:
            prefix: The folder to list.
            limit: Stop after this many entries (files and folders together).

        Yields:
            The folder's objects (:class:`StoredFile`) and sub-folders (:class:`StoredFolder`).

        Raises:
            InvalidKeyError: If ``prefix`` is not a valid folder (a ``..`` or empty
                segment, a leading ``/``, a control character).
            StorageValidationError: If ``limit`` is not ``None`` or an ``int`` >= 0 (``bool`` included).
        """
        return self._grouped_list_dir(prefix, limit)

    async def _grouped_list_dir(self, prefix: str, limit: int | None) -> AsyncIterator[StoredFile | StoredFolder]:
        folder = validate_folder(prefix)
        remaining = validate_limit(limit)
        async for entry in group_listing(self.list(folder), folder, remaining):
            yield entry

    async def copy(self, source: str, destination: str) -> StoredFile:
        """Copy an object, keeping its content type and metadata.

        This default streams the content through the client chunk by chunk; backends
        override it with a server-side copy.

        Args:
            source: Key to copy from.
            destination: Key to copy to (replaced if it exists).

        Returns:
            Metadata of the copy.

        Raises:
            StorageFileNotFoundError: If ``source`` does not exist.
        """
        validate_key(destination)
        original = await self.info(source)
        return await self.put(
            destination,
            open_read(self, source),
            content_type=original.content_type,
            metadata=original.metadata,
        )

    async def move(self, source: str, destination: str) -> StoredFile:
        """Move (rename) an object, keeping its content type and metadata.

        This default copies, then deletes the source; backends override it with a
        rename where the service has one.

        Args:
            source: Key to move from.
            destination: Key to move to (replaced if it exists).

        Returns:
            Metadata of the object at its new key.

        Raises:
            StorageFileNotFoundError: If ``source`` does not exist.
        """
        if source == destination:
            validate_key(source)
            return await self.info(source)
        copied = await self.copy(source, destination)
        await delete_object(self, source, missing_ok=True)
        return copied

    async def delete_many(self, keys: Iterable[str]) -> None:
        """Delete several objects; keys that do not exist are skipped.

        Every key is validated before anything is deleted. This default deletes one
        by one; backends with a batch delete override it.

        Args:
            keys: The keys to delete.

        Raises:
            InvalidKeyError: If any key is invalid (nothing is deleted then).
        """
        checked = [validate_key(key) for key in keys]
        for key in checked:
            await delete_object(self, key, missing_ok=True)

    async def close(self) -> None:
        """Release connections and other resources. Safe to call more than once."""
        return

    async def __aenter__(self: SelfT) -> SelfT:
        """Enter ``async with``; returns the storage itself."""
        return self

    async def __aexit__(
        self,
        exc_type: builtins.type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Close the storage on leaving ``async with``."""
        await self.close()

    # -- manual multipart uploads -------------------------------------------------------

    async def start_multipart_upload(
        self,
        key: str,
        *,
        content_type: str | None = None,
        metadata: Mapping[str, str] | None = None,
        part_size: int = 8 * 1024 * 1024,
    ) -> MultipartUpload:
        """Begin an upload sent in separately uploaded parts.

        Args:
            key: The key the object will have.
            content_type: MIME type; guessed from the key when omitted.
            metadata: Custom metadata.
            part_size: Size of each part but the last, in bytes.

        Returns:
            The upload's state; pass it to the other multipart methods.

        Raises:
            UnsupportedOperationError: If the backend has no multipart uploads.
        """
        raise UnsupportedOperationError(f"{self.backend_name} does not support multipart uploads", key=key)

    async def upload_part(self, upload: MultipartUpload, part_number: int, data: bytes) -> str:
        """Upload one part and record it in ``upload.parts``.

        Args:
            upload: The state returned by :meth:`start_multipart_upload`.
            part_number: The part's 1-based position (1 to 10,000).
            data: The part's bytes.

        Returns:
            The part's tag.

        Raises:
            UnsupportedOperationError: If the backend has no multipart uploads.
        """
        raise UnsupportedOperationError(f"{self.backend_name} does not support multipart uploads", key=upload.key)

    async def complete_multipart_upload(self, upload: MultipartUpload) -> StoredFile:
        """Assemble the uploaded parts, in part-number order, into the object.

        Args:
            upload: The state returned by :meth:`start_multipart_upload`.

        Returns:
            Metadata of the stored object.

        Raises:
            UnsupportedOperationError: If the backend has no multipart uploads.
        """
        raise UnsupportedOperationError(f"{self.backend_name} does not support multipart uploads", key=upload.key)

    async def abort_multipart_upload(self, upload: MultipartUpload) -> None:
        """Abandon an upload and discard its parts.

        Args:
            upload: The state returned by :meth:`start_multipart_upload`.

        Raises:
            UnsupportedOperationError: If the backend has no multipart uploads.
        """
        raise UnsupportedOperationError(f"{self.backend_name} does not support multipart uploads", key=upload.key)

    async def put_large(
        self,
        key: str,
        data: PutData,
        *,
        content_type: str | None = None,
        metadata: Mapping[str, str] | None = None,
        part_size: int | None = None,
        progress_callback: ProgressCallback | None = None,
    ) -> StoredFile:
        """Upload a large object in parts, streaming ``data``.

        Kept for code written against the multipart API; :meth:`put` already streams
        and switches to multipart by itself. This default calls :meth:`put`.

        Args:
            key: The object's key.
            data: Anything :meth:`put` accepts.
            content_type: MIME type; guessed from the key when omitted.
            metadata: Custom metadata.
            part_size: Size of each part, where the backend uses parts.
            progress_callback: Sync or async callback receiving upload progress.

        Returns:
            Metadata of the stored object.
        """
        return await write(self, key, data, content_type=content_type, metadata=metadata, progress=progress_callback)


def _check_protocols(
    storage: BaseStorage,
) -> tuple[Storage, SupportsDeleteMany, SupportsAsyncContext, SupportsMultipartUpload, SupportsPutLarge]:
    # Type-level check that BaseStorage satisfies the Storage and capability protocols.
    return storage, storage, storage, storage, storage


def _check_folder_listing(storage: BaseStorage) -> SupportsFolderListing:
    # Type-level check, kept apart from the one above so additions merge without conflict.
    return storage
