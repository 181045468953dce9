"""Writes through the engine: one request or the bounded parallel part pipeline, its aborts
and limits, streams handed to a driver that uploads them itself, and drivers that start
the parts of a put themselves.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence

import pytest
from engine_drivers import PART, Exists, PartsDriver, ServiceError, StreamingDriver, pattern

from litestar_storages.attributes import NO_ATTRIBUTES, ObjectAttributes
from litestar_storages.engine import DriverStorage, SupportsPutParts
from litestar_storages.exceptions import (
    StorageError,
    StorageFileExistsError,
    StorageValidationError,
    UnsupportedOperationError,
)
from litestar_storages.types import ProgressInfo, StoredFile

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
        await storage.put("big.bin", pattern(12 * PART))
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
        yield pattern(5 * PART)
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
    task = asyncio.ensure_future(storage.put("big.bin", pattern(12 * PART)))
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
        await storage.put("big.bin", pattern(3 * PART), overwrite=False)
    assert await storage.get_bytes("big.bin") == b"old"


async def test_put_large_part_size_bounds() -> None:
    storage = DriverStorage(PartsDriver())
    for bad in (0, True, 6 * 1024**3):
        with pytest.raises(StorageValidationError, match="part_size"):
            await storage.put_large("big.bin", b"x", part_size=bad)


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


# -- single-request limit and early refusal (as the S3 driver needs) ----------------------


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
        data = pattern(size)
        for offset in range(0, size, 5000):
            yield data[offset : offset + 5000]

    await storage.put("bytes.bin", pattern(3 * PART))
    await storage.put("stream.bin", stream(3 * PART))
    assert driver.part_sizes == []  # both up to the limit: one request each
    stored = await storage.put("long.bin", stream(5 * PART + 7))
    assert stored.size == 5 * PART + 7
    # The first part holds what was read to decide; the others are part_size long.
    assert sorted(driver.part_sizes) == sorted([3 * PART, PART, PART, 7])
    assert await storage.get_bytes("long.bin") == pattern(5 * PART + 7)
    driver.part_sizes.clear()
    await storage.put_large("large.bin", pattern(2 * PART), part_size=PART)  # its own part size wins
    assert driver.part_sizes == [PART, PART]


async def test_conditional_multipart_upload_is_refused_before_any_part() -> None:
    driver = PartsDriver()
    storage = DriverStorage(driver)
    await storage.put("taken.bin", b"original")
    with pytest.raises(StorageFileExistsError):
        await storage.put("taken.bin", iter([pattern(4 * PART)]), overwrite=False)
    assert driver.uploads == {}
    assert driver.aborted == []  # no upload was begun
    assert await storage.get_bytes("taken.bin") == b"original"


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
    await storage.put("big.bin", pattern(3 * PART))
    await storage.put_large("large.bin", pattern(3 * PART), part_size=PART)
    upload = await storage.start_multipart_upload("manual.bin")
    await storage.upload_part(upload, 1, b"part")
    await storage.complete_multipart_upload(upload)
    assert driver.begun == [("put", True), ("put", True), ("manual", None)]
    # Refused before any part is sent, the existing object untouched.
    sent = driver.parts_sent
    with pytest.raises(StorageFileExistsError):
        await storage.put("big.bin", pattern(3 * PART)[::-1], overwrite=False)
    assert driver.begun[-1] == ("put", False)
    assert driver.parts_sent == sent
    assert await storage.get_bytes("big.bin") == pattern(3 * PART)


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
