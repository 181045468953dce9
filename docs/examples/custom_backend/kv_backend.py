"""A complete custom backend: ``KVStorage`` over a (toy) key-value service SDK.

The file has three parts, shown separately in docs/custom-backend.md:

1. ``KVService``/``KVClient``: stand-ins for the SDK you are wrapping, with async
   calls and their own exception type, like any cloud SDK.
2. ``KVConfig``/``KVStorage``: the backend, built from the core's shared helpers.
3. ``TestKVStorage``: the conformance kit run against it (``pytest kv_backend.py``).

Run it with ``python kv_backend.py`` for a short demonstration.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

import pytest_asyncio

from litestar_storages.base import BaseStorage
from litestar_storages.content import resolve_content_type, validate_metadata
from litestar_storages.error_mapping import ErrorMapper
from litestar_storages.exceptions import (
    ConfigurationError,
    StorageConnectionError,
    StorageError,
    StorageFileExistsError,
    StorageFileNotFoundError,
    UnsupportedOperationError,
)
from litestar_storages.keys import join_key, normalize_prefix, strip_prefix, validate_key, validate_prefix
from litestar_storages.listing import validate_limit
from litestar_storages.progress import ProgressReporter
from litestar_storages.protocol import HttpMethod
from litestar_storages.ranges import clip_range, validate_range
from litestar_storages.streams import ByteStream, PutData
from litestar_storages.testing import StorageConformance
from litestar_storages.types import MultipartUpload, ProgressCallback, StoredFile
from litestar_storages.url_arguments import check_url_arguments

# -- 1. the SDK being wrapped (a toy) --------------------------------------------------- [sdk]


class KVError(Exception):
    """The SDK's one exception type; ``code`` says what went wrong."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class Record:
    """What the service stores per name."""

    data: bytes
    content_type: str
    metadata: dict[str, str]
    etag: str = ""
    modified: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    def __post_init__(self) -> None:
        self.etag = hashlib.sha256(self.data).hexdigest()[:32]


class KVService:
    """The service itself: records and pending multipart uploads."""

    def __init__(self) -> None:
        self.records: dict[str, Record] = {}
        self.uploads: dict[str, dict[int, bytes]] = {}


class KVClient:
    """A connection to a :class:`KVService`, with the async API of a typical SDK."""

    PAGE_SIZE = 100

    def __init__(self, service: KVService) -> None:
        self._service = service
        self.closed = False

    def _check(self) -> KVService:
        if self.closed:
            raise KVError("closed", "client is closed")
        return self._service

    async def put(self, name: str, record: Record, *, if_absent: bool = False) -> Record:
        service = self._check()
        if if_absent and name in service.records:
            raise KVError("exists", f"{name} exists")
        service.records[name] = record
        return record

    async def head(self, name: str) -> Record:
        record = self._check().records.get(name)
        if record is None:
            raise KVError("not_found", f"no record {name}")
        return record

    async def read(self, name: str, offset: int, length: int) -> AsyncIterator[bytes]:
        data = (await self.head(name)).data[offset : offset + length]
        for start in range(0, len(data), 64 * 1024):
            await asyncio.sleep(0)  # a network read would yield to the loop
            yield data[start : start + 64 * 1024]

    async def delete(self, name: str) -> None:
        if self._check().records.pop(name, None) is None:
            raise KVError("not_found", f"no record {name}")

    async def scan(self, prefix: str, *, after: str = "") -> list[tuple[str, Record]]:
        records = self._check().records
        names = sorted(name for name in records if name.startswith(prefix) and name > after)
        return [(name, records[name]) for name in names[: self.PAGE_SIZE]]

    async def create_upload(self) -> str:
        upload_id = uuid.uuid4().hex
        self._check().uploads[upload_id] = {}
        return upload_id

    async def put_part(self, upload_id: str, number: int, data: bytes) -> str:
        parts = self._check().uploads.get(upload_id)
        if parts is None:
            raise KVError("no_upload", f"no upload {upload_id}")
        parts[number] = data
        return hashlib.sha256(data).hexdigest()[:16]

    async def complete_upload(
        self, upload_id: str, name: str, numbers: list[int], record: Record, *, if_absent: bool = False
    ) -> Record:
        parts = self._check().uploads.pop(upload_id, None)
        if parts is None or any(number not in parts for number in numbers):
            raise KVError("no_upload", f"no upload {upload_id} with parts {numbers}")
        record.data = b"".join(parts[number] for number in sorted(numbers))
        record.__post_init__()
        return await self.put(name, record, if_absent=if_absent)

    async def abort_upload(self, upload_id: str) -> None:
        self._check().uploads.pop(upload_id, None)

    async def close(self) -> None:
        self.closed = True


# -- 2. the backend ------------------------------------------------------------------ [backend]


def translate_kv_error(error: Exception, key: str | None) -> StorageError | None:
    """The one place where SDK errors become litestar-storages errors."""
    if not isinstance(error, KVError):
        return None  # ErrorMapper turns it into a plain StorageError naming the backend
    if error.code == "not_found":
        return StorageFileNotFoundError(key)
    if error.code == "exists":
        return StorageFileExistsError(key)
    if error.code in {"closed", "unavailable"}:
        return StorageConnectionError(f"KV service unavailable: {error}", key=key)
    return StorageError(f"KV service error {error.code}: {error}", key=key)


@dataclass(frozen=True)
class KVConfig:
    """Configuration of :class:`KVStorage`."""

    service: KVService
    """The service to store into."""

    prefix: str = ""
    """Folder inside the service that holds this storage's keys."""

    part_size: int = 5 * 1024 * 1024
    """Uploads larger than this are sent in parts of this size."""

    def __post_init__(self) -> None:
        if self.part_size < 1024:
            raise ConfigurationError(f"KVConfig.part_size must be >= 1024, got {self.part_size}", field="part_size")
        normalize_prefix(self.prefix)  # raises InvalidKeyError for a prefix no key could have


class KVStorage(BaseStorage):
    """Files in a KV service: a thin translation of the Storage API to ``KVClient``."""

    __slots__ = ("_client", "_errors", "_owns_client", "_prefix", "config")

    backend_name = "KVStorage"

    def __init__(self, config: KVConfig, *, client: KVClient | None = None) -> None:
        self.config = config
        self._prefix = normalize_prefix(config.prefix)
        self._errors = ErrorMapper(translate_kv_error, backend=self.backend_name, owns=(KVError,))
        # A client passed in belongs to the caller: use it, never close it.
        self._client = client
        self._owns_client = client is None

    def _connection(self) -> KVClient:
        # Opened lazily, so the storage is usable again after close().
        if self._client is None:
            self._client = KVClient(self.config.service)
        return self._client

    def _stored(self, key: str, record: Record) -> StoredFile:
        return StoredFile(
            key=key,
            size=len(record.data),
            content_type=record.content_type,
            etag=record.etag,
            last_modified=record.modified,
            metadata=dict(record.metadata),
        )

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
        """Store ``data`` at ``key``, in parts when it is larger than ``part_size``."""
        validate_key(key)
        record = Record(b"", resolve_content_type(key, content_type), validate_metadata(metadata, key=key))
        stream = ByteStream(data, key=key)
        reporter = ProgressReporter(progress, operation="upload", key=key, total_bytes=stream.size)
        client, name, size = self._connection(), join_key(self._prefix, key), self.config.part_size
        # Reading the caller's stream stays outside the error guard: its exceptions
        # propagate unchanged.
        block = await stream.read(size)
        if len(block) < size:  # the whole object fits in one request
            await reporter.advance(len(block))
            record.data = block
            record.__post_init__()
            with self._errors.guard(key):
                stored = await client.put(name, record, if_absent=not overwrite)
            return self._stored(key, stored)
        with self._errors.guard(key):
            upload_id = await client.create_upload()
        try:
            numbers: list[int] = []
            while block:
                with self._errors.guard(key):
                    await client.put_part(upload_id, len(numbers) + 1, block)
                numbers.append(len(numbers) + 1)
                await reporter.advance(len(block))
                block = await stream.read(size)
            with self._errors.guard(key):
                stored = await client.complete_upload(upload_id, name, numbers, record, if_absent=not overwrite)
        except BaseException:
            # Failed stream, service error or cancellation: leave no parts behind.
            with self._errors.guard(key):
                await client.abort_upload(upload_id)
            raise
        return self._stored(key, stored)

    async def get(
        self,
        key: str,
        *,
        start: int | None = None,
        end: int | None = None,
        progress: ProgressCallback | None = None,
    ) -> AsyncIterator[bytes]:
        """Stream the object's bytes (``start`` inclusive, ``end`` exclusive)."""
        validate_key(key)
        first, last = validate_range(start, end, key=key)
        client, name = self._connection(), join_key(self._prefix, key)
        with self._errors.guard(key):
            record = await client.head(name)
        first, stop = clip_range(first, last, len(record.data))
        reporter = ProgressReporter(progress, operation="download", key=key, total_bytes=stop - first)
        # guard_stream translates errors raised while the body is being read.
        async for chunk in self._errors.guard_stream(client.read(name, first, stop - first), key):
            yield chunk
            await reporter.advance(len(chunk))

    async def delete(self, key: str, *, missing_ok: bool = False) -> None:
        """Delete ``key``; a missing key is an error unless ``missing_ok``."""
        validate_key(key)
        try:
            with self._errors.guard(key):
                await self._connection().delete(join_key(self._prefix, key))
        except StorageFileNotFoundError:
            if not missing_ok:
                raise

    async def exists(self, key: str) -> bool:
        """Tell whether ``key`` exists."""
        try:
            await self.info(key)
        except StorageFileNotFoundError:
            return False
        return True

    async def list(self, prefix: str = "", *, limit: int | None = None) -> AsyncIterator[StoredFile]:
        """List objects under ``prefix`` in key order, page by page."""
        validate_prefix(prefix)
        validate_limit(limit)
        client, remaining, after = self._connection(), limit, ""
        while remaining != 0:
            with self._errors.guard(prefix or None):
                page = await client.scan(join_key(self._prefix, prefix), after=after)
            for name, record in page[:remaining]:
                yield self._stored(strip_prefix(self._prefix, name), record)
            if remaining is not None:
                remaining -= min(remaining, len(page))
            if len(page) < client.PAGE_SIZE:
                return
            after = page[-1][0]

    async def url(
        self,
        key: str,
        *,
        expires_in: timedelta | None = None,
        method: HttpMethod = "GET",
        filename: str | None = None,
        content_type: str | None = None,
    ) -> str:
        """Return the object's ``kv://`` address; the service cannot sign uploads."""
        check_url_arguments(key, expires_in=expires_in, method=method, filename=filename, content_type=content_type)
        if method != "GET":
            raise UnsupportedOperationError(f"{self.backend_name} cannot make {method} URLs", key=key)
        return "kv://" + quote(join_key(self._prefix, key))

    async def info(self, key: str) -> StoredFile:
        """Return the object's metadata without reading it."""
        validate_key(key)
        with self._errors.guard(key):
            record = await self._connection().head(join_key(self._prefix, key))
        return self._stored(key, record)

    async def start_multipart_upload(
        self,
        key: str,
        *,
        content_type: str | None = None,
        metadata: Mapping[str, str] | None = None,
        part_size: int = 8 * 1024 * 1024,
    ) -> MultipartUpload:
        """Begin a multipart upload the caller feeds part by part."""
        validate_key(key)
        resolved, checked = resolve_content_type(key, content_type), validate_metadata(metadata, key=key)
        with self._errors.guard(key):
            upload_id = await self._connection().create_upload()
        return MultipartUpload(upload_id, key, part_size=part_size, content_type=resolved, metadata=checked)

    async def upload_part(self, upload: MultipartUpload, part_number: int, data: bytes) -> str:
        """Upload one part and record its tag in ``upload.parts``."""
        with self._errors.guard(upload.key):
            etag = await self._connection().put_part(upload.upload_id, part_number, bytes(data))
        upload.add_part(part_number, etag)
        return etag

    async def complete_multipart_upload(self, upload: MultipartUpload) -> StoredFile:
        """Join the uploaded parts into the object."""
        record = Record(b"", upload.content_type or "", dict(upload.metadata))
        numbers = [number for number, _ in upload.parts]
        with self._errors.guard(upload.key):
            stored = await self._connection().complete_upload(
                upload.upload_id, join_key(self._prefix, upload.key), numbers, record
            )
        return self._stored(upload.key, stored)

    async def abort_multipart_upload(self, upload: MultipartUpload) -> None:
        """Discard the upload's parts."""
        with self._errors.guard(upload.key):
            await self._connection().abort_upload(upload.upload_id)

    async def close(self) -> None:
        """Close the client if this storage created it; safe to call twice."""
        client, self._client = self._client, None
        if client is not None and self._owns_client:
            await client.close()
        elif client is not None:
            self._client = client  # the caller's client stays in use


# -- 3. the conformance kit ------------------------------------------------------ [conformance]


class TestKVStorage(StorageConformance):
    """Every behaviour of the Storage protocol, checked against KVStorage."""

    @pytest_asyncio.fixture
    async def storage(self) -> AsyncIterator[KVStorage]:
        # A fresh, empty storage per test; the prefix proves keys are relative to it.
        async with KVStorage(KVConfig(service=KVService(), prefix="tenant-1")) as storage:
            yield storage


# -- demonstration ----------------------------------------------------------------------- [demo]


async def main() -> None:
    service = KVService()
    async with KVStorage(KVConfig(service=service, prefix="app")) as storage:
        await storage.put("notes/hello.txt", b"Hello from a custom backend")
        assert "app/notes/hello.txt" in service.records  # the prefix is applied
        assert await storage.get_bytes("notes/hello.txt", start=6, end=10) == b"from"
        try:
            await storage.info("notes/missing.txt")
        except StorageFileNotFoundError as error:  # the SDK's KVError, translated
            print(f"{error} (caused by {type(error.__cause__).__name__})")
        print([stored.key async for stored in storage.list()])  # ['notes/hello.txt']


if __name__ == "__main__":
    asyncio.run(main())
