"""In-memory drivers for the transfer engine's tests (imported by the ``test_engine_*`` modules).

``PartsDriver`` keeps objects in a dict and counts what the engine does to it: parts in
flight, bytes held by parts, aborts. Faults (a failing part, a short body, a bug) are
injected per test. ``StreamingDriver`` uploads long streams itself and signs upload forms.
"""

from __future__ import annotations

import asyncio
import bisect
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

from litestar_storages.attributes import NO_ATTRIBUTES, ObjectAttributes
from litestar_storages.engine import ListPage, RangeBody
from litestar_storages.error_mapping import ErrorMapper
from litestar_storages.exceptions import (
    InvalidRangeError,
    StorageConnectionError,
    StorageError,
    StorageFileExistsError,
    StorageFileNotFoundError,
)
from litestar_storages.protocol import HttpMethod
from litestar_storages.retry import RetryConfig
from litestar_storages.types import StoredFile, UploadForm

PART = 64 * 1024


class ServiceError(Exception):
    pass


class Missing(ServiceError):
    pass


class Exists(ServiceError):
    pass


class Dropped(ServiceError):
    pass


class Unsatisfiable(ServiceError):
    pass


def _translate(error: Exception, key: str | None) -> StorageError | None:
    if isinstance(error, Missing):
        return StorageFileNotFoundError(key)
    if isinstance(error, Exists):
        return StorageFileExistsError(key)
    if isinstance(error, Dropped):
        return StorageConnectionError("connection dropped", key=key)
    if isinstance(error, Unsatisfiable):
        return InvalidRangeError("range not satisfiable", key=key)
    return None


class BasicDriver:
    """Every primitive, no optional ability."""

    name = "BasicDriver"

    def __init__(self) -> None:
        self.errors = ErrorMapper(_translate, backend=self.name, owns=(ServiceError,))
        self.retry: RetryConfig | None = RetryConfig(max_retries=2, base_delay=0, jitter=False)
        self.objects: dict[str, tuple[bytes, str, dict[str, str], str]] = {}
        self.short_bodies = 0  # how many of the next bodies end early
        self.replace_on_resume = False
        self.whole_bodies = False  # hand the body over whole too (RangeBody.data)
        self.page_limit = 3  # the service's page size cap
        self.pages_asked = 0
        self.calls: list[str] = []

    def _file(self, name: str) -> StoredFile:
        data, ctype, metadata, etag = self.objects[name]
        return StoredFile(name, len(data), ctype, etag, datetime.now(timezone.utc), dict(metadata))

    async def head(self, name: str) -> StoredFile | None:
        self.calls.append("head")
        return self._file(name) if name in self.objects else None

    async def open_range(self, name: str, start: int, end: int | None) -> RangeBody:
        self.calls.append("open_range")
        if name not in self.objects:
            raise Missing(name)
        if start > 0 and self.replace_on_resume:
            data, ctype, metadata, _ = self.objects[name]
            self.objects[name] = (data, ctype, metadata, uuid.uuid4().hex)
        data = self.objects[name][0]
        first = min(start, len(data))
        stop = len(data) if end is None else max(first, min(end, len(data)))
        cut = stop
        if self.short_bodies:
            self.short_bodies -= 1
            cut = first + (stop - first) // 2
        whole = data[first:cut] if self.whole_bodies else None
        return RangeBody(self._file(name), first, stop, self._chunks(data[first:cut]), whole)

    async def _chunks(self, data: bytes) -> AsyncIterator[bytes]:
        for offset in range(0, len(data), 1000):
            yield data[offset : offset + 1000]

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
        self.calls.append("write")
        if not overwrite and name in self.objects:
            raise Exists(name)
        self.objects[name] = (bytes(body), content_type, dict(metadata), uuid.uuid4().hex)
        return self._file(name)

    async def delete(self, name: str, *, check: bool) -> bool:
        self.calls.append("delete")
        return self.objects.pop(name, None) is not None

    async def list_page(self, prefix: str, token: str | None, page_size: int) -> ListPage:
        self.pages_asked += 1
        names = sorted(name for name in self.objects if name.startswith(prefix))
        index = 0 if token is None else bisect.bisect_right(names, token)
        chosen = names[index : index + min(page_size, self.page_limit)]
        more = index + len(chosen) < len(names)
        return ListPage([self._file(name) for name in chosen], chosen[-1] if more else None)

    async def copy(self, source: str, destination: str) -> StoredFile:
        if source not in self.objects:
            raise Missing(source)
        self.objects[destination] = self.objects[source]
        return self._file(destination)

    async def close(self) -> None:
        return


class PartsDriver(BasicDriver):
    """Parts, signed URLs and batch deletes, with counters of what the pipeline holds."""

    name = "PartsDriver"
    max_part_size = 5 * 1024**3
    max_parts = 10_000
    url_methods: frozenset[HttpMethod] = frozenset({"GET", "PUT"})
    default_url_expiry = timedelta(hours=1)
    max_batch = 2

    def __init__(self, *, part_size: int = PART, max_concurrency: int = 3) -> None:
        super().__init__()
        self.part_size = part_size
        self.max_concurrency = max_concurrency
        self.uploads: dict[str, dict[int, bytes]] = {}
        self.in_flight = 0
        self.peak_in_flight = 0
        self.bytes_in_flight = 0
        self.part_delay = 0.0
        self.fail_part: int | None = None
        self.aborted: list[str] = []
        self.part_started = asyncio.Event()
        self.batches: list[list[str]] = []
        self.signed: list[dict[str, object]] = []

    async def begin_parts(
        self, name: str, *, content_type: str, metadata: Mapping[str, str], attributes: ObjectAttributes = NO_ATTRIBUTES
    ) -> str:
        upload_id = uuid.uuid4().hex
        self.uploads[upload_id] = {}
        return upload_id

    async def put_part(self, name: str, upload_id: str, number: int, body: bytes | bytearray | memoryview) -> str:
        self.in_flight += 1
        self.bytes_in_flight += len(body)
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        self.part_started.set()
        try:
            await asyncio.sleep(self.part_delay)
            if number == self.fail_part:
                raise ServiceError("part refused")
            if upload_id not in self.uploads:
                raise ServiceError("no such upload")
            self.uploads[upload_id][number] = bytes(body)
            return f"tag-{number}"
        finally:
            self.in_flight -= 1
            self.bytes_in_flight -= len(body)

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
        staged = self.uploads.get(upload_id)
        if staged is None:
            raise ServiceError("no such upload")
        if any(number not in staged for number, _ in parts):
            raise ServiceError("a part was never uploaded")
        del self.uploads[upload_id]
        body = b"".join(staged[number] for number, _ in parts)
        return await self.write(name, body, content_type=content_type, metadata=metadata, overwrite=overwrite)

    async def abort_parts(self, name: str, upload_id: str) -> None:
        self.aborted.append(upload_id)
        self.uploads.pop(upload_id, None)

    async def sign_url(
        self,
        name: str,
        *,
        method: HttpMethod,
        expires_in: timedelta,
        content_disposition: str | None,
        content_type: str | None,
    ) -> str:
        self.signed.append({"method": method, "expires_in": expires_in, "disposition": content_disposition})
        return f"https://signed.example/{quote(name)}?m={method}"

    async def delete_batch(self, names: Sequence[str]) -> None:
        self.batches.append(list(names))
        for name in names:
            self.objects.pop(name, None)


def pattern(size: int) -> bytes:
    return bytes(index % 251 for index in range(size))


class StreamingDriver(BasicDriver):
    """Uploads long streams itself (as obstore does), and signs upload forms."""

    name = "StreamingDriver"
    part_size = PART

    def __init__(self) -> None:
        super().__init__()
        self.streamed: list[int] = []
        self.forms: list[dict[str, object]] = []

    async def write_stream(
        self,
        name: str,
        chunks: AsyncIterator[bytes],
        *,
        size: int | None,
        content_type: str,
        metadata: Mapping[str, str],
        overwrite: bool,
        attributes: ObjectAttributes = NO_ATTRIBUTES,
    ) -> StoredFile:
        body = b"".join([bytes(chunk) async for chunk in chunks])
        self.streamed.append(len(body))
        return await self.write(name, body, content_type=content_type, metadata=metadata, overwrite=overwrite)

    async def sign_upload_form(
        self,
        name: str,
        *,
        expires_in: timedelta,
        content_type: str | None,
        metadata: Mapping[str, str],
        max_size: int | None,
        min_size: int,
    ) -> UploadForm:
        self.forms.append({"expires_in": expires_in, "max_size": max_size, "min_size": min_size})
        return UploadForm(url=f"https://forms.example/{name}", fields={"key": name, **metadata})
