"""The ``Storage`` protocol: the API every backend offers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from datetime import timedelta
from typing import Literal, Protocol, runtime_checkable

from litestar_storages.attributes import ObjectAttributes
from litestar_storages.streams import PutData
from litestar_storages.types import ProgressCallback, StoredFile

__all__ = ("HttpMethod", "Storage")

HttpMethod = Literal["GET", "PUT"]
"""What a URL from :meth:`Storage.url` lets its holder do: download or upload."""


@runtime_checkable
class Storage(Protocol):
    """The async file storage API shared by every backend: the members of 0.2.x.

    ``put``, ``get``, ``get_bytes``, ``delete``, ``exists``, ``list``, ``url``,
    ``copy``, ``move``, ``info`` and ``close``: any object with these passes
    ``isinstance(obj, Storage)``, including a class written for 0.2.x. Later additions
    (``delete_many``, ``async with``, multipart uploads) are separate capability
    protocols in :mod:`litestar_storages.capabilities`, so such a class still qualifies.

    The signatures below are the extended ones this release's backends implement. A
    class with the 0.2.x signatures (``get(key)``, ``delete(key)``) passes the runtime
    check, and code that must work on any storage calls it through
    :mod:`litestar_storages.calls`; a static type checker, though, wants the extended
    signatures (subclass :class:`~litestar_storages.base.BaseStorage` to get them).
    :class:`~litestar_storages.base.BaseStorage` implements everything here but the
    seven core operations.
    """

    async def put(
        self,
        key: str,
        data: PutData,
        *,
        content_type: str | None = None,
        metadata: Mapping[str, str] | None = None,
        overwrite: bool = True,
        progress: ProgressCallback | None = None,
        attributes: ObjectAttributes | None = None,
    ) -> StoredFile:
        """Store ``data`` at ``key``; see :meth:`BaseStorage.put`."""
        ...

    def get(
        self,
        key: str,
        *,
        start: int | None = None,
        end: int | None = None,
        progress: ProgressCallback | None = None,
    ) -> AsyncIterator[bytes]:
        """Stream the object's bytes; see :meth:`BaseStorage.get`."""
        ...

    async def get_bytes(self, key: str, *, start: int | None = None, end: int | None = None) -> bytes:
        """Return the object's bytes; see :meth:`BaseStorage.get_bytes`."""
        ...

    async def delete(self, key: str, *, missing_ok: bool = False) -> None:
        """Delete the object; see :meth:`BaseStorage.delete`."""
        ...

    async def exists(self, key: str) -> bool:
        """Tell whether the object exists; see :meth:`BaseStorage.exists`."""
        ...

    def list(self, prefix: str = "", *, limit: int | None = None) -> AsyncIterator[StoredFile]:
        """List objects in key order; see :meth:`BaseStorage.list`."""
        ...

    async def url(
        self,
        key: str,
        *,
        expires_in: timedelta | None = None,
        method: HttpMethod = "GET",
        filename: str | None = None,
        content_type: str | None = None,
    ) -> str:
        """Return a URL for the object; see :meth:`BaseStorage.url`."""
        ...

    async def info(self, key: str) -> StoredFile:
        """Return the object's metadata; see :meth:`BaseStorage.info`."""
        ...

    async def copy(self, source: str, destination: str) -> StoredFile:
        """Copy an object; see :meth:`BaseStorage.copy`."""
        ...

    async def move(self, source: str, destination: str) -> StoredFile:
        """Move an object; see :meth:`BaseStorage.move`."""
        ...

    async def close(self) -> None:
        """Release connections; see :meth:`BaseStorage.close`."""
        ...
