"""A complete custom backend: ``KVStorage`` over a (toy) key-value service SDK.

The file has three parts, shown separately in docs/custom-backend.md:

1. ``KVService``/``KVClient``: stand-ins for the SDK you are wrapping, with async
   calls and their own exception type, like any cloud SDK.
2. ``KVConfig``/``KVDriver``/``KVStorage``: the backend, a driver for the core's
   transfer engine.
3. ``TestKVStorage``: the conformance kit run against it (``pytest kv_backend.py``).

Run it with ``python kv_backend.py`` for a short demonstration.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import quote

import pytest_asyncio

from litestar_storages.attributes import NO_ATTRIBUTES, ObjectAttributes
from litestar_storages.engine import DriverStorage, ListPage, RangeBody
from litestar_storages.error_table import Answer, ErrorTable
from litestar_storages.exceptions import (
    ConfigurationError,
    StorageConnectionError,
    StorageFileExistsError,
    StorageFileNotFoundError,
)
from litestar_storages.keys import normalize_prefix
from litestar_storages.ranges import clip_range
from litestar_storages.retry import request_retry
from litestar_storages.testing import StorageConformance
from litestar_storages.types import StoredFile

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


def read_kv_error(error: Exception) -> Answer | None:
    """What an SDK error says: its code and message (this SDK has no HTTP status)."""
    return Answer(code=error.code, message=str(error)) if isinstance(error, KVError) else None


KV_ERRORS = ErrorTable(
    "KVStorage",
    read=read_kv_error,
    # The codes that mean more than "request failed"; any other code becomes a plain
    # StorageError naming the backend. A connection error is retried by the engine.
    codes={
        "not_found": StorageFileNotFoundError,
        "exists": StorageFileExistsError,
        "closed": StorageConnectionError,
        "unavailable": StorageConnectionError,
    },
)
"""The one place where SDK errors become litestar-storages errors."""


@dataclass(frozen=True)
class KVConfig:
    """Configuration of :class:`KVStorage`."""

    service: KVService
    """The service to store into."""

    prefix: str = ""
    """Folder inside the service that holds this storage's keys."""

    part_size: int = 5 * 1024 * 1024
    """Uploads larger than this are sent in parts of this size."""

    max_concurrency: int = 4
    """Most parts of one upload in flight."""

    def __post_init__(self) -> None:
        if self.part_size < 1024:
            raise ConfigurationError(f"KVConfig.part_size must be >= 1024, got {self.part_size}", field="part_size")
        normalize_prefix(self.prefix)  # raises InvalidKeyError for a prefix no key could have


class KVDriver:
    """The KV service's primitives: one SDK call each. The engine does everything else."""

    name = "KVStorage"
    max_part_size = 5 * 1024**3
    max_parts = 10_000

    def __init__(self, config: KVConfig, client: KVClient | None) -> None:
        self.errors = KV_ERRORS.mapper(owns=(KVError,))
        self.retry = request_retry()
        self.part_size = config.part_size
        self.max_concurrency = config.max_concurrency
        self._service = config.service
        # A client passed in belongs to the caller: use it, never close it.
        self._client = client
        self._owns_client = client is None

    def _connection(self) -> KVClient:
        # Opened lazily, so the storage is usable again after close().
        if self._client is None:
            self._client = KVClient(self._service)
        return self._client

    @staticmethod
    def _file(name: str, record: Record) -> StoredFile:
        return StoredFile(
            key=name,
            size=len(record.data),
            content_type=record.content_type,
            etag=record.etag,
            last_modified=record.modified,
            metadata=dict(record.metadata),
        )

    async def head(self, name: str) -> StoredFile | None:
        try:
            return self._file(name, await self._connection().head(name))
        except KVError as error:
            if error.code == "not_found":
                return None
            raise

    async def open_range(self, name: str, start: int, end: int | None) -> RangeBody:
        record = await self._connection().head(name)
        first, stop = clip_range(start, end, len(record.data))
        chunks = self._connection().read(name, first, stop - first)
        return RangeBody(self._file(name, record), first, stop, chunks)

    async def write(
        self,
        name: str,
        body: bytes | bytearray | memoryview,
        *,
        content_type: str,
        metadata: Mapping[str, str],
        overwrite: bool,
        attributes: ObjectAttributes = NO_ATTRIBUTES,
    ) -> StoredFile:
        record = Record(bytes(body), content_type, dict(metadata))
        return self._file(name, await self._connection().put(name, record, if_absent=not overwrite))

    async def delete(self, name: str, *, check: bool) -> bool:
        try:
            await self._connection().delete(name)
        except KVError as error:
            if error.code == "not_found":
                return False
            raise
        return True

    async def list_page(self, prefix: str, token: str | None, page_size: int) -> ListPage:
        found = await self._connection().scan(prefix, after=token or "")
        files = [self._file(name, record) for name, record in found[:page_size]]
        more = len(found) >= min(page_size, KVClient.PAGE_SIZE)
        return ListPage(files, files[-1].key if more and files else None)

    async def copy(self, source: str, destination: str) -> StoredFile:
        record = await self._connection().head(source)
        copied = Record(record.data, record.content_type, dict(record.metadata))
        return self._file(destination, await self._connection().put(destination, copied))

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None and self._owns_client:
            await client.close()
        elif client is not None:
            self._client = client  # the caller's client stays in use

    # SupportsParts: the engine's part pipeline and manual multipart API use these.

    async def begin_parts(
        self, name: str, *, content_type: str, metadata: Mapping[str, str], attributes: ObjectAttributes = NO_ATTRIBUTES
    ) -> str:
        return await self._connection().create_upload()

    async def put_part(self, name: str, upload_id: str, number: int, body: bytes | bytearray | memoryview) -> str:
        return await self._connection().put_part(upload_id, number, bytes(body))

    async def commit_parts(
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
        record = Record(b"", content_type, dict(metadata))
        numbers = [number for number, _ in parts]
        stored = await self._connection().complete_upload(upload_id, name, numbers, record, if_absent=not overwrite)
        return self._file(name, stored)

    async def abort_parts(self, name: str, upload_id: str) -> None:
        await self._connection().abort_upload(upload_id)

    # SupportsAddressUrls: the service has no signed URLs, only addresses.

    def address(self, name: str) -> str:
        return "kv://" + quote(name)


class KVStorage(DriverStorage):
    """Files in a KV service: the whole Storage API, from the engine over :class:`KVDriver`."""

    __slots__ = ("config",)

    def __init__(self, config: KVConfig, *, client: KVClient | None = None) -> None:
        self.config = config
        super().__init__(KVDriver(config, client), prefix=config.prefix)


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
            await storage.get_bytes("notes/missing.txt")
        except StorageFileNotFoundError as error:  # the SDK's KVError, translated
            cause = error.__cause__
            print(f"{error} (caused by {type(cause).__name__})")
        assert isinstance(cause, KVError)
        print([stored.key async for stored in storage.list()])  # ['notes/hello.txt']


if __name__ == "__main__":
    asyncio.run(main())
