"""The engine's two abilities for in-process stores: ``SupportsDirectWrite`` and ``SupportsRename``.

``LocalDriver`` keeps objects as the chunks it was given and records what the engine
handed it, so each test can tell which path a put or a move took.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime, timezone

import pytest

from litestar_storages.attributes import NO_ATTRIBUTES, ObjectAttributes
from litestar_storages.engine import (
    DriverStorage,
    ListPage,
    RangeBody,
    SupportsDirectWrite,
    SupportsParts,
    SupportsRename,
)
from litestar_storages.error_mapping import ErrorMapper
from litestar_storages.exceptions import StorageError, StorageFileNotFoundError, StorageValidationError
from litestar_storages.types import ProgressInfo, StoredFile

PART = 64 * 1024


class Missing(Exception):
    """The service's not-found error."""


def _translate(error: Exception, key: str | None) -> StorageError | None:
    return StorageFileNotFoundError(key) if isinstance(error, Missing) else None


class LocalDriver:
    """A dict of chunk lists, with direct writes, renames and (for the manual API) parts."""

    name = "LocalDriver"
    retry = None
    part_size = PART
    max_concurrency = 2
    max_part_size = 4 * PART
    max_parts = 100

    def __init__(self) -> None:
        self.errors = ErrorMapper(_translate, backend=self.name, owns=(Missing,))
        self.objects: dict[str, tuple[list[bytes], str]] = {}
        self.calls: list[str] = []
        self.received: list[object] = []  # the very objects write/write_chunks were given

    def _file(self, name: str) -> StoredFile:
        chunks, etag = self.objects[name]
        return StoredFile(name, sum(map(len, chunks)), "application/octet-stream", etag, datetime.now(timezone.utc))

    def _missing(self, name: str) -> None:
        if name not in self.objects:
            raise Missing(name)

    async def head(self, name: str) -> StoredFile | None:
        return self._file(name) if name in self.objects else None

    async def open_range(self, name: str, start: int, end: int | None) -> RangeBody:
        self._missing(name)
        data = b"".join(self.objects[name][0])
        first = min(start, len(data))
        stop = len(data) if end is None else max(first, min(end, len(data)))
        return RangeBody(self._file(name), first, stop, self._body(data[first:stop]))

    async def _body(self, data: bytes) -> AsyncIterator[bytes]:
        if data:
            yield data

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
        self.received.append(body)
        self.objects[name] = ([bytes(body)], uuid.uuid4().hex)
        return self._file(name)

    async def write_chunks(
        self,
        name: str,
        chunks: AsyncIterator[bytes],
        *,
        content_type: str,
        metadata: Mapping[str, str],
        overwrite: bool,
        attributes: ObjectAttributes = NO_ATTRIBUTES,
    ) -> StoredFile:
        self.calls.append("write_chunks")
        kept = []
        async for chunk in chunks:
            self.received.append(chunk)
            kept.append(chunk)
        self.objects[name] = (kept, uuid.uuid4().hex)
        return self._file(name)

    async def delete(self, name: str, *, check: bool) -> bool:
        self.calls.append("delete")
        return self.objects.pop(name, None) is not None

    async def list_page(self, prefix: str, token: str | None, page_size: int) -> ListPage:
        names = sorted(name for name in self.objects if name.startswith(prefix) and (token is None or name > token))
        return ListPage([self._file(name) for name in names[:page_size]], None)

    async def copy(self, source: str, destination: str) -> StoredFile:
        self.calls.append("copy")
        self._missing(source)
        self.objects[destination] = self.objects[source]
        return self._file(destination)

    async def rename(self, source: str, destination: str) -> StoredFile:
        self.calls.append("rename")
        self._missing(source)
        self.objects[destination] = self.objects.pop(source)
        return self._file(destination)

    async def close(self) -> None:
        return

    async def begin_parts(
        self, name: str, *, content_type: str, metadata: Mapping[str, str], attributes: ObjectAttributes = NO_ATTRIBUTES
    ) -> str:
        raise AssertionError("put never uses parts with a direct writer")

    async def put_part(self, name: str, upload_id: str, number: int, body: bytes | bytearray | memoryview) -> str:
        raise AssertionError("not used")

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
        raise AssertionError("not used")

    async def abort_parts(self, name: str, upload_id: str) -> None:
        raise AssertionError("not used")


def test_local_driver_has_both_abilities() -> None:
    driver = LocalDriver()
    assert isinstance(driver, SupportsDirectWrite)
    assert isinstance(driver, SupportsRename)
    assert isinstance(driver, SupportsParts)


async def test_bytes_of_any_size_go_to_write_as_they_are() -> None:
    driver = LocalDriver()
    storage = DriverStorage(driver)
    large = b"b" * (10 * PART)  # far above part_size: no parts, no first block, no copy
    reports: list[ProgressInfo] = []
    stored = await storage.put("large.bin", large, progress=reports.append)
    assert stored.size == len(large)
    assert driver.calls == ["write"]
    assert driver.received[0] is large
    assert [report.bytes_transferred for report in reports] == [len(large)]


async def test_streams_go_to_write_chunks_chunk_by_chunk() -> None:
    driver = LocalDriver()
    storage = DriverStorage(driver)
    sent = [bytes([n]) * (PART + n) for n in range(3)]
    reports: list[ProgressInfo] = []

    async def source() -> AsyncIterator[bytes]:
        for chunk in sent:
            yield chunk

    stored = await storage.put("s.bin", source(), progress=reports.append)
    assert driver.calls == ["write_chunks"]
    # The very chunks the input yielded, none read ahead into a block or copied.
    assert all(got is chunk for got, chunk in zip(driver.received, sent, strict=True))
    assert stored.size == sum(map(len, sent))
    assert [report.bytes_transferred for report in reports] == [PART, 2 * PART + 1, 3 * PART + 3]
    assert await storage.get_bytes("s.bin") == b"".join(sent)


async def test_a_failing_stream_propagates_unchanged_and_stores_nothing() -> None:
    driver = LocalDriver()
    storage = DriverStorage(driver)

    class Broken(Exception):
        pass

    async def failing() -> AsyncIterator[bytes]:
        yield b"x" * 10
        raise Broken

    with pytest.raises(Broken):
        await storage.put("f.bin", failing())
    assert not await storage.exists("f.bin")


async def test_put_large_part_size_is_still_checked() -> None:
    driver = LocalDriver()
    storage = DriverStorage(driver)
    for bad in (0, True, 4 * PART + 1):
        with pytest.raises(StorageValidationError, match="part_size"):
            await storage.put_large("x.bin", b"x", part_size=bad)
    await storage.put_large("x.bin", b"x" * 3, part_size=PART)
    assert driver.calls == ["write"]


async def test_move_is_one_rename() -> None:
    driver = LocalDriver()
    storage = DriverStorage(driver, prefix="t")
    await storage.put("a.txt", b"a")
    moved = await storage.move("a.txt", "b/c.txt")
    assert moved.key == "b/c.txt"
    assert driver.calls == ["write", "rename"]
    assert await storage.get_bytes("b/c.txt") == b"a"
    assert not await storage.exists("a.txt")
    with pytest.raises(StorageFileNotFoundError) as missing:
        await storage.move("a.txt", "d.txt")
    assert missing.value.key == "a.txt"
    with pytest.raises(StorageError):
        await storage.move("b/c.txt", "../x")  # keys checked before the driver is asked
    assert "copy" not in driver.calls
