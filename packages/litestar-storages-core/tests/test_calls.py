"""litestar_storages.calls: any storage called with the keywords it accepts."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator
from typing import Any

import pytest

from litestar_storages import calls
from litestar_storages.backends.memory import MemoryStorage
from litestar_storages.exceptions import (
    InvalidRangeError,
    StorageFileExistsError,
    StorageFileNotFoundError,
    UnsupportedOperationError,
    build_error,
)
from litestar_storages.types import ProgressInfo, StoredFile


class Plain:
    """0.2.x signatures only."""

    def __init__(self, data: bytes = b"0123456789") -> None:
        self.data = data
        self.closed_streams = 0
        self.stored: dict[str, bytes] = {}

    async def get(self, key: str) -> AsyncIterator[bytes]:
        if key != "f":
            raise StorageFileNotFoundError(key)
        try:
            for start in range(0, len(self.data), 3):
                yield self.data[start : start + 3]
        finally:
            self.closed_streams += 1

    async def get_bytes(self, key: str) -> bytes:
        return b"".join([chunk async for chunk in self.get(key)])

    async def delete(self, key: str) -> None:
        raise StorageFileNotFoundError(key)

    async def put(self, key: str, data: Any, *, content_type: str | None = None, metadata: Any = None) -> StoredFile:
        if not isinstance(data, bytes):
            data = b"".join([chunk async for chunk in data])
        self.stored[key] = data
        return StoredFile(key=key, size=len(data))


class AnyKeywords(Plain):
    def __init__(self) -> None:
        super().__init__()
        self.seen: dict[str, Any] = {}

    async def delete(self, key: str, **kwargs: Any) -> None:
        self.seen = kwargs


def test_accepts_reads_each_class_signature_once(monkeypatch: pytest.MonkeyPatch) -> None:
    class Fresh(Plain):
        pass

    inspected: list[object] = []
    real = inspect.signature

    def counting(function: Any) -> inspect.Signature:
        inspected.append(function)
        return real(function)

    monkeypatch.setattr(inspect, "signature", counting)
    storage = Fresh()
    for _ in range(5):
        assert not calls.accepts(storage, "get", "start")
        assert calls.accepts(storage, "put", "content_type")
    assert len(inspected) == 2  # one per (class, method)
    assert calls.accepts(MemoryStorage(), "get", "start")
    assert calls.accepts(AnyKeywords(), "delete", "missing_ok")  # **kwargs takes anything


def test_a_method_set_on_the_instance_is_inspected_itself() -> None:
    storage = Plain()

    async def ranged_get(key: str, *, start: int | None = None, end: int | None = None) -> AsyncIterator[bytes]:
        yield b""

    storage.get = ranged_get  # type: ignore[method-assign]
    assert calls.accepts(storage, "get", "start")
    assert not calls.accepts(Plain(), "get", "start")


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [(None, None, b"0123456789"), (2, 7, b"23456"), (3, 6, b"345"), (0, 1, b"0"), (8, None, b"89"), (9, 50, b"9")],
)
async def test_ranges_are_cut_client_side(start: int | None, end: int | None, expected: bytes) -> None:
    storage = Plain()
    assert b"".join([chunk async for chunk in calls.open_read(storage, "f", start=start, end=end)]) == expected
    assert await calls.read_bytes(storage, "f", start=start, end=end) == expected
    assert storage.closed_streams == 2  # the storage's stream is closed, also when a range ends early


async def test_invalid_range_and_missing_key_raise_on_iteration() -> None:
    with pytest.raises(InvalidRangeError):
        await calls.read_bytes(Plain(), "f", start=5, end=2)
    with pytest.raises(StorageFileNotFoundError):
        await calls.read_bytes(Plain(), "missing", start=1)


async def test_progress_is_counted_when_get_takes_none() -> None:
    reports: list[ProgressInfo] = []
    data = b"".join([chunk async for chunk in calls.open_read(Plain(), "f", progress=reports.append)])
    assert data == b"0123456789"
    assert [report.bytes_transferred for report in reports] == [3, 6, 9, 10]
    assert all(report.total_bytes is None and report.percentage is None for report in reports)


async def test_a_get_written_as_a_coroutine_returning_an_iterator() -> None:
    class CoroutineGet(Plain):
        async def get(self, key: str) -> AsyncIterator[bytes]:  # type: ignore[override]
            return super().get(key)

    assert await calls.read_bytes(CoroutineGet(), "f", start=1, end=3) == b"12"
    assert b"".join([chunk async for chunk in calls.open_read(CoroutineGet(), "f")]) == b"0123456789"


async def test_delete_object_missing_ok_fallback() -> None:
    await calls.delete_object(Plain(), "gone", missing_ok=True)
    with pytest.raises(StorageFileNotFoundError):
        await calls.delete_object(Plain(), "gone")
    storage = AnyKeywords()
    await calls.delete_object(storage, "x", missing_ok=True)
    assert storage.seen == {"missing_ok": True}


async def test_write_emulates_progress_and_refuses_overwrite_false() -> None:
    storage = Plain()
    reports: list[ProgressInfo] = []

    async def body() -> AsyncIterator[bytes]:
        yield b"ab"
        yield b"cde"

    await calls.write(storage, "s", body(), progress=reports.append)
    await calls.write(storage, "b", b"xyz", progress=reports.append)
    assert storage.stored == {"s": b"abcde", "b": b"xyz"}
    seen = [(report.key, report.bytes_transferred, report.total_bytes) for report in reports]
    assert seen == [("s", 2, None), ("s", 5, None), ("b", 3, 3)]
    with pytest.raises(UnsupportedOperationError, match="overwrite"):
        await calls.write(storage, "b", b"new", overwrite=False)
    assert storage.stored["b"] == b"xyz"
    memory = MemoryStorage()  # takes overwrite: passed on
    await calls.write(memory, "k", b"1")
    with pytest.raises(StorageFileExistsError):
        await calls.write(memory, "k", b"2", overwrite=False)


def test_build_error_builds_both_constructor_shapes() -> None:
    missing = build_error(StorageFileNotFoundError, "gone (for k)", key="k")
    assert (type(missing), missing.key, str(missing)) == (StorageFileNotFoundError, "k", "gone (for k)")
    denied = build_error(UnsupportedOperationError, "no", key="k")
    assert (denied.key, str(denied)) == ("k", "no")
