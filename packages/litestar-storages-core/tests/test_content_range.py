"""Reading a ranged answer's Content-Range, as every cloud driver does."""

from __future__ import annotations

import pytest

from litestar_storages.ranges import parse_content_range


@pytest.mark.parametrize(
    ("value", "length", "expected"),
    [
        (None, 11, (0, 11)),
        ("", 0, (0, 0)),
        ("bytes 0-1023/2048", 1024, (0, 2048)),
        ("bytes 2-5/11", 4, (2, 11)),
        ("bytes 5-9/*", 5, (5, 10)),
    ],
)
def test_parse_content_range(value: str | None, length: int, expected: tuple[int, int]) -> None:
    assert parse_content_range(value, length) == expected
