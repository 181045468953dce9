"""HeldObject: an opened version held in memory, read by range."""

from __future__ import annotations

import pytest

from litestar_storages.exceptions import InvalidRangeError
from litestar_storages.opened import HeldObject, OpenedObject
from litestar_storages.types import StoredFile

DATA = bytes(range(100))


async def _read(opened: OpenedObject, start: int, end: int) -> list[bytes]:
    return [chunk async for chunk in opened.read(start, end)]


async def test_ranges_of_a_held_version() -> None:
    held = HeldObject(StoredFile(key="k", size=len(DATA)), DATA)
    assert isinstance(held, OpenedObject)
    assert await _read(held, 0, 100) == [DATA]
    assert await _read(held, 10, 20) == [DATA[10:20]]
    assert await _read(held, 99, 100) == [DATA[99:]]
    assert await _read(held, 50, 50) == []
    held.close()
    assert await _read(held, 0, 3) == [DATA[:3]]  # nothing was released: still readable


async def test_an_empty_version_yields_nothing() -> None:
    assert await _read(HeldObject(StoredFile(key="k", size=0), b""), 0, 0) == []


@pytest.mark.parametrize(("start", "end"), [(-1, 5), (5, 4), (0, 101), (101, 101)])
def test_ranges_outside_the_version_are_refused(start: int, end: int) -> None:
    held = HeldObject(StoredFile(key="k", size=len(DATA)), DATA)
    with pytest.raises(InvalidRangeError, match="outside the 100 bytes"):
        held.read(start, end)
