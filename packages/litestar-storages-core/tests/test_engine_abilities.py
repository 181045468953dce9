"""Walked listings (``SupportsListStream``), cheap existence checks (``SupportsExists``) and the
caller's own stream errors in streamed writes."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Mapping, Sequence

import pytest

from litestar_storages.attributes import NO_ATTRIBUTES, ObjectAttributes
from litestar_storages.engine import DriverStorage, ListPage, RangeBody, SupportsExists, SupportsListStream
from litestar_storages.error_mapping import ErrorMapper
from litestar_storages.exceptions import StorageError, StorageFileExistsError, StorageFileNotFoundError
from litestar_storages.retry import RetryConfig
from litestar_storages.types import StoredFile


class ServiceError(Exception):
    """The errors the in-test drivers own."""


def _translate(error: Exception, key: str | None) -> StorageError | None:
    if isinstance(error, FileExistsError):
        return StorageFileExistsError(key)
    return None


class BasicDriver:
    """A dict of objects, every primitive, no optional ability."""

    name = "BasicDriver"
    retry: RetryConfig | None = None

    def __init__(self) -> None:
        self.errors = ErrorMapper(_translate, backend=self.name, owns=(ServiceError,))
        self.objects: dict[str, tuple[bytes, str, dict[str, str], str]] = {}
        self.pages_asked = 0
        self.heads = 0

    def _file(self, name: str) -> StoredFile:
        data, ctype, metadata, etag = self.objects[name]
        return StoredFile(name, len(data), ctype, etag, None, dict(metadata))

    async def head(self, name: str) -> StoredFile | None:
        self.heads += 1
        return self._file(name) if name in self.objects else None

    async def open_range(self, name: str, start: int, end: int | None) -> RangeBody:
        if name not in self.objects:
            raise StorageFileNotFoundError(name)
        data = self.objects[name][0]
        stop = len(data) if end is None else min(end, len(data))
        return RangeBody(self._file(name), start, stop, aiter([data[start:stop]] if stop > start else []))  # type: ignore[arg-type]

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
        self.objects[name] = (bytes(body), content_type, dict(metadata), uuid.uuid4().hex)
        return self._file(name)

    async def delete(self, name: str, *, check: bool) -> bool:
        return self.objects.pop(name, None) is not None

    async def list_page(self, prefix: str, token: str | None, page_size: int) -> ListPage:
        self.pages_asked += 1
        return ListPage([self._file(name) for name in sorted(self.objects) if name.startswith(prefix)], None)

    async def copy(self, source: str, destination: str) -> StoredFile:
        self.objects[destination] = self.objects[source]
        return self._file(destination)

    async def close(self) -> None:
        return


class StreamingDriver(BasicDriver):
    """Uploads long streams itself."""

    name = "StreamingDriver"
    part_size = 1024

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
        return await self.write(name, body, content_type=content_type, metadata=metadata, overwrite=overwrite)


class WalkingDriver(BasicDriver):
    """Lists by walking its names in batches of two, recording what the engine asks of the walk."""

    name = "WalkingDriver"

    def __init__(self) -> None:
        super().__init__()
        self.walks: list[dict[str, object]] = []
        self.fail_walk = False

    async def list_stream(self, prefix: str, limit: int | None) -> AsyncIterator[Sequence[StoredFile]]:
        walk: dict[str, object] = {"prefix": prefix, "limit": limit, "batches": 0, "closed": False}
        self.walks.append(walk)
        names = sorted(name for name in self.objects if name.startswith(prefix))
        try:
            for index in range(0, len(names), 2):
                if self.fail_walk:
                    raise ServiceError("folder vanished")
                walk["batches"] = index // 2 + 1
                yield [self._file(name) for name in names[index : index + 2]]
        finally:
            walk["closed"] = True


async def _filled(prefix: str = "") -> tuple[WalkingDriver, DriverStorage]:
    driver = WalkingDriver()
    storage = DriverStorage(driver, prefix=prefix)
    for name in ("a1", "a2", "a3", "a4", "a5", "b1"):
        await storage.put(name, b"x")
    return driver, storage


def test_the_walking_driver_has_the_ability() -> None:
    assert isinstance(WalkingDriver(), SupportsListStream)
    assert not isinstance(BasicDriver(), SupportsListStream)


async def test_walk_is_used_instead_of_pages_and_limit_applied() -> None:
    driver, storage = await _filled()
    assert [file.key async for file in storage.list("a")] == ["a1", "a2", "a3", "a4", "a5"]
    assert [file.key async for file in storage.list("a", limit=3)] == ["a1", "a2", "a3"]
    assert driver.pages_asked == 0
    assert driver.walks[-1] == {"prefix": "a", "limit": 3, "batches": 2, "closed": True}
    assert [file.key async for file in storage.list(limit=0)] == []
    assert len(driver.walks) == 2  # limit=0 starts no walk


async def test_walk_closed_when_the_caller_stops_early() -> None:
    driver, storage = await _filled()
    listing = storage.list()
    assert (await anext(listing)).key == "a1"
    assert driver.walks[-1]["closed"] is False
    await listing.aclose()  # type: ignore[attr-defined] # an async generator
    assert driver.walks[-1]["closed"] is True


async def test_walk_gets_the_prefix_joined_and_keys_come_back_stripped() -> None:
    driver, storage = await _filled(prefix="tenant")
    assert [file.key async for file in storage.list("b")] == ["b1"]
    assert driver.walks[-1]["prefix"] == "tenant/b"


async def test_walk_errors_go_through_the_error_table() -> None:
    driver, storage = await _filled()
    driver.fail_walk = True
    with pytest.raises(StorageError) as caught:
        _ = [file async for file in storage.list()]
    assert isinstance(caught.value.__cause__, ServiceError)
    assert driver.walks[-1]["closed"] is True


class _Boom(ServiceError):
    """An exception of a type the driver owns, raised by the caller's own stream."""


async def test_callers_stream_error_of_an_owned_type_propagates_as_itself() -> None:
    driver = StreamingDriver()
    storage = DriverStorage(driver)
    boom = _Boom("the client went away")

    async def source() -> AsyncIterator[bytes]:
        yield b"z" * (2 * driver.part_size)  # past the first block: streamed by the driver
        raise boom

    with pytest.raises(_Boom) as caught:
        await storage.put("upload.bin", source())
    assert caught.value is boom
    assert "upload.bin" not in driver.objects


async def test_drivers_own_stream_errors_are_still_translated() -> None:
    class FailingStreamDriver(StreamingDriver):
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
            async for _ in chunks:
                raise ServiceError("disk full")
            raise AssertionError("unreachable")

    driver = FailingStreamDriver()
    storage = DriverStorage(driver)

    async def source() -> AsyncIterator[bytes]:
        for _ in range(3):
            yield b"z" * driver.part_size

    with pytest.raises(StorageError) as caught:
        await storage.put("upload.bin", source())
    assert isinstance(caught.value.__cause__, ServiceError)


class LookingDriver(BasicDriver):
    """Answers ``exists`` without describing the object."""

    name = "LookingDriver"

    def __init__(self) -> None:
        super().__init__()
        self.looked: list[str] = []

    async def exists(self, name: str) -> bool:
        self.looked.append(name)
        if name == "broken":
            raise ServiceError("stat failed")
        return name in self.objects


async def test_exists_uses_the_cheap_check_when_the_driver_has_one() -> None:
    assert isinstance(LookingDriver(), SupportsExists)
    assert not isinstance(BasicDriver(), SupportsExists)
    driver = LookingDriver()
    storage = DriverStorage(driver, prefix="p")
    await storage.put("here.txt", b"x")
    assert await storage.exists("here.txt") is True
    assert await storage.exists("gone.txt") is False
    assert driver.looked == ["p/here.txt", "p/gone.txt"]
    assert driver.heads == 0
    with pytest.raises(StorageError) as caught:
        await storage.exists("../broken")
    assert driver.looked == ["p/here.txt", "p/gone.txt"]  # the key is checked first
    with pytest.raises(StorageError) as caught:
        await DriverStorage(driver).exists("broken")
    assert isinstance(caught.value.__cause__, ServiceError)


async def test_exists_falls_back_to_head() -> None:
    driver = BasicDriver()
    storage = DriverStorage(driver)
    await storage.put("here.txt", b"x")
    assert await storage.exists("here.txt") is True
    assert await storage.exists("gone.txt") is False
    assert driver.heads == 2
