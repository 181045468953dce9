"""The transfer engine on its own, over small in-test drivers.

``PartsDriver`` keeps objects in a dict and counts what the engine does to it: parts in
flight, bytes held by parts, aborts. Faults (a failing part, a short body, a bug) are
injected per test. The whole conformance kit also runs over it.
"""

from __future__ import annotations

import asyncio
import bisect
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

import pytest

from litestar_storages.attributes import NO_ATTRIBUTES, ObjectAttributes
from litestar_storages.disposition import content_disposition
from litestar_storages.engine import (
    DriverStorage,
    ListPage,
    RangeBody,
    SupportsBatchDelete,
    SupportsMinPartSize,
    SupportsParts,
    SupportsPublicUrls,
    SupportsPutParts,
    SupportsSignedUrls,
)
from litestar_storages.error_mapping import ErrorMapper
from litestar_storages.exceptions import (
    ConcurrentWriteError,
    InvalidRangeError,
    StorageConnectionError,
    StorageError,
    StorageFileExistsError,
    StorageFileNotFoundError,
    StorageValidationError,
    UnsupportedOperationError,
)
from litestar_storages.protocol import HttpMethod
from litestar_storages.retry import RetryConfig
from litestar_storages.testing import StorageConformance
from litestar_storages.types import ProgressInfo, StoredFile, UploadForm

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
        staged = self.uploads.pop(upload_id, None)
        if staged is None:
            raise ServiceError("no such upload")
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


def _pattern(size: int) -> bytes:
    return bytes(index % 251 for index in range(size))


def test_drivers_satisfy_the_protocols() -> None:
    driver = PartsDriver()
    assert isinstance(driver, SupportsParts)
    assert isinstance(driver, SupportsSignedUrls)
    assert isinstance(driver, SupportsBatchDelete)
    assert not isinstance(BasicDriver(), SupportsParts)


class TestEngineConformance(StorageConformance):
    """The whole kit over the engine and an in-memory driver with parts."""

    @pytest.fixture
    def storage(self) -> DriverStorage:
        return DriverStorage(PartsDriver(), prefix="tenant")


# -- the part pipeline ---------------------------------------------------------------------


async def test_pipeline_holds_at_most_concurrency_plus_one_parts() -> None:
    driver = PartsDriver(part_size=PART, max_concurrency=3)
    driver.part_delay = 0.002
    storage = DriverStorage(driver)
    produced = 0
    peak_held = 0

    async def source() -> AsyncIterator[bytes]:
        nonlocal produced, peak_held
        for _ in range(40 * 4):
            # Bytes read from the input but not yet sent: the part being assembled plus
            # every part in flight.
            held = produced - sum(len(part) for upload in driver.uploads.values() for part in upload.values())
            peak_held = max(peak_held, held)
            produced += PART // 4
            yield b"x" * (PART // 4)

    stored = await storage.put("big.bin", source())
    assert stored.size == 40 * PART
    assert driver.peak_in_flight == 3
    assert peak_held <= PART * (3 + 1)
    assert await storage.get_bytes("big.bin") == b"x" * (40 * PART)


async def test_small_object_is_one_request() -> None:
    driver = PartsDriver()
    storage = DriverStorage(driver)
    await storage.put("small.bin", b"x" * PART)  # exactly one part: still one request
    assert driver.calls.count("write") == 1
    assert driver.peak_in_flight == 0


async def test_failing_part_aborts_and_stores_nothing() -> None:
    driver = PartsDriver()
    driver.fail_part = 5
    storage = DriverStorage(driver)
    with pytest.raises(StorageError, match="unexpected ServiceError") as caught:
        await storage.put("big.bin", _pattern(12 * PART))
    assert isinstance(caught.value.__cause__, ServiceError)
    assert len(driver.aborted) == 1
    assert driver.in_flight == 0
    assert not driver.uploads
    assert not await storage.exists("big.bin")


async def test_failing_input_aborts_and_its_error_propagates() -> None:
    class Boom(Exception):
        pass

    driver = PartsDriver()
    storage = DriverStorage(driver)

    async def source() -> AsyncIterator[bytes]:
        yield _pattern(5 * PART)
        raise Boom

    with pytest.raises(Boom):
        await storage.put("big.bin", source())
    assert len(driver.aborted) == 1
    assert driver.in_flight == 0
    assert not await storage.exists("big.bin")


async def test_cancellation_aborts_and_stops_every_part() -> None:
    driver = PartsDriver()
    driver.part_delay = 10
    storage = DriverStorage(driver)
    task = asyncio.ensure_future(storage.put("big.bin", _pattern(12 * PART)))
    await driver.part_started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(driver.aborted) == 1
    assert driver.in_flight == 0
    assert not await storage.exists("big.bin")


async def test_part_count_limit_refused_before_the_object_exists() -> None:
    driver = PartsDriver(part_size=1024)
    driver.max_parts = 3
    storage = DriverStorage(driver)

    async def source() -> AsyncIterator[bytes]:
        for _ in range(5):
            yield b"y" * 1024

    with pytest.raises(StorageValidationError, match="more than 3 parts"):
        await storage.put("big.bin", source())
    assert len(driver.aborted) == 1
    assert not await storage.exists("big.bin")


async def test_overwrite_false_through_parts() -> None:
    storage = DriverStorage(PartsDriver())
    await storage.put("big.bin", b"old")
    with pytest.raises(StorageFileExistsError):
        await storage.put("big.bin", _pattern(3 * PART), overwrite=False)
    assert await storage.get_bytes("big.bin") == b"old"


async def test_put_large_part_size_bounds() -> None:
    storage = DriverStorage(PartsDriver())
    for bad in (0, True, 6 * 1024**3):
        with pytest.raises(StorageValidationError, match="part_size"):
            await storage.put_large("big.bin", b"x", part_size=bad)


# -- ranged reads --------------------------------------------------------------------------


async def test_short_body_is_resumed() -> None:
    driver = PartsDriver()
    storage = DriverStorage(driver)
    data = _pattern(10_000)
    await storage.put("file.bin", data)
    driver.short_bodies = 1
    assert await storage.get_bytes("file.bin", start=10, end=9000) == data[10:9000]
    assert driver.calls.count("open_range") == 2


async def test_body_that_stays_short_raises() -> None:
    driver = PartsDriver()
    storage = DriverStorage(driver)
    await storage.put("file.bin", _pattern(10_000))
    driver.short_bodies = 100
    with pytest.raises(StorageConnectionError, match="ended at byte"):
        await storage.get_bytes("file.bin")


async def test_object_replaced_while_resuming_raises() -> None:
    driver = PartsDriver()
    storage = DriverStorage(driver)
    await storage.put("file.bin", _pattern(10_000))
    driver.short_bodies = 1
    driver.replace_on_resume = True
    with pytest.raises(ConcurrentWriteError):
        await storage.get_bytes("file.bin")


@pytest.mark.parametrize(("start", "end"), [(None, None), (10, 9000), (9990, None)])
async def test_a_body_read_whole_is_returned_as_it_is(start: int | None, end: int | None) -> None:
    driver = PartsDriver()
    storage = DriverStorage(driver)
    data = _pattern(10_000)
    await storage.put("file.bin", data)
    driver.whole_bodies = True
    driver.calls.clear()
    assert await storage.get_bytes("file.bin", start=start, end=end) == data[start:end]
    assert driver.calls == ["open_range"]


async def test_a_short_body_read_whole_is_resumed_not_returned() -> None:
    driver = PartsDriver()
    storage = DriverStorage(driver)
    data = _pattern(10_000)
    await storage.put("file.bin", data)
    driver.whole_bodies = True
    driver.short_bodies = 1
    assert await storage.get_bytes("file.bin", start=10, end=9000) == data[10:9000]
    assert driver.calls.count("open_range") == 2
    driver.short_bodies = 1
    driver.replace_on_resume = True
    with pytest.raises(ConcurrentWriteError):
        await storage.get_bytes("file.bin")


async def test_range_arguments_checked_when_iteration_starts() -> None:
    driver = PartsDriver()
    stream = DriverStorage(driver).get("missing.bin", start=5, end=2)
    assert driver.calls == []
    with pytest.raises(StorageValidationError):
        await anext(stream)


# -- listing -------------------------------------------------------------------------------


async def test_limit_spans_pages_and_stops_asking() -> None:
    driver = PartsDriver()
    storage = DriverStorage(driver)
    for index in range(20):
        await storage.put(f"k/{index:02d}", b"x")
    keys = [stored.key async for stored in storage.list("k/", limit=7)]
    assert keys == [f"k/{index:02d}" for index in range(7)]
    assert driver.pages_asked == 3  # pages of 3, 3 and the last 1
    driver.pages_asked = 0
    assert [stored.key async for stored in storage.list("k/", limit=0)] == []
    assert driver.pages_asked == 0
    assert len([stored async for stored in storage.list()]) == 20


@pytest.mark.parametrize("limit", [True, False, -1, 1.5, "3"])
async def test_limit_refused_the_same_way(limit: object) -> None:
    with pytest.raises(StorageValidationError, match="limit"):
        [stored async for stored in DriverStorage(PartsDriver()).list(limit=limit)]  # type: ignore[arg-type]


# -- capabilities and the error boundary -----------------------------------------------------


async def test_missing_capabilities_raise_unsupported() -> None:
    storage = DriverStorage(BasicDriver())
    with pytest.raises(UnsupportedOperationError, match="BasicDriver does not support multipart"):
        await storage.start_multipart_upload("file.bin")
    with pytest.raises(UnsupportedOperationError, match="BasicDriver cannot make GET URLs"):
        await storage.url("file.bin")
    with pytest.raises(UnsupportedOperationError, match="upload forms"):
        await storage.upload_form("file.bin")
    # Without parts a large object still goes in one request.
    await storage.put("big.bin", _pattern(3 * PART))
    assert await storage.get_bytes("big.bin") == _pattern(3 * PART)
    await storage.delete_many(["big.bin", "never.bin"])
    assert not await storage.exists("big.bin")


async def test_batch_delete_in_driver_sized_batches() -> None:
    driver = PartsDriver()
    storage = DriverStorage(driver)
    for name in "abcde":
        await storage.put(name, b"x")
    await storage.delete_many(["a", "b", "c", "d", "e"])
    assert driver.batches == [["a", "b"], ["c", "d"], ["e"]]
    with pytest.raises(StorageValidationError):
        await storage.delete_many(["ok", "../bad"])
    assert driver.batches == [["a", "b"], ["c", "d"], ["e"]]


async def test_signed_url_gets_the_one_disposition_and_default_expiry() -> None:
    driver = PartsDriver()
    url = await DriverStorage(driver, prefix="p").url("file.txt", filename="Résumé final.txt")
    assert url == "https://signed.example/p/file.txt?m=GET"
    assert driver.signed == [
        {"method": "GET", "expires_in": timedelta(hours=1), "disposition": content_disposition("Résumé final.txt")}
    ]


async def test_a_bug_in_a_driver_is_not_hidden() -> None:
    driver = PartsDriver()

    async def broken(name: str) -> StoredFile | None:
        raise AttributeError("typo")

    driver.head = broken  # type: ignore[method-assign]
    with pytest.raises(AttributeError, match="typo"):
        await DriverStorage(driver).info("file.bin")


async def test_transient_errors_are_retried() -> None:
    driver = PartsDriver()
    storage = DriverStorage(driver)
    failures = [Dropped("reset"), Dropped("reset")]
    original = driver.head

    async def flaky(name: str) -> StoredFile | None:
        if failures:
            raise failures.pop()
        return await original(name)

    driver.head = flaky  # type: ignore[method-assign]
    assert await storage.exists("file.bin") is False
    failures.extend([Dropped("reset")] * 3)
    with pytest.raises(StorageConnectionError):
        await storage.exists("file.bin")


async def test_prefix_is_joined_and_stripped() -> None:
    driver = PartsDriver()
    storage = DriverStorage(driver, prefix="/tenant/")
    stored = await storage.put("a/b.txt", b"x")
    assert stored.key == "a/b.txt"
    assert list(driver.objects) == ["tenant/a/b.txt"]
    assert [file.key async for file in storage.list()] == ["a/b.txt"]


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


async def test_stream_writer_gets_long_inputs_and_small_ones_go_in_one_request() -> None:
    driver = StreamingDriver()
    storage = DriverStorage(driver)
    reports: list[ProgressInfo] = []

    async def source() -> AsyncIterator[bytes]:
        for _ in range(5):
            yield b"z" * (PART // 2)

    stored = await storage.put("long.bin", source(), progress=reports.append)
    assert stored.size == 5 * PART // 2
    assert driver.streamed == [5 * PART // 2]
    assert reports[-1].bytes_transferred == 5 * PART // 2
    await storage.put("short.bin", b"s" * PART)
    await storage.put("short-stream.bin", iter([b"s" * 10]))
    assert driver.streamed == [5 * PART // 2]  # both short ones were single writes
    assert driver.calls.count("write") == 3  # the streamed one ends in write() here too
    with pytest.raises(UnsupportedOperationError):
        await storage.start_multipart_upload("x.bin")  # streaming is not parts


async def test_upload_form_arguments_checked_then_signed() -> None:
    storage = DriverStorage(StreamingDriver(), prefix="p")
    form = await storage.upload_form("a.txt", metadata={"User": "Ada"})
    assert form.url == "https://forms.example/p/a.txt"
    assert form.fields == {"key": "p/a.txt", "user": "Ada"}
    with pytest.raises(StorageValidationError, match="expires_in"):
        await storage.upload_form("a.txt", expires_in=timedelta(days=8))


async def test_upload_form_size_bounds_checked_then_passed() -> None:
    driver = StreamingDriver()
    storage = DriverStorage(driver)
    await storage.upload_form("a.txt", max_size=10, min_size=2)
    await storage.upload_form("b.txt")
    assert [(form["min_size"], form["max_size"]) for form in driver.forms] == [(2, 10), (0, None)]
    for bounds in (
        {"max_size": -1},
        {"min_size": -1},
        {"max_size": True},
        {"min_size": 1.5},
        {"max_size": 10, "min_size": 11},
    ):
        with pytest.raises(StorageValidationError, match="size"):
            await storage.upload_form("x.txt", **bounds)
    assert len(driver.forms) == 2  # nothing signed for a refused form


class SigningStreamingDriver(StreamingDriver):
    """Also signs URLs, with its own default validity."""

    url_methods: frozenset[HttpMethod] = frozenset({"GET"})
    default_url_expiry = timedelta(minutes=15)

    async def sign_url(
        self,
        name: str,
        *,
        method: HttpMethod,
        expires_in: timedelta,
        content_disposition: str | None,
        content_type: str | None,
    ) -> str:
        return f"https://signed.example/{name}"


async def test_upload_form_default_validity_is_the_drivers_url_default() -> None:
    signing, plain = SigningStreamingDriver(), StreamingDriver()
    await DriverStorage(signing).upload_form("a.txt")
    await DriverStorage(plain).upload_form("a.txt")
    await DriverStorage(signing).upload_form("a.txt", expires_in=timedelta(minutes=2))
    assert signing.forms[0]["expires_in"] == timedelta(minutes=15)
    assert plain.forms[0]["expires_in"] == timedelta(hours=1)
    assert signing.forms[1]["expires_in"] == timedelta(minutes=2)


@pytest.mark.parametrize("retry", [True, False])
async def test_boundary_with_and_without_engine_retries(retry: bool) -> None:
    driver = PartsDriver()
    if not retry:
        driver.retry = None  # the SDK retries by itself: the engine's boundary is inline
    storage = DriverStorage(driver)
    with pytest.raises(StorageFileNotFoundError):
        await anext(storage.get("missing.bin"))
    await storage.put("file.bin", b"abc")

    async def broken(name: str, start: int, end: int | None) -> RangeBody:
        raise KeyError("a bug")

    driver.open_range = broken  # type: ignore[method-assign]
    with pytest.raises(KeyError, match="a bug"):
        await storage.get_bytes("file.bin")


# -- additions for the S3 driver: single-request limit, form size range, early refusal ----


class LimitDriver(PartsDriver):
    """Parts of PART bytes, but one request up to 3 * PART (S3's multipart_threshold)."""

    def __init__(self) -> None:
        super().__init__()
        self.single_request_limit = 3 * PART
        self.part_sizes: list[int] = []

    async def put_part(self, name: str, upload_id: str, number: int, body: bytes | bytearray | memoryview) -> str:
        self.part_sizes.append(len(body))
        return await super().put_part(name, upload_id, number, body)


async def test_single_request_limit_separates_the_threshold_from_the_part_size() -> None:
    driver = LimitDriver()
    storage = DriverStorage(driver)

    async def stream(size: int) -> AsyncIterator[bytes]:
        data = _pattern(size)
        for offset in range(0, size, 5000):
            yield data[offset : offset + 5000]

    await storage.put("bytes.bin", _pattern(3 * PART))
    await storage.put("stream.bin", stream(3 * PART))
    assert driver.part_sizes == []  # both up to the limit: one request each
    stored = await storage.put("long.bin", stream(5 * PART + 7))
    assert stored.size == 5 * PART + 7
    # The first part holds what was read to decide; the others are part_size long.
    assert sorted(driver.part_sizes) == sorted([3 * PART, PART, PART, 7])
    assert await storage.get_bytes("long.bin") == _pattern(5 * PART + 7)
    driver.part_sizes.clear()
    await storage.put_large("large.bin", _pattern(2 * PART), part_size=PART)  # its own part size wins
    assert driver.part_sizes == [PART, PART]


async def test_conditional_multipart_upload_is_refused_before_any_part() -> None:
    driver = PartsDriver()
    storage = DriverStorage(driver)
    await storage.put("taken.bin", b"original")
    with pytest.raises(StorageFileExistsError):
        await storage.put("taken.bin", iter([_pattern(4 * PART)]), overwrite=False)
    assert driver.uploads == {}
    assert driver.aborted == []  # no upload was begun
    assert await storage.get_bytes("taken.bin") == b"original"


class SizedFormDriver(StreamingDriver):
    """Upload forms with a size range; the URL default validity of a signing driver."""

    url_methods: frozenset[HttpMethod] = frozenset({"GET"})
    default_url_expiry = timedelta(minutes=7)

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, object]] = []

    async def sign_url(
        self,
        name: str,
        *,
        method: HttpMethod,
        expires_in: timedelta,
        content_disposition: str | None,
        content_type: str | None,
    ) -> str:
        return f"https://signed.example/{name}"

    async def sign_upload_form(
        self,
        name: str,
        *,
        expires_in: timedelta,
        content_type: str | None,
        metadata: Mapping[str, str],
        max_size: int | None,
        min_size: int = 0,
    ) -> UploadForm:
        self.forms.append({"expires_in": expires_in, "min_size": min_size, "max_size": max_size})
        return UploadForm(url=f"https://forms.example/{name}", fields={})


async def test_upload_form_size_range_and_default_validity() -> None:
    driver = SizedFormDriver()
    storage = DriverStorage(driver)
    await storage.upload_form("a.bin", max_size=10, min_size=2)
    await storage.upload_form("b.bin")
    assert driver.forms == [
        {"expires_in": timedelta(minutes=7), "min_size": 2, "max_size": 10},
        {"expires_in": timedelta(minutes=7), "min_size": 0, "max_size": None},
    ]
    for min_size, max_size in [(0, -1), (11, 10), (-1, 5), (True, 5), (0, 2.5), ("1", None)]:
        with pytest.raises(StorageValidationError, match="_size"):
            await storage.upload_form("a.bin", max_size=max_size, min_size=min_size)  # type: ignore[arg-type]
    assert len(driver.forms) == 2
    # A driver written before min_size existed still signs forms without a minimum.
    old = DriverStorage(StreamingDriver())
    await old.upload_form("c.bin", max_size=5)


# -- SupportsPutParts: a driver that starts the parts of a put itself -----------------------


class PutPartsDriver(PartsDriver):
    """Records how each upload began; refuses an ``overwrite=False`` put of an existing name early."""

    def __init__(self) -> None:
        super().__init__()
        self.begun: list[tuple[str, bool | None]] = []
        self.parts_sent = 0

    async def put_part(self, name: str, upload_id: str, number: int, body: bytes | bytearray | memoryview) -> str:
        self.parts_sent += 1
        return await super().put_part(name, upload_id, number, body)

    async def begin_parts(
        self, name: str, *, content_type: str, metadata: Mapping[str, str], attributes: ObjectAttributes = NO_ATTRIBUTES
    ) -> str:
        self.begun.append(("manual", None))
        return await super().begin_parts(name, content_type=content_type, metadata=metadata)

    async def begin_put_parts(
        self,
        name: str,
        *,
        content_type: str,
        metadata: Mapping[str, str],
        overwrite: bool,
        attributes: ObjectAttributes = NO_ATTRIBUTES,
    ) -> str:
        self.begun.append(("put", overwrite))
        if not overwrite and name in self.objects:
            raise Exists(name)
        return await super().begin_parts(name, content_type=content_type, metadata=metadata)


async def test_put_parts_starter_begins_puts_and_the_manual_api_keeps_begin_parts() -> None:
    driver = PutPartsDriver()
    assert isinstance(driver, SupportsPutParts)
    assert not isinstance(PartsDriver(), SupportsPutParts)
    storage = DriverStorage(driver)
    await storage.put("big.bin", _pattern(3 * PART))
    await storage.put_large("large.bin", _pattern(3 * PART), part_size=PART)
    upload = await storage.start_multipart_upload("manual.bin")
    await storage.upload_part(upload, 1, b"part")
    await storage.complete_multipart_upload(upload)
    assert driver.begun == [("put", True), ("put", True), ("manual", None)]
    # Refused before any part is sent, the existing object untouched.
    sent = driver.parts_sent
    with pytest.raises(StorageFileExistsError):
        await storage.put("big.bin", _pattern(3 * PART)[::-1], overwrite=False)
    assert driver.begun[-1] == ("put", False)
    assert driver.parts_sent == sent
    assert await storage.get_bytes("big.bin") == _pattern(3 * PART)


class SinkDriver(PartsDriver):
    """Parts that are counted and dropped: what an upload holds is then only the engine's."""

    def __init__(self, part_size: int) -> None:
        super().__init__(part_size=part_size, max_concurrency=2)
        self.received = 0

    async def put_part(self, name: str, upload_id: str, number: int, body: bytes | bytearray | memoryview) -> str:
        await asyncio.sleep(0.001)
        self.received += len(body)
        return f"tag-{number}"

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
        return StoredFile(key=name, size=self.received, content_type=content_type, metadata=dict(metadata))


async def test_the_first_part_is_freed_once_sent() -> None:
    # The first part is read before the pipeline is chosen; were the caller to keep it,
    # an upload would hold one part more than its parts in flight until it ends.
    import tracemalloc

    part = 4 * 1024 * 1024
    driver = SinkDriver(part)
    storage = DriverStorage(driver)
    piece = b"p" * (64 * 1024)

    async def source() -> AsyncIterator[bytes]:
        for _ in range(12 * part // len(piece)):
            yield piece  # the same object: the source allocates nothing

    tracemalloc.start()
    try:
        stored = await storage.put("big.bin", source())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert stored.size == 12 * part
    assert peak < part * driver.max_concurrency + part // 4, peak


# -- what a driver declares, the engine enforces ---------------------------------------------


class MinPartDriver(PartsDriver):
    """A service refusing parts under 1000 bytes (as S3 refuses those under 5 MiB)."""

    min_part_size = 1000


async def test_put_large_refuses_a_part_size_below_the_drivers_minimum() -> None:
    driver = MinPartDriver()
    assert isinstance(driver, SupportsMinPartSize)
    storage = DriverStorage(driver)
    for bad in (1, 999):
        with pytest.raises(StorageValidationError, match=r"part_size must be an int from 1000 to \d+, got"):
            await storage.put_large("big.bin", b"x", part_size=bad)
    assert driver.calls == []  # refused before any request
    data = _pattern(3000)
    await storage.put_large("big.bin", data, part_size=1000)
    assert await storage.get_bytes("big.bin") == data


class PublicDriver(PartsDriver):
    """Objects also served unsigned under a CDN."""

    public_base_url: str | None = "https://cdn.example/base/"


async def test_public_base_url_answers_plain_gets_and_signs_the_rest() -> None:
    driver = PublicDriver()
    assert isinstance(driver, SupportsPublicUrls)
    storage = DriverStorage(driver, prefix="p")
    assert await storage.url("a b?.txt") == "https://cdn.example/base/p/a%20b%3F.txt"
    assert driver.signed == []  # no signature, no request
    assert await storage.url("a.txt", filename="report.txt") == "https://signed.example/p/a.txt?m=GET"
    assert await storage.url("a.txt", method="PUT") == "https://signed.example/p/a.txt?m=PUT"
    assert [call["method"] for call in driver.signed] == ["GET", "PUT"]
    driver.public_base_url = None
    assert await DriverStorage(driver).url("a.txt") == "https://signed.example/a.txt?m=GET"


class RefusingRangeDriver(PartsDriver):
    """A service answering 416 for a range at or past the end, as S3 and Azure do."""

    async def open_range(self, name: str, start: int, end: int | None) -> RangeBody:
        assert end is None or end > start, "the engine asked the driver for an empty range"
        if name in self.objects and start >= len(self.objects[name][0]):
            self.calls.append("open_range")
            raise Unsatisfiable(name)
        return await super().open_range(name, start, end)


@pytest.mark.parametrize(("start", "end"), [(10, 10), (10, None), (50, 60), (0, 0), (3, 3)])
async def test_empty_and_unsatisfiable_ranges_are_empty_bodies(start: int, end: int | None) -> None:
    driver = RefusingRangeDriver()
    storage = DriverStorage(driver)
    await storage.put("ten.bin", _pattern(10))
    assert await storage.get_bytes("ten.bin", start=start, end=end) == b""
    assert [chunk async for chunk in storage.get("ten.bin", start=start, end=end)] == []


@pytest.mark.parametrize(("start", "end"), [(10, 10), (50, None)])
async def test_an_empty_range_of_a_missing_object_is_not_found(start: int, end: int | None) -> None:
    storage = DriverStorage(RefusingRangeDriver())
    with pytest.raises(StorageFileNotFoundError):
        await storage.get_bytes("missing.bin", start=start, end=end)
