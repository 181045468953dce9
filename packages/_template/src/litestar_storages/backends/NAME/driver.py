"""``NameDriver``: the service's primitives, one request each (here: ``dict`` operations).

Everything else (argument checks, the multipart decision and pipeline, ranges, listing
with ``limit``, URLs, retries, the error boundary) is the engine's
(:class:`~litestar_storages.engine.DriverStorage`). A real backend keeps this shape and
swaps each ``dict`` operation for one SDK call, raising the SDK's own errors: the engine
translates them through :func:`.errors.error_table`.
"""

from __future__ import annotations

import asyncio
import bisect
import hashlib
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import quote

from litestar_storages.attributes import NO_ATTRIBUTES, ObjectAttributes
from litestar_storages.backends.NAME.config import NameConfig
from litestar_storages.backends.NAME.errors import ObjectExistsError, ObjectNotFoundError, error_table
from litestar_storages.driver_errors import RefusedArgument
from litestar_storages.engine import DirPage, ListPage, RangeBody
from litestar_storages.retry import request_retry
from litestar_storages.types import StoredFile
from litestar_storages.upload_sessions import UploadSessions

__all__ = ("NameDriver",)


@dataclass(frozen=True)
class _Record:
    """What the service keeps per object (a real SDK returns its own type)."""

    data: bytes
    content_type: str
    metadata: dict[str, str]
    modified: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    # A new tag per write, so rewriting equal bytes still tells "changed" apart.
    etag: str = field(default_factory=lambda: uuid.uuid4().hex)


class NameDriver:
    """The NAME service's primitives: a driver with parts and plain addresses."""

    __slots__ = ("_chunk_size", "_objects", "_uploads", "errors", "max_concurrency", "part_size", "retry")

    name = "NameStorage"
    max_part_size = 5 * 1024**3
    max_parts = 10_000

    def __init__(self, config: NameConfig) -> None:
        """Create the driver (a real one builds or takes its SDK client here).

        Args:
            config: The storage's configuration.
        """
        self.errors = error_table(self.name)
        self.retry = request_retry()
        self.part_size = config.part_size
        self.max_concurrency = config.max_concurrency
        self._chunk_size = config.chunk_size
        self._objects: dict[str, _Record] = {}
        # Uploads by id: a real service keeps its parts itself; one that needs state in
        # the client between part requests (a session URL, bytes not sent yet) keeps it here.
        self._uploads: UploadSessions[dict[int, bytes]] = UploadSessions()

    def _record(self, name: str) -> _Record:
        record = self._objects.get(name)
        if record is None:
            raise ObjectNotFoundError(name)
        return record

    @staticmethod
    def _file(name: str, record: _Record) -> StoredFile:
        return StoredFile(
            key=name,
            size=len(record.data),
            content_type=record.content_type,
            etag=record.etag,
            last_modified=record.modified,
            metadata=dict(record.metadata),
        )

    def _store(self, name: str, record: _Record, *, overwrite: bool) -> StoredFile:
        # Check and write with no await between them: atomic, like a conditional write.
        if not overwrite and name in self._objects:
            raise ObjectExistsError(name)
        self._objects[name] = record
        return self._file(name, record)

    async def head(self, name: str) -> StoredFile | None:  # noqa: D102 - documented by the Driver protocol
        record = self._objects.get(name)
        return None if record is None else self._file(name, record)

    async def open_range(self, name: str, start: int, end: int | None) -> RangeBody:  # noqa: D102
        record = self._record(name)
        size = len(record.data)
        first = min(start, size)
        stop = size if end is None else max(first, min(end, size))
        return RangeBody(self._file(name, record), first, stop, self._chunks(record.data, first, stop))

    async def _chunks(self, data: bytes, start: int, stop: int) -> AsyncIterator[bytes]:
        for offset in range(start, stop, self._chunk_size):
            yield data[offset : min(stop, offset + self._chunk_size)]
            await asyncio.sleep(0)  # a network read would yield to the loop between chunks

    async def write(  # noqa: D102
        self,
        name: str,
        body: bytes | bytearray | memoryview,
        *,
        content_type: str,
        metadata: Mapping[str, str],
        overwrite: bool,
        attributes: ObjectAttributes = NO_ATTRIBUTES,
    ) -> StoredFile:
        return self._store(name, _Record(bytes(body), content_type, dict(metadata)), overwrite=overwrite)

    async def delete(self, name: str, *, check: bool) -> bool:  # noqa: D102
        return self._objects.pop(name, None) is not None

    async def list_page(self, prefix: str, token: str | None, page_size: int) -> ListPage:  # noqa: D102
        names = sorted(self._objects)  # a real service keeps its index sorted
        index = bisect.bisect_right(names, token) if token is not None else bisect.bisect_left(names, prefix)
        files: list[StoredFile] = []
        for name in names[index:]:
            if not name.startswith(prefix) or len(files) == page_size:
                break
            files.append(self._file(name, self._objects[name]))
        more = len(files) == page_size
        return ListPage(files, files[-1].key if more and files else None)

    async def list_dir_page(self, prefix: str, token: str | None, page_size: int) -> DirPage:
        """One page of one folder: what a service answers to a listing with delimiter ``"/"``.

        Objects directly under ``prefix`` are files; the others are rolled up into their
        folder (``prefix`` plus the next segment and ``"/"``), reported once. Entries
        come in name order, a folder sorting as its name with the ``"/"``; the token is
        the page's last entry. Without this method (``SupportsListDir``) the engine
        groups :meth:`list_page` instead: correct, but it reads the whole subtree.

        Args:
            prefix: The folder (``""`` or ending with ``/``).
            token: The previous page's last entry, or ``None``.
            page_size: Most entries in the page.

        Returns:
            The page.
        """
        names = sorted(self._objects)  # a real service keeps its index sorted
        index = bisect.bisect_left(names, prefix)
        files: list[StoredFile] = []
        folders: list[str] = []
        last: str | None = None
        for name in names[index:]:
            if not name.startswith(prefix):
                break
            slash = name.find("/", len(prefix))
            entry = name if slash == -1 else name[: slash + 1]
            if entry == last or (token is not None and entry <= token):
                continue  # another object in the folder just reported, or before the resume point
            if len(files) + len(folders) == page_size:
                return DirPage(files, folders, last)
            if slash == -1:
                files.append(self._file(name, self._objects[name]))
            else:
                folders.append(entry)
            last = entry
        return DirPage(files, folders, None)

    async def copy(self, source: str, destination: str) -> StoredFile:  # noqa: D102
        record = self._record(source)
        return self._store(destination, _Record(record.data, record.content_type, record.metadata), overwrite=True)

    async def close(self) -> None:  # noqa: D102
        return

    # -- SupportsParts ------------------------------------------------------------------

    async def begin_parts(  # noqa: D102
        self, name: str, *, content_type: str, metadata: Mapping[str, str], attributes: ObjectAttributes = NO_ATTRIBUTES
    ) -> str:
        return self._uploads.add(uuid.uuid4().hex, {})

    async def put_part(  # noqa: D102
        self, name: str, upload_id: str, number: int, body: bytes | bytearray | memoryview
    ) -> str:
        self._uploads.get(upload_id)[number] = bytes(body)  # an unknown id: a DriverError
        return hashlib.sha256(body).hexdigest()[:32]

    async def commit_parts(  # noqa: D102
        self,
        name: str,
        upload_id: str,
        parts: Sequence[tuple[int, str]],
        *,
        content_type: str,
        metadata: Mapping[str, str],
        overwrite: bool,
        attributes: ObjectAttributes = NO_ATTRIBUTES,
    ) -> StoredFile:
        staged = self._uploads.get(upload_id)
        missing = [number for number, _ in parts if number not in staged]
        if missing:  # a forged or edited upload: the upload stays, for abort or a retry
            raise RefusedArgument(f"part {missing[0]} of {name!r} was never uploaded")
        self._uploads.pop(upload_id)
        data = b"".join(staged[number] for number, _ in parts)
        return self._store(name, _Record(data, content_type, dict(metadata)), overwrite=overwrite)

    async def abort_parts(self, name: str, upload_id: str) -> None:  # noqa: D102
        self._uploads.pop(upload_id)

    # -- SupportsAddressUrls ----------------------------------------------------------

    def address(self, name: str) -> str:  # noqa: D102
        return "NAME://" + quote(name)
