"""In-memory storage for tests and development."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

from litestar_storages.base import BaseStorage
from litestar_storages.content import resolve_content_type, validate_metadata
from litestar_storages.exceptions import (
    ConfigurationError,
    StorageError,
    StorageFileExistsError,
    StorageFileNotFoundError,
    UnsupportedOperationError,
)
from litestar_storages.keys import validate_key, validate_prefix
from litestar_storages.listing import validate_limit
from litestar_storages.parts import validate_part
from litestar_storages.progress import ProgressReporter
from litestar_storages.protocol import HttpMethod
from litestar_storages.ranges import clip_range, validate_range
from litestar_storages.streams import ByteStream, PutData, byte_length
from litestar_storages.types import MultipartUpload, ProgressCallback, StoredFile
from litestar_storages.url_arguments import check_url_arguments

__all__ = ("MemoryConfig", "MemoryStorage")


@dataclass(frozen=True)
class MemoryConfig:
    """Configuration for in-memory storage.

    Attributes:
        max_size: Maximum total bytes to store (``None`` for unlimited).
    """

    max_size: int | None = None

    def __post_init__(self) -> None:
        if self.max_size is not None and (not isinstance(self.max_size, int) or self.max_size < 0):
            raise ConfigurationError(
                f"MemoryConfig.max_size must be None or an int >= 0, got {self.max_size!r}", field="max_size"
            )


# Streamed chunks smaller than this are gathered into pieces of at least this size, so a
# stream of tiny chunks is not stored as millions of tiny objects.
_MIN_PIECE = 64 * 1024
# MD5 runs at about 600 MB/s; from this size on it runs in a worker thread (hashlib
# releases the GIL), overlapping the receipt of the next chunk and keeping the loop free.
_HASH_IN_THREAD = 256 * 1024


@dataclass
class _Entry:
    # The content as the immutable bytes objects it arrived in: a streamed put stores its
    # chunks as they are instead of joining them (a copy, and twice the memory meanwhile).
    pieces: tuple[bytes, ...]
    size: int
    content_type: str
    metadata: dict[str, str]
    last_modified: datetime
    etag: str

    def stored_file(self, key: str) -> StoredFile:
        return StoredFile(
            key=key,
            size=self.size,
            content_type=self.content_type,
            etag=self.etag,
            last_modified=self.last_modified,
            metadata=dict(self.metadata),
        )


@dataclass
class _PendingUpload:
    content_type: str
    metadata: dict[str, str]
    parts: dict[int, bytes] = field(default_factory=dict)


def _etag(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


class _Receiver:
    """Gathers a put's chunks into immutable pieces and hashes them as they arrive."""

    __slots__ = ("_hasher", "_hashing", "_small", "pieces", "size")

    def __init__(self) -> None:
        self._hasher = hashlib.md5(usedforsecurity=False)
        self._hashing: asyncio.Future[None] | None = None
        self._small = bytearray()
        self.pieces: list[bytes] = []
        self.size = 0

    async def add(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if len(chunk) < _MIN_PIECE:
            self._small += chunk
            if len(self._small) < _MIN_PIECE:
                return
            chunk = bytes(self._small)
            self._small.clear()
        elif self._small:
            await self._keep(bytes(self._small))
            self._small.clear()
        await self._keep(chunk)

    async def _keep(self, piece: bytes) -> None:
        # One update in flight at a time keeps the pieces hashed in order.
        if self._hashing is not None:
            await self._hashing
            self._hashing = None
        self.pieces.append(piece)
        if len(piece) >= _HASH_IN_THREAD:
            self._hashing = asyncio.get_running_loop().run_in_executor(None, self._hasher.update, piece)
        else:
            self._hasher.update(piece)

    async def finish(self) -> str:
        if self._small:
            await self._keep(bytes(self._small))
            self._small.clear()
        if self._hashing is not None:
            await self._hashing
            self._hashing = None
        return self._hasher.hexdigest()


class MemoryStorage(BaseStorage):
    """In-memory storage backend for testing and development.

    Files live in a dictionary and are lost when the process exits; memory use grows
    with what is stored. Not for production.

    Example:
        >>> storage = MemoryStorage()
        >>> await storage.put("test.txt", b"hello world")  # doctest: +SKIP
        StoredFile(key='test.txt', size=11, ...)
    """

    __slots__ = ("_entries", "_uploads", "_used", "config")

    backend_name = "MemoryStorage"

    def __init__(self, config: MemoryConfig | None = None) -> None:
        """Initialize MemoryStorage.

        Args:
            config: Configuration for the storage backend (optional).
        """
        self.config = config or MemoryConfig()
        self._entries: dict[str, _Entry] = {}
        self._uploads: dict[str, _PendingUpload] = {}
        self._used = 0

    def _entry(self, key: str) -> _Entry:
        validate_key(key)
        entry = self._entries.get(key)
        if entry is None:
            raise StorageFileNotFoundError(key)
        return entry

    def _store(
        self,
        key: str,
        pieces: tuple[bytes, ...],
        size: int,
        content_type: str,
        metadata: dict[str, str],
        *,
        overwrite: bool,
        etag: str,
    ) -> StoredFile:
        # No await from the existence check to the assignment: concurrent puts with
        # overwrite=False cannot both succeed.
        previous = self._entries.get(key)
        if previous is not None and not overwrite:
            raise StorageFileExistsError(key)
        if self.config.max_size is not None:
            used = self._used - (previous.size if previous else 0)
            if used + size > self.config.max_size:
                raise StorageError(
                    f"Storing {key!r} ({size} bytes) would exceed max_size={self.config.max_size} bytes "
                    f"({used} bytes in use)",
                    key=key,
                )
        entry = _Entry(pieces, size, content_type, metadata, datetime.now(timezone.utc), etag)
        self._used += size - (previous.size if previous else 0)
        self._entries[key] = entry
        return entry.stored_file(key)

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
        """Store data at the given key.

        Args:
            key: Storage path/key for the file.
            data: File contents as bytes, an async or sync byte stream, or a file-like object.
            content_type: MIME type of the content.
            metadata: Additional metadata to store with the file.
            overwrite: When ``False``, raise instead of replacing an existing file.
            progress: Sync or async callback receiving upload progress.

        Returns:
            StoredFile with metadata about the stored file.

        Raises:
            StorageError: If max_size would be exceeded (nothing is stored).
            StorageFileExistsError: If ``overwrite`` is false and the key exists.
        """
        validate_key(key)
        resolved_type = resolve_content_type(key, content_type)
        checked_metadata = validate_metadata(metadata, key=key)
        if not overwrite and key in self._entries:
            raise StorageFileExistsError(key)
        limit = self.config.max_size
        if type(data) is bytes:
            # Immutable already: stored as it is, with no copy.
            if limit is not None and len(data) > limit:
                raise StorageError(f"Storing {key!r} would exceed max_size={limit} bytes", key=key)
            if len(data) >= _HASH_IN_THREAD:
                etag = await asyncio.to_thread(_etag, data)
            else:
                etag = _etag(data)
            if progress is not None:
                reporter = ProgressReporter(progress, operation="upload", key=key, total_bytes=len(data))
                await reporter.advance(len(data))
            return self._store(key, (data,), len(data), resolved_type, checked_metadata, overwrite=overwrite, etag=etag)
        stream = ByteStream(data, key=key)
        reporter = ProgressReporter(progress, operation="upload", key=key, total_bytes=byte_length(data))
        receiver = _Receiver()
        async for chunk in stream:
            await receiver.add(chunk)
            if limit is not None and receiver.size > limit:
                raise StorageError(f"Storing {key!r} would exceed max_size={limit} bytes", key=key)
            await reporter.advance(len(chunk))
        etag = await receiver.finish()
        return self._store(
            key, tuple(receiver.pieces), receiver.size, resolved_type, checked_metadata, overwrite=overwrite, etag=etag
        )

    async def get(
        self,
        key: str,
        *,
        start: int | None = None,
        end: int | None = None,
        progress: ProgressCallback | None = None,
    ) -> AsyncIterator[bytes]:
        """Retrieve file contents as an async byte stream.

        Args:
            key: Storage path/key for the file.
            start: First byte to read (default 0).
            end: Byte after the last to read (default: end of file).
            progress: Sync or async callback receiving download progress.

        Yields:
            The requested bytes, in the pieces they were stored in: one for data put as
            bytes, about one per chunk of a streamed put (none for an empty range).

        Raises:
            StorageFileNotFoundError: If the file does not exist.
        """
        first, last = validate_range(start, end, key=key)
        entry = self._entry(key)
        first, stop = clip_range(first, last, entry.size)
        reporter = ProgressReporter(progress, operation="download", key=key, total_bytes=stop - first)
        offset = 0
        for piece in entry.pieces:
            piece_end = offset + len(piece)
            if piece_end > first:
                low, high = max(first - offset, 0), min(stop, piece_end) - offset
                # Whole pieces are handed out without copying: bytes cannot be mutated.
                chunk = piece if (low, high) == (0, len(piece)) else piece[low:high]
                if chunk:
                    yield chunk
                    await reporter.advance(len(chunk))
            offset = piece_end
            if offset >= stop:
                return

    async def delete(self, key: str, *, missing_ok: bool = False) -> None:
        """Delete a file.

        Args:
            key: Storage path/key for the file.
            missing_ok: Succeed silently when the file does not exist.

        Raises:
            StorageFileNotFoundError: If the file does not exist and ``missing_ok`` is false.
        """
        validate_key(key)
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._used -= entry.size
        elif not missing_ok:
            raise StorageFileNotFoundError(key)

    async def exists(self, key: str) -> bool:
        """Check if a file exists.

        Args:
            key: Storage path/key for the file.

        Returns:
            True if the file exists, False otherwise.
        """
        validate_key(key)
        return key in self._entries

    async def list(self, prefix: str = "", *, limit: int | None = None) -> AsyncIterator[StoredFile]:
        """List files with optional prefix filter, sorted by key.

        Args:
            prefix: Filter results to keys starting with this prefix.
            limit: Maximum number of results to return.

        Yields:
            StoredFile metadata for each matching file.
        """
        validate_prefix(prefix)
        remaining = validate_limit(limit)
        for key in sorted(k for k in self._entries if k.startswith(prefix)):
            if remaining == 0:
                return
            entry = self._entries.get(key)
            if entry is None:  # deleted while the caller was consuming the listing
                continue
            yield entry.stored_file(key)
            if remaining is not None:
                remaining -= 1

    async def url(
        self,
        key: str,
        *,
        expires_in: timedelta | None = None,
        method: HttpMethod = "GET",
        filename: str | None = None,
        content_type: str | None = None,
    ) -> str:
        """Generate a URL for accessing the file.

        Memory storage URLs are not accessible externally; they keep the API the same
        in tests.

        Args:
            key: Storage path/key for the file.
            expires_in: Checked like on every backend (1 second to 7 days), then
                ignored: a ``memory://`` URL does not expire.
            method: Only ``"GET"`` is possible.
            filename: Checked like on every backend, then ignored.
            content_type: Checked like every content type, then ignored.

        Returns:
            ``memory://{key}``.

        Raises:
            StorageValidationError: If ``expires_in`` or ``method`` is invalid
                (:func:`~litestar_storages.url_arguments.check_url_arguments`).
            InvalidMetadataError: If ``filename`` or ``content_type`` is invalid.
            UnsupportedOperationError: For ``method="PUT"``: nothing can upload to memory by URL.
        """
        check_url_arguments(key, expires_in=expires_in, method=method, filename=filename, content_type=content_type)
        if method != "GET":
            raise UnsupportedOperationError(
                f"MemoryStorage cannot make {method} URLs: nothing outside the process can reach it", key=key
            )
        return f"memory://{quote(key, safe='/')}"

    async def info(self, key: str) -> StoredFile:
        """Get metadata about a file without downloading it.

        Args:
            key: Storage path/key for the file.

        Returns:
            StoredFile with metadata.

        Raises:
            StorageFileNotFoundError: If the file does not exist.
        """
        return self._entry(key).stored_file(key)

    async def copy(self, source: str, destination: str) -> StoredFile:
        """Copy a file within the storage backend.

        Args:
            source: Source key to copy from.
            destination: Destination key to copy to.

        Returns:
            StoredFile metadata for the new copy.

        Raises:
            StorageFileNotFoundError: If the source file does not exist.
        """
        validate_key(destination)
        entry = self._entry(source)
        # Same bytes, same MD5: reuse the source's etag instead of hashing the data again.
        return self._store(
            destination,
            entry.pieces,
            entry.size,
            entry.content_type,
            dict(entry.metadata),
            overwrite=True,
            etag=entry.etag,
        )

    async def move(self, source: str, destination: str) -> StoredFile:
        """Move/rename a file within the storage backend.

        Args:
            source: Source key to move from.
            destination: Destination key to move to.

        Returns:
            StoredFile metadata for the moved file.

        Raises:
            StorageFileNotFoundError: If the source file does not exist.
        """
        validate_key(destination)
        entry = self._entry(source)
        if source != destination:
            replaced = self._entries.get(destination)
            if replaced is not None:
                self._used -= replaced.size
            self._entries[destination] = entry
            del self._entries[source]
        return entry.stored_file(destination)

    async def start_multipart_upload(
        self,
        key: str,
        *,
        content_type: str | None = None,
        metadata: Mapping[str, str] | None = None,
        part_size: int = 8 * 1024 * 1024,
    ) -> MultipartUpload:
        """Begin a multipart upload; parts are held in memory until completed.

        Args:
            key: The key the object will have.
            content_type: MIME type; guessed from the key when omitted.
            metadata: Custom metadata.
            part_size: Nominal part size (not enforced in memory).

        Returns:
            The upload's state.
        """
        validate_key(key)
        upload = MultipartUpload(
            upload_id=uuid.uuid4().hex,
            key=key,
            part_size=part_size,
            content_type=resolve_content_type(key, content_type),
            metadata=validate_metadata(metadata, key=key),
        )
        self._uploads[upload.upload_id] = _PendingUpload(upload.content_type or "", dict(upload.metadata))
        return upload

    def _pending(self, upload: MultipartUpload) -> _PendingUpload:
        pending = self._uploads.get(upload.upload_id)
        if pending is None:
            raise StorageError(f"No multipart upload {upload.upload_id!r} in progress", key=upload.key)
        return pending

    async def upload_part(self, upload: MultipartUpload, part_number: int, data: bytes) -> str:
        """Store one part of a multipart upload.

        Args:
            upload: The state returned by :meth:`start_multipart_upload`.
            part_number: The part's 1-based position (1 to 10,000).
            data: The part's bytes.

        Returns:
            The part's tag.
        """
        pending = self._pending(upload)
        validate_part(upload, part_number, data)
        pending.parts[part_number] = bytes(data)
        etag = _etag(pending.parts[part_number])
        upload.add_part(part_number, etag)
        return etag

    async def complete_multipart_upload(self, upload: MultipartUpload) -> StoredFile:
        """Join the parts listed in ``upload.parts`` into the object.

        Args:
            upload: The state returned by :meth:`start_multipart_upload`.

        Returns:
            Metadata of the stored object.
        """
        pending = self._pending(upload)
        pieces = []
        whole = hashlib.md5(usedforsecurity=False)
        for part_number, etag in sorted(upload.parts):
            part = pending.parts.get(part_number)
            if part is None or _etag(part) != etag:
                raise StorageError(f"Part {part_number} of {upload.key!r} was not uploaded", key=upload.key)
            pieces.append(part)
            whole.update(part)
        stored = self._store(
            upload.key,
            tuple(pieces),
            sum(len(part) for part in pieces),
            pending.content_type,
            pending.metadata,
            overwrite=True,
            etag=whole.hexdigest(),
        )
        del self._uploads[upload.upload_id]
        return stored

    async def abort_multipart_upload(self, upload: MultipartUpload) -> None:
        """Discard a multipart upload's parts.

        Args:
            upload: The state returned by :meth:`start_multipart_upload`.
        """
        self._uploads.pop(upload.upload_id, None)
