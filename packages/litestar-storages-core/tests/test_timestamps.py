from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from litestar_storages.timestamps import parse_rfc3339


@pytest.mark.parametrize(
    ("text", "microsecond"),
    [
        ("2024-05-01T12:00:00Z", 0),
        ("2024-05-01T12:00:00.1Z", 100_000),
        ("2024-05-01T12:00:00.123Z", 123_000),
        ("2024-05-01T12:00:00.123456789Z", 123_456),
    ],
)
def test_every_fraction_length(text: str, microsecond: int) -> None:
    moment = parse_rfc3339(text)
    assert moment == datetime(2024, 5, 1, 12, 0, 0, microsecond, tzinfo=timezone.utc)


def test_offsets_are_kept_and_naive_values_are_utc() -> None:
    moment = parse_rfc3339("2024-05-01T14:00:00.5+02:00")
    assert moment is not None
    assert moment.utcoffset() == timedelta(hours=2)
    assert moment == datetime(2024, 5, 1, 12, 0, 0, 500_000, tzinfo=timezone.utc)
    assert parse_rfc3339("2024-05-01T12:00:00") == datetime(2024, 5, 1, 12, tzinfo=timezone.utc)


@pytest.mark.parametrize("value", [None, "", "yesterday", "2024-13-01T00:00:00Z", 1714564800, b"2024-05-01"])
def test_anything_else_is_none(value: object) -> None:
    assert parse_rfc3339(value) is None
