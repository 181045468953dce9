"""``NameStorage``: the Storage API translated to the service's calls.

The template's service is a ``dict`` of immutable records, so the file runs as it is and
passes the conformance kit. A real backend keeps this shape and swaps the ``dict`` calls
for SDK calls: validate with the core's helpers first, call the service inside
``self._errors.guard(key)``, and turn what the service returns into ``StoredFile``.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

from litestar_storages.backends.NAME.config import NameConfig
from litestar_storages.backends.NAME.errors import ObjectExistsError, translate_error
from litestar_storages.base import BaseStorage
from litestar_storages.content import resolve_content_type, validate_metadata
from litestar_storages.error_mapping import ErrorMapper
from litestar_storages.exceptions import StorageFileNotFoundError, UnsupportedOperationError
from litestar_storages.keys import join_key, normalize_prefix, strip_prefix, validate_key, validate_prefix
from litestar_storages.listing import validate_limit
from litestar_storages.parts import validate_part
from litestar_storages.progress import ProgressReporter
from litestar_storages.protocol import HttpMethod
from litestar_storages.ranges import clip_range, validate_range
from litestar_storages.streams import ByteStream, PutData
from litestar_storages.types import MultipartUpload, ProgressCallback, StoredFile
from litestar_storages.url_arguments import check_url_arguments

__all__ = ("NameStorage",)


@dataclass(frozen=True)
class _Record:
    """What the service keeps per object (a real SDK returns its own type)."""

    data: bytes
    content_type: str
    metadata: dict[str, str]
    modified: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    # A new tag per write, so rewriting equal bytes still tells "changed" apart.
    etag: str = field(default_factory=lambda: uuid.uuid4().hex)


class NameStorage(BaseStorage):
    """Files kept by the NAME service (here: in a ``dict``), a thin translation of the Storage API."""

    __slots__ = ("_errors", "_objects", "_prefix", "_uploads", "config")

    backend_name = "NameStorage"

    def __init__(self, config: NameConfig | None = None) -> None:
        """Create a storage; nothing is contacted until the first operation.

        Args:
            config: The configuration; the defaults when omitted.
        """
        self.config = config or NameConfig()
        self._prefix = normalize_prefix(self.config.prefix)
        self._errors = ErrorMapper(translate_error, backend=self.backend_name, owns=(KeyError, ObjectExistsError))
        self._objects: dict[str, _Record] = {}
        self._uploads: dict[str, dict[int, bytes]] = {}

    def _stored(self, key: str, record: _Record) -> StoredFile:
        return StoredFile(
            key=key,
            size=len(record.data),
            content_type=record.content_type,
            etag=record.etag,
            last_modified=record.modified,
            metadata=dict(record.metadata),
        )

    def _write(self, key: str, record: _Record, *, overwrite: bool) -> StoredFile:
        name = join_key(self._prefix, key)
        with self._errors.guard(key):
            # Check and write with no await between them: atomic, like a conditional write.
            if not overwrite and name in self._objects:
                raise ObjectExistsError(name)
            self._objects[name] = record
        return self._stored(key, record)

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
        """Store ``data`` at ``key``.

        Args:
            key: Where to store it.
            data: Bytes, a file-like object or an (async) iterable of bytes.
            content_type: MIME type; guessed from the key when omitted.
            metadata: Custom metadata stored with the object.
            overwrite: Replace an existing object; ``False`` raises ``StorageFileExistsError``.
            progress: Called as bytes are sent.

        Returns:
            The stored object's metadata.
        """
        validate_key(key)
        resolved, checked = resolve_content_type(key, content_type), validate_metadata(metadata, key=key)
        stream = ByteStream(data, key=key)
        reporter = ProgressReporter(progress, operation="upload", key=key, total_bytes=stream.size)
        # The caller's stream is read outside the error guard: its exceptions propagate unchanged.
        chunks: list[bytes] = []
        async for chunk in stream:
            chunks.append(chunk)
            await reporter.advance(len(chunk))
        return self._write(key, _Record(b"".join(chunks), resolved, checked), overwrite=overwrite)

    async def get(
        self,
        key: str,
        *,
        start: int | None = None,
        end: int | None = None,
        progress: ProgressCallback | None = None,
    ) -> AsyncIterator[bytes]:
        """Stream the object's bytes.

        Args:
            key: The object to read.
            start: First byte (inclusive).
            end: Last byte (exclusive).
            progress: Called as bytes arrive.

        Yields:
            Chunks of at most ``config.chunk_size`` bytes.
        """
        validate_key(key)
        first, last = validate_range(start, end, key=key)
        with self._errors.guard(key):
            record = self._objects[join_key(self._prefix, key)]
        first, stop = clip_range(first, last, len(record.data))
        reporter = ProgressReporter(progress, operation="download", key=key, total_bytes=stop - first)
        for offset in range(first, stop, self.config.chunk_size):
            chunk = record.data[offset : min(stop, offset + self.config.chunk_size)]
            yield chunk
            await reporter.advance(len(chunk))
            await asyncio.sleep(0)  # a network read would yield to the loop between chunks

    async def delete(self, key: str, *, missing_ok: bool = False) -> None:
        """Delete ``key``.

        Args:
            key: The object to delete.
            missing_ok: Do not raise when it does not exist.
        """
        validate_key(key)
        try:
            with self._errors.guard(key):
                del self._objects[join_key(self._prefix, key)]
        except StorageFileNotFoundError:
            if not missing_ok:
                raise

    async def exists(self, key: str) -> bool:
        """Tell whether ``key`` exists.

        Args:
            key: The object to look for.

        Returns:
            Whether it exists.
        """
        validate_key(key)
        return join_key(self._prefix, key) in self._objects

    async def list(self, prefix: str = "", *, limit: int | None = None) -> AsyncIterator[StoredFile]:
        """List objects under ``prefix``, recursively and in key order.

        Args:
            prefix: Only keys starting with it.
            limit: At most this many results.

        Yields:
            The metadata of each object.

        Raises:
            StorageValidationError: ``limit`` is not ``None`` or an int >= 0.
        """
        validate_prefix(prefix)
        validate_limit(limit)
        wanted = join_key(self._prefix, prefix)
        names = sorted(name for name in self._objects if name.startswith(wanted))
        for name in names[:limit]:
            record = self._objects.get(name)
            if record is not None:  # deleted while the caller was iterating
                yield self._stored(strip_prefix(self._prefix, name), record)

    async def url(
        self,
        key: str,
        *,
        expires_in: timedelta | None = None,
        method: HttpMethod = "GET",
        filename: str | None = None,
        content_type: str | None = None,
    ) -> str:
        """Return the object's address; the service has no signed or upload URLs.

        Args:
            key: The object.
            expires_in: Ignored: the address does not expire.
            method: Only ``"GET"``.
            filename: Ignored: the address cannot set a download name.
            content_type: Checked, then ignored.

        Returns:
            A ``NAME://`` address.

        Raises:
            UnsupportedOperationError: For any method but ``GET``.
        """
        check_url_arguments(key, expires_in=expires_in, method=method, filename=filename, content_type=content_type)
        if method != "GET":
            raise UnsupportedOperationError(f"{self.backend_name} cannot make {method} URLs", key=key)
        return "NAME://" + quote(join_key(self._prefix, key))

    async def info(self, key: str) -> StoredFile:
        """Return the object's metadata without reading it.

        Args:
            key: The object.

        Returns:
            Its metadata.
        """
        validate_key(key)
        with self._errors.guard(key):
            return self._stored(key, self._objects[join_key(self._prefix, key)])

    async def start_multipart_upload(
        self,
        key: str,
        *,
        content_type: str | None = None,
        metadata: Mapping[str, str] | None = None,
        part_size: int = 8 * 1024 * 1024,
    ) -> MultipartUpload:
        """Begin an upload the caller sends part by part.

        Args:
            key: Where the object will be stored.
            content_type: MIME type; guessed from the key when omitted.
            metadata: Custom metadata stored with the object.
            part_size: Size the caller intends for each part.

        Returns:
            The upload, to pass to the other multipart calls.
        """
        validate_key(key)
        resolved, checked = resolve_content_type(key, content_type), validate_metadata(metadata, key=key)
        upload_id = uuid.uuid4().hex
        self._uploads[upload_id] = {}
        return MultipartUpload(upload_id, key, part_size=part_size, content_type=resolved, metadata=checked)

    async def upload_part(self, upload: MultipartUpload, part_number: int, data: bytes) -> str:
        """Upload one part and record its tag in ``upload.parts``.

        Args:
            upload: The upload.
            part_number: Its number, from 1.
            data: The part's bytes.

        Returns:
            The part's tag.
        """
        number = validate_part(upload, part_number, data)
        with self._errors.guard(upload.key):
            self._uploads[upload.upload_id][number] = bytes(data)
        etag = hashlib.sha256(data).hexdigest()[:32]
        upload.add_part(number, etag)
        return etag

    async def complete_multipart_upload(self, upload: MultipartUpload) -> StoredFile:
        """Join the uploaded parts, in part-number order, into the object.

        Args:
            upload: The upload.

        Returns:
            The stored object's metadata.
        """
        with self._errors.guard(upload.key):
            parts = self._uploads.pop(upload.upload_id)
        data = b"".join(parts[number] for number in sorted(parts))
        record = _Record(data, upload.content_type or resolve_content_type(upload.key, None), dict(upload.metadata))
        return self._write(upload.key, record, overwrite=True)

    async def abort_multipart_upload(self, upload: MultipartUpload) -> None:
        """Discard the upload's parts; aborting twice is harmless.

        Args:
            upload: The upload.
        """
        self._uploads.pop(upload.upload_id, None)
