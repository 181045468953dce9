"""Capability protocols: what a storage offers beyond the 0.2.x :class:`~litestar_storages.protocol.Storage`.

``Storage`` keeps the 0.2.x members, so a class written for 0.2.x still qualifies. Each
later addition is its own small runtime-checkable protocol; code that wants one checks
for it and falls back otherwise::

    if isinstance(storage, SupportsDeleteMany):
        await storage.delete_many(keys)
    else:
        for key in keys:
            await storage.delete(key)

Every backend of this project (anything deriving from
:class:`~litestar_storages.base.BaseStorage`) implements all of them. As with any
runtime-checkable protocol, ``isinstance`` checks that the methods exist, not their
signatures.
"""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator, Iterable, Mapping
from types import TracebackType
from typing import Protocol, TypeVar, runtime_checkable

from litestar_storages.opened import OpenedObject
from litestar_storages.streams import PutData
from litestar_storages.types import MultipartUpload, ObjectAttributes, ProgressCallback, StoredFile, StoredFolder

__all__ = (
    "SupportsAsyncContext",
    "SupportsDeleteMany",
    "SupportsFolderListing",
    "SupportsMultipartUpload",
    "SupportsOpenObject",
    "SupportsPartRules",
    "SupportsPutLarge",
)

SelfT = TypeVar("SelfT")


@runtime_checkable
class SupportsDeleteMany(Protocol):
    """A storage that deletes several keys in one call (a batch request where it can)."""

    async def delete_many(self, keys: Iterable[str]) -> None:
        """Delete several objects; see :meth:`BaseStorage.delete_many`."""
        ...


@runtime_checkable
class SupportsAsyncContext(Protocol):
    """A storage usable as ``async with storage:``, closed on exit."""

    async def __aenter__(self: SelfT) -> SelfT:
        """Enter ``async with``; returns the storage."""
        ...

    async def __aexit__(
        self,
        exc_type: builtins.type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Close the storage on leaving ``async with``."""
        ...


@runtime_checkable
class SupportsMultipartUpload(Protocol):
    """A storage whose uploads can be driven part by part: start, upload parts, complete or abort."""

    async def start_multipart_upload(
        self,
        key: str,
        *,
        content_type: str | None = None,
        metadata: Mapping[str, str] | None = None,
        part_size: int = 8 * 1024 * 1024,
        attributes: ObjectAttributes | None = None,
    ) -> MultipartUpload:
        """Begin an upload; see :meth:`BaseStorage.start_multipart_upload`."""
        ...

    async def upload_part(self, upload: MultipartUpload, part_number: int, data: bytes) -> str:
        """Upload one part; see :meth:`BaseStorage.upload_part`."""
        ...

    async def complete_multipart_upload(self, upload: MultipartUpload) -> StoredFile:
        """Assemble the parts; see :meth:`BaseStorage.complete_multipart_upload`."""
        ...

    async def abort_multipart_upload(self, upload: MultipartUpload) -> None:
        """Discard the parts; see :meth:`BaseStorage.abort_multipart_upload`."""
        ...


@runtime_checkable
class SupportsPartRules(Protocol):
    """A storage that says how its multipart uploads may be driven.

    Every :class:`~litestar_storages.engine.DriverStorage` does. Code driving parts
    itself (the tus endpoint) reads these instead of guessing from the class: without
    them, assume any part size goes and uploads do not outlive the process.
    """

    @property
    def min_part_size(self) -> int:
        """The smallest part (every part but the last) the service takes; 1 when any size goes."""
        ...

    @property
    def durable_multipart(self) -> bool:
        """Whether a multipart upload lives in the service, so another process (or a restart) can continue it."""
        ...


@runtime_checkable
class SupportsPutLarge(Protocol):
    """A storage with ``put_large``, the multipart-era spelling of a streamed ``put``."""

    async def put_large(
        self,
        key: str,
        data: PutData,
        *,
        content_type: str | None = None,
        metadata: Mapping[str, str] | None = None,
        part_size: int | None = None,
        progress_callback: ProgressCallback | None = None,
        attributes: ObjectAttributes | None = None,
    ) -> StoredFile:
        """Upload a large object; see :meth:`BaseStorage.put_large`."""
        ...


@runtime_checkable
class SupportsFolderListing(Protocol):
    """A storage that lists one folder: its objects and sub-folders (``list_dir``).

    Code that must work on any storage calls :func:`litestar_storages.calls.list_folder`,
    which groups ``list()`` for a storage without it.
    """

    def list_dir(self, prefix: str = "", *, limit: int | None = None) -> AsyncIterator[StoredFile | StoredFolder]:
        """List one folder; see :meth:`BaseStorage.list_dir`."""
        ...


@runtime_checkable
class SupportsOpenObject(Protocol):
    """A storage that opens one version of an object in one call: its metadata and its bytes.

    Code that needs both (the Litestar plugin's ``storage_response``) uses it where the
    storage offers it, else calls ``info`` then ``get``. Only
    :class:`~litestar_storages.backends.filesystem.FileSystemStorage` implements it in
    this release: one worker-thread hop opens the file, reads its metadata sidecar and,
    for a small file, its bytes.
    """

    async def open_object(self, key: str) -> OpenedObject:
        """Open the current version of ``key``; the caller closes it.

        Args:
            key: The object's key.

        Returns:
            The opened version (see :class:`~litestar_storages.opened.OpenedObject`).

        Raises:
            StorageFileNotFoundError: If the key does not exist.
        """
        ...
