"""``MemoryDriver``: a ``dict`` of objects, as the engine's primitives.

There is no SDK: every change is a few ``dict`` operations with no ``await`` between
the check and the change (hashing is done before), so each is atomic like a
conditional write on a service. The
driver raises :mod:`litestar_storages.exceptions` itself (its error table owns only the
core's :class:`~litestar_storages.driver_errors.DriverError`, so anything else, a bug,
propagates as it is). Argument checks, ranges,
listing with ``limit``, URLs and the manual multipart API are the engine's
(:class:`~litestar_storages.engine.DriverStorage`); puts come here as they are
(:class:`~litestar_storages.engine.SupportsDirectWrite`), so a ``bytes`` object is kept
with no copy and a stream's chunks are kept as they arrive (:mod:`.pieces`).
"""

from __future__ import annotations

import bisect
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import quote

from litestar_storages.attributes import NO_ATTRIBUTES, ObjectAttributes, copied_tags
from litestar_storages.backends.memory.config import MemoryConfig
from litestar_storages.backends.memory.pieces import HASH_IN_THREAD, Receiver, md5_hex, md5_off_loop
from litestar_storages.engine import DirPage, ListPage, RangeBody
from litestar_storages.error_table import ErrorTable
from litestar_storages.exceptions import StorageError, StorageFileExistsError, StorageFileNotFoundError
from litestar_storages.types import StoredFile
from litestar_storages.upload_sessions import UploadSessions

__all__ = ("MEMORY_ATTRIBUTES", "MemoryDriver")

MEMORY_ATTRIBUTES = frozenset({"cache_control", "content_disposition", "content_encoding", "content_language", "tags"})
"""The attributes ``MemoryStorage`` stores and reports: all but ``acl``, ``encryption`` and ``storage_class``."""


def _past_folder(folder: str) -> str:
    # The least string above every name starting with ``folder`` ("a/" -> "a0": "0"
    # follows "/" in code point order, which is also sorted()'s and UTF-8's).
    return folder[:-1] + "0"


@dataclass
class _Entry:
    pieces: tuple[bytes, ...]
    size: int
    content_type: str
    metadata: dict[str, str]
    last_modified: datetime
    etag: str
    attributes: ObjectAttributes = NO_ATTRIBUTES
    # The metadata handed to the engine with each read (it looks at the etag and size
    # only), built once: a StoredFile costs about as much as the rest of a 1 KiB read.
    read_file: StoredFile | None = None

    def stored_file(self, name: str) -> StoredFile:
        # A fresh metadata dict each time: a caller changing it changes nothing stored.
        return StoredFile(
            key=name,
            size=self.size,
            content_type=self.content_type,
            etag=self.etag,
            last_modified=self.last_modified,
            metadata=dict(self.metadata),
            # Tags are a dict as well: a copy too, when there are any.
            attributes=self.attributes if not self.attributes.tags else copied_tags(self.attributes),
        )


@dataclass
class _PendingUpload:
    # What the object gets is fixed when the upload starts, as on S3.
    content_type: str
    metadata: dict[str, str]
    attributes: ObjectAttributes
    parts: dict[int, tuple[bytes, str]] = field(default_factory=dict)


class _Slices:
    """The bytes ``[start, stop)`` of an object's pieces, one piece at a time.

    An iterator class rather than an async generator: nothing to close when the reader
    stops early, and cheaper to create for the one-piece reads that are most of them.
    """

    __slots__ = ("_offset", "_pieces", "_start", "_stop")

    def __init__(self, pieces: tuple[bytes, ...], start: int, stop: int) -> None:
        self._pieces = iter(pieces)
        self._offset = 0
        self._start = start
        self._stop = stop if start < stop else 0  # an empty range yields nothing

    def __aiter__(self) -> _Slices:
        return self

    async def __anext__(self) -> bytes:
        start, stop = self._start, self._stop
        while self._offset < stop:
            piece = next(self._pieces)
            offset = self._offset
            self._offset = end = offset + len(piece)
            if end > max(start, offset):  # an empty piece (only in an empty object) yields nothing
                low, high = max(start - offset, 0), min(stop, end) - offset
                # Whole pieces are handed out without copying: bytes cannot be mutated.
                return piece if (low, high) == (0, len(piece)) else piece[low:high]
        raise StopAsyncIteration


class MemoryDriver:
    """The objects of one :class:`~litestar_storages.backends.memory.MemoryStorage`, in a ``dict``."""

    __slots__ = ("_entries", "_max_size", "_sorted", "_uploads", "_used")

    name = "MemoryStorage"
    # Attributes the process can keep and report; acl, encryption and storage_class
    # would mean nothing here and are refused, as on the filesystem.
    attribute_names = MEMORY_ATTRIBUTES
    errors = ErrorTable("MemoryStorage").mapper(())  # owns only DriverError (an upload id not in progress)
    retry = None  # nothing to retry: no request can fail on its way
    # The manual multipart API's bounds, S3's: code tested here must not fail there.
    part_size = 8 * 1024 * 1024
    max_concurrency = 4
    max_part_size = 5 * 1024**3
    max_parts = 10_000
    durable_parts = True  # the process is the service (SupportsDurableParts)

    def __init__(self, config: MemoryConfig) -> None:
        """Create an empty store.

        Args:
            config: The storage's configuration.
        """
        self._max_size = config.max_size
        self._entries: dict[str, _Entry] = {}
        self._uploads: UploadSessions[_PendingUpload] = UploadSessions()
        self._used = 0
        # Names in order, for listings; dropped when a name appears or goes.
        self._sorted: list[str] | None = None

    def _entry(self, name: str) -> _Entry:
        entry = self._entries.get(name)
        if entry is None:
            raise StorageFileNotFoundError(name)
        return entry

    def _refuse_existing(self, name: str, *, overwrite: bool) -> None:
        # Checked before an input is consumed, and again when storing.
        if not overwrite and name in self._entries:
            raise StorageFileExistsError(name)

    def _refuse_oversized(self, name: str, size: int) -> None:
        if self._max_size is not None and size > self._max_size:
            raise StorageError(f"Storing {name!r} would exceed max_size={self._max_size} bytes", key=name)

    def _store(
        self,
        name: str,
        pieces: tuple[bytes, ...],
        size: int,
        content_type: str,
        metadata: dict[str, str],
        *,
        overwrite: bool,
        etag: str,
        attributes: ObjectAttributes,
    ) -> StoredFile:
        # No await from the existence check to the assignment: concurrent puts with
        # overwrite=False cannot both succeed.
        previous = self._entries.get(name)
        if previous is not None and not overwrite:
            raise StorageFileExistsError(name)
        used = self._used - (previous.size if previous else 0)
        if self._max_size is not None and used + size > self._max_size:
            raise StorageError(
                f"Storing {name!r} ({size} bytes) would exceed max_size={self._max_size} bytes ({used} bytes in use)",
                key=name,
            )
        entry = _Entry(pieces, size, content_type, metadata, datetime.now(timezone.utc), etag, attributes)
        self._used = used + size
        self._entries[name] = entry
        if previous is None:
            self._sorted = None
        return entry.stored_file(name)

    # -- Driver -------------------------------------------------------------------------

    async def head(self, name: str) -> StoredFile | None:  # noqa: D102 - documented by the Driver protocol
        entry = self._entries.get(name)
        return None if entry is None else entry.stored_file(name)

    async def open_range(self, name: str, start: int, end: int | None) -> RangeBody:  # noqa: D102
        entry = self._entry(name)
        first = min(start, entry.size)
        stop = entry.size if end is None else max(first, min(end, entry.size))
        if entry.read_file is None:
            entry.read_file = entry.stored_file(name)
        pieces = entry.pieces
        # An object stored from bytes is one piece: get_bytes takes it (or its slice) as
        # it is, with no stream to build and drain (the engine's RangeBody.data).
        data = (pieces[0] if (first, stop) == (0, entry.size) else pieces[0][first:stop]) if len(pieces) == 1 else None
        return RangeBody(entry.read_file, first, stop, _Slices(pieces, first, stop), data)

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
        self._refuse_existing(name, overwrite=overwrite)
        # Immutable already: kept as it is, with no copy; anything else is copied once.
        data = body if type(body) is bytes else bytes(body)
        self._refuse_oversized(name, len(data))
        etag = md5_hex(data) if len(data) < HASH_IN_THREAD else await md5_off_loop(data)
        return self._store(
            name,
            (data,),
            len(data),
            content_type,
            dict(metadata),
            overwrite=overwrite,
            etag=etag,
            attributes=attributes,
        )

    async def write_chunks(  # noqa: D102 - documented by SupportsDirectWrite
        self,
        name: str,
        chunks: AsyncIterator[bytes],
        *,
        content_type: str,
        metadata: Mapping[str, str],
        overwrite: bool,
        attributes: ObjectAttributes = NO_ATTRIBUTES,
    ) -> StoredFile:
        self._refuse_existing(name, overwrite=overwrite)
        receiver = Receiver()
        async for chunk in chunks:
            await receiver.add(chunk)
            self._refuse_oversized(name, receiver.size)  # before the rest of the input is read
        etag = await receiver.finish()
        return self._store(
            name,
            tuple(receiver.pieces),
            receiver.size,
            content_type,
            dict(metadata),
            overwrite=overwrite,
            etag=etag,
            attributes=attributes,
        )

    async def delete(self, name: str, *, check: bool) -> bool:  # noqa: D102
        entry = self._entries.pop(name, None)
        if entry is None:
            return False
        self._used -= entry.size
        self._sorted = None
        return True

    async def list_page(self, prefix: str, token: str | None, page_size: int) -> ListPage:  # noqa: D102
        names = self._sorted
        if names is None:
            names = self._sorted = sorted(self._entries)
        index = bisect.bisect_right(names, token) if token is not None else bisect.bisect_left(names, prefix)
        files: list[StoredFile] = []
        for name in names[index : index + page_size]:
            if not name.startswith(prefix):
                break
            files.append(self._entries[name].stored_file(name))
        return ListPage(files, files[-1].key if len(files) == page_size else None)

    # -- SupportsListDir ----------------------------------------------------------------

    async def list_dir_page(self, prefix: str, token: str | None, page_size: int) -> DirPage:  # noqa: D102
        names = self._sorted
        if names is None:
            names = self._sorted = sorted(self._entries)
        if token is None:
            index = bisect.bisect_left(names, prefix)
        elif token.endswith("/"):  # after a folder: past every name below it
            index = bisect.bisect_left(names, _past_folder(token))
        else:
            index = bisect.bisect_right(names, token)
        files: list[StoredFile] = []
        folders: list[str] = []
        start = len(prefix)
        last = ""
        count = 0
        while count < page_size and index < len(names):
            name = names[index]
            if not name.startswith(prefix):
                break
            slash = name.find("/", start)
            if slash == -1:
                files.append(self._entries[name].stored_file(name))
                last = name
                index += 1
            else:
                last = name[: slash + 1]
                folders.append(last)
                # The names below a folder are one run of the sorted list: jump over it.
                index = bisect.bisect_left(names, _past_folder(last), index)
            count += 1
        return DirPage(files, folders, last if count == page_size else None)

    async def copy(self, source: str, destination: str) -> StoredFile:  # noqa: D102
        entry = self._entry(source)
        # Same bytes, same MD5: the source's pieces and etag are reused, nothing is hashed.
        return self._store(
            destination,
            entry.pieces,
            entry.size,
            entry.content_type,
            dict(entry.metadata),
            overwrite=True,
            etag=entry.etag,
            attributes=entry.attributes,
        )

    async def close(self) -> None:  # noqa: D102
        return

    # -- SupportsRename -----------------------------------------------------------------

    async def rename(self, source: str, destination: str) -> StoredFile:  # noqa: D102
        entry = self._entry(source)
        if source != destination:
            replaced = self._entries.pop(destination, None)
            if replaced is not None:
                self._used -= replaced.size
            self._entries[destination] = entry
            del self._entries[source]
            self._sorted = None
            entry.read_file = None  # it names the source
        return entry.stored_file(destination)

    # -- SupportsParts ------------------------------------------------------------------

    async def begin_parts(  # noqa: D102
        self, name: str, *, content_type: str, metadata: Mapping[str, str], attributes: ObjectAttributes = NO_ATTRIBUTES
    ) -> str:
        return self._uploads.add(uuid.uuid4().hex, _PendingUpload(content_type, dict(metadata), attributes))

    async def put_part(  # noqa: D102
        self, name: str, upload_id: str, number: int, body: bytes | bytearray | memoryview
    ) -> str:
        pending = self._uploads.get(upload_id)
        data = body if type(body) is bytes else bytes(body)
        tag = await md5_off_loop(data)
        pending.parts[number] = (data, tag)
        return tag

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
        pending = self._uploads.get(upload_id)
        pieces: list[bytes] = []
        for number, tag in parts:
            part = pending.parts.get(number)
            if part is None or part[1] != tag:
                raise StorageError(f"Part {number} of {name!r} was not uploaded", key=name)
            pieces.append(part[0])
        receiver = Receiver()  # hashes the whole, large parts in a worker thread
        for piece in pieces:
            await receiver.add(piece)
        etag = await receiver.finish()
        stored = self._store(
            name,
            tuple(receiver.pieces),
            receiver.size,
            pending.content_type,
            pending.metadata,
            overwrite=overwrite,
            etag=etag,
            attributes=pending.attributes,
        )
        self._uploads.pop(upload_id)
        return stored

    async def abort_parts(self, name: str, upload_id: str) -> None:  # noqa: D102
        self._uploads.pop(upload_id)

    # -- SupportsAddressUrls ------------------------------------------------------------

    def address(self, name: str) -> str:  # noqa: D102
        return f"memory://{quote(name, safe='/')}"
