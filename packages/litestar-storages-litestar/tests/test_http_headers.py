from __future__ import annotations

import contextlib
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from litestar_storages.contrib.http_dates import parse_http_date
from litestar_storages.contrib.http_headers import (
    MAX_HEADER_LENGTH,
    MAX_RANGES,
    ByteRange,
    RangeNotSatisfiable,
    content_disposition,
    etag_for,
    http_date,
    if_range_allows,
    is_not_modified,
    parse_range,
    parse_ranges,
    precondition_failed,
)
from litestar_storages.exceptions import InvalidMetadataError
from litestar_storages.types import StoredFile

MODIFIED = datetime(2026, 11, 25, 10, 0, 0, 500_000, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-0", ByteRange(0, 0, 100)),
        ("bytes=10-19", ByteRange(10, 19, 100)),
        ("bytes=90-", ByteRange(90, 99, 100)),
        ("bytes=90-1000", ByteRange(90, 99, 100)),
        ("bytes=-10", ByteRange(90, 99, 100)),
        ("bytes=-1000", ByteRange(0, 99, 100)),
        ("BYTES = 5-6", ByteRange(5, 6, 100)),
        (None, None),
        ("", None),
        ("items=0-5", None),
        ("bytes=5-2", None),
        ("bytes=0-1,5-6", None),
        ("bytes=0-4,3-9", ByteRange(0, 9, 100)),
        ("bytes=5-9, 0-4", ByteRange(0, 9, 100)),
        ("bytes=100-, 90-", ByteRange(90, 99, 100)),
        ("bytes=abc", None),
        ("bytes=-", None),
        ("bytes=", None),
    ],
)
def test_parse_range(header: str | None, expected: ByteRange | None) -> None:
    assert parse_range(header, 100) == expected


@pytest.mark.parametrize(("header", "size"), [("bytes=100-", 100), ("bytes=-0", 100), ("bytes=0-", 0), ("bytes=-5", 0)])
def test_parse_range_unsatisfiable(header: str, size: int) -> None:
    with pytest.raises(RangeNotSatisfiable) as caught:
        parse_range(header, size)
    assert caught.value.content_range == f"bytes */{size}"


def test_parse_ranges_merges_overlaps_and_keeps_file_order() -> None:
    assert parse_ranges("bytes=50-59, 0-9, -5", 100) == [
        ByteRange(0, 9, 100),
        ByteRange(50, 59, 100),
        ByteRange(95, 99, 100),
    ]
    assert parse_ranges("bytes=0-9,10-19,30-39", 100) == [ByteRange(0, 19, 100), ByteRange(30, 39, 100)]
    assert parse_ranges("bytes=0-1,,5-6,", 100) == [ByteRange(0, 1, 100), ByteRange(5, 6, 100)]
    # Unsatisfiable ranges are dropped while others remain; none left is a 416.
    assert parse_ranges("bytes=0-1, 200-300", 100) == [ByteRange(0, 1, 100)]
    with pytest.raises(RangeNotSatisfiable):
        parse_ranges("bytes=100-, 200-300", 100)
    # One malformed range spoils the header: the whole file is sent.
    assert parse_ranges("bytes=0-1, x-3", 100) is None
    assert parse_ranges("bytes=0-1, 5-2", 100) is None


def test_parse_ranges_refuses_too_many_ranges() -> None:
    allowed = ",".join(f"{i * 4}-{i * 4 + 1}" for i in range(MAX_RANGES))
    assert parse_ranges(f"bytes={allowed}", 1000) is not None
    too_many = ",".join(f"{i * 4}-{i * 4 + 1}" for i in range(MAX_RANGES + 1))
    assert parse_ranges(f"bytes={too_many}", 1000) is None
    # Many ranges that merge into few are fine.
    adjacent = ",".join(f"{i}-{i}" for i in range(MAX_RANGES * 2))
    assert parse_ranges(f"bytes={adjacent}", 1000) == [ByteRange(0, MAX_RANGES * 2 - 1, 1000)]


@given(size=st.integers(1, 10_000), first=st.integers(0, 20_000), length=st.integers(1, 20_000))
def test_parse_range_stays_inside_the_file(size: int, first: int, length: int) -> None:
    header = f"bytes={first}-{first + length - 1}"
    if first >= size:
        with pytest.raises(RangeNotSatisfiable):
            parse_range(header, size)
        return
    parsed = parse_range(header, size)
    assert parsed is not None
    assert 0 <= parsed.first <= parsed.last < size
    assert parsed.length == min(length, size - first)
    assert parsed.content_range == f"bytes {parsed.first}-{parsed.last}/{size}"


def test_etag_quoting() -> None:
    assert etag_for(StoredFile("k", 1, etag="abc")) == '"abc"'
    assert etag_for(StoredFile("k", 1, etag='"abc"')) == '"abc"'
    assert etag_for(StoredFile("k", 1, etag='W/"abc"')) == 'W/"abc"'
    weak = etag_for(StoredFile("k", 255, last_modified=MODIFIED))
    assert weak is not None
    assert weak.startswith('W/"ff-')
    assert etag_for(StoredFile("k", 1)) is None


def test_not_modified_by_etag_weak_comparison() -> None:
    kwargs = {"if_modified_since": None}
    assert is_not_modified('"a"', None, if_none_match='"a"', **kwargs)
    assert is_not_modified('"a"', None, if_none_match='W/"a"', **kwargs)
    assert is_not_modified('W/"a"', None, if_none_match='"x", "a"', **kwargs)
    assert is_not_modified('"a"', None, if_none_match="*", **kwargs)
    assert not is_not_modified('"a"', None, if_none_match='"b"', **kwargs)
    assert not is_not_modified(None, None, if_none_match='"b"', **kwargs)


def test_not_modified_by_date() -> None:
    same_second = http_date(MODIFIED)
    assert is_not_modified(None, MODIFIED, if_none_match=None, if_modified_since=same_second)
    later = http_date(MODIFIED + timedelta(hours=1))
    assert is_not_modified(None, MODIFIED, if_none_match=None, if_modified_since=later)
    earlier = http_date(MODIFIED - timedelta(seconds=1))
    assert not is_not_modified(None, MODIFIED, if_none_match=None, if_modified_since=earlier)
    assert not is_not_modified(None, MODIFIED, if_none_match=None, if_modified_since="not a date")
    # If-None-Match wins over If-Modified-Since.
    assert not is_not_modified('"a"', MODIFIED, if_none_match='"b"', if_modified_since=later)


def test_precondition_failed_by_if_match_strong_comparison() -> None:
    kwargs = {"if_unmodified_since": None}
    assert not precondition_failed('"a"', None, if_match='"a"', **kwargs)
    assert not precondition_failed('"a"', None, if_match='"x", "a"', **kwargs)
    assert not precondition_failed('"a"', None, if_match="*", **kwargs)
    assert precondition_failed('"a"', None, if_match='"b"', **kwargs)
    assert precondition_failed('"a"', None, if_match='W/"a"', **kwargs)
    assert precondition_failed('W/"a"', None, if_match='W/"a"', **kwargs)
    assert precondition_failed(None, None, if_match='"a"', **kwargs)
    assert not precondition_failed('"a"', MODIFIED, if_match=None, if_unmodified_since=None)


def test_precondition_failed_by_date() -> None:
    same_second = http_date(MODIFIED)
    assert not precondition_failed(None, MODIFIED, if_match=None, if_unmodified_since=same_second)
    earlier = http_date(MODIFIED - timedelta(seconds=1))
    assert precondition_failed(None, MODIFIED, if_match=None, if_unmodified_since=earlier)
    assert not precondition_failed(None, MODIFIED, if_match=None, if_unmodified_since="not a date")
    # If-Match wins over If-Unmodified-Since.
    assert not precondition_failed('"a"', MODIFIED, if_match='"a"', if_unmodified_since=earlier)


def test_if_range() -> None:
    assert if_range_allows(None, '"a"', MODIFIED)
    assert if_range_allows('"a"', '"a"', MODIFIED)
    assert not if_range_allows('"b"', '"a"', MODIFIED)
    assert not if_range_allows('W/"a"', 'W/"a"', MODIFIED)
    assert if_range_allows(http_date(MODIFIED), '"a"', MODIFIED)
    assert not if_range_allows(http_date(MODIFIED + timedelta(seconds=5)), '"a"', MODIFIED)


def test_http_date() -> None:
    assert http_date(MODIFIED) == "Wed, 25 Nov 2026 10:00:00 GMT"


@pytest.mark.parametrize(
    ("filename", "attachment", "expected"),
    [
        ("report.pdf", True, 'attachment; filename="report.pdf"'),
        ("report.pdf", False, 'inline; filename="report.pdf"'),
        (None, False, "inline"),
        ("résumé.pdf", True, "attachment; filename=\"resume.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf"),
        ("文件.txt", True, "attachment; filename=\"__.txt\"; filename*=UTF-8''%E6%96%87%E4%BB%B6.txt"),
        ('say "hi".txt', False, "inline; filename=\"say _hi_.txt\"; filename*=UTF-8''say%20%22hi%22.txt"),
    ],
)
def test_content_disposition(filename: str | None, attachment: bool, expected: str) -> None:
    assert content_disposition(filename, attachment=attachment) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Sun, 06 Nov 1994 08:49:37 GMT", datetime(1994, 11, 6, 8, 49, 37, tzinfo=timezone.utc)),
        ("Sunday, 06-Nov-94 08:49:37 GMT", datetime(1994, 11, 6, 8, 49, 37, tzinfo=timezone.utc)),
        ("Sun Nov  6 08:49:37 1994", datetime(1994, 11, 6, 8, 49, 37, tzinfo=timezone.utc)),
        ("  Sun, 06 Nov 1994 08:49:37 GMT ", datetime(1994, 11, 6, 8, 49, 37, tzinfo=timezone.utc)),
        ("Sun, 06 Nov 1994 08:49:60 GMT", datetime(1994, 11, 6, 8, 49, 59, tzinfo=timezone.utc)),
        ("Sun, 06 Nov 99999999999 08:49:37 GMT", None),  # past year 9999 (was an OverflowError)
        ("Sun, 31 Feb 1994 08:49:37 GMT", None),
        ("Sun, 06 Nov 1994 25:49:37 GMT", None),
        ("Sun, 06 Nov 1994 08:49:37 +0000", None),
        ("Sun, \uff10\uff16 Nov 1994 08:49:37 GMT", None),  # fullwidth digits
        ("Sun, ²6 Nov 1994 08:49:37 GMT", None),
        ("sun, 06 nov 1994 08:49:37 gmt", None),  # the formats are case-sensitive
        ("Sun, 06 Nov 1994 08:49:37 GMT" + " " * 100, None),  # longer than MAX_DATE_LENGTH
        ("", None),
        (None, None),
    ],
)
def test_parse_http_date(value: str | None, expected: datetime | None) -> None:
    assert parse_http_date(value) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (f"bytes=10-{'9' * 4301}", ByteRange(10, 99, 100)),
        (f"bytes=-{'9' * 4301}", ByteRange(0, 99, 100)),
        (f"bytes={'0' * 3000}5-{'0' * 3000}6", ByteRange(5, 6, 100)),
        ("bytes=²-5", None),
        ("bytes=٣-5", None),
        ("bytes=0-5" + " " * MAX_HEADER_LENGTH, None),
        ("bytes=\u00a00-5", None),  # a non-ASCII space
    ],
)
def test_parse_range_bounds_numbers_and_refuses_non_ascii(header: str, expected: ByteRange | None) -> None:
    assert parse_range(header, 100) == expected
    with pytest.raises(RangeNotSatisfiable):
        parse_range(f"bytes={'9' * 4301}-", 100)


def test_etag_lists_are_parsed_strictly() -> None:
    assert is_not_modified('"a,b"', None, if_none_match='"x", "a,b"', if_modified_since=None)
    assert is_not_modified('"a"', None, if_none_match=' , "x",, W/"a" ,', if_modified_since=None)
    assert not is_not_modified('"a"', None, if_none_match='"a" junk', if_modified_since=None)
    assert not is_not_modified('"a"', None, if_none_match='"a", ' * 2000, if_modified_since=None)
    assert precondition_failed('"a"', None, if_match='"a" junk', if_unmodified_since=None)
    assert not precondition_failed('"a"', None, if_match='"b", "a"', if_unmodified_since=None)


@given(value=st.text(max_size=200), size=st.integers(0, 1000))
def test_header_rules_never_raise_on_any_text(value: str, size: int) -> None:
    with contextlib.suppress(RangeNotSatisfiable):
        parse_ranges(value, size)
    precondition_failed('"a"', MODIFIED, if_match=value, if_unmodified_since=value)
    precondition_failed('"a"', MODIFIED, if_match=None, if_unmodified_since=value)
    is_not_modified('"a"', MODIFIED, if_none_match=value, if_modified_since=value)
    is_not_modified('"a"', MODIFIED, if_none_match=None, if_modified_since=value)
    if_range_allows(value, '"a"', MODIFIED)
    parse_http_date(value)
    with contextlib.suppress(InvalidMetadataError):  # control characters are refused
        content_disposition(value, attachment=False)


def test_content_disposition_refuses_a_lone_surrogate() -> None:
    # No UTF-8 form, so no honest filename*: refused like a control character.
    with pytest.raises(InvalidMetadataError):
        content_disposition("a\udc80.txt", attachment=True)


def test_content_disposition_refuses_control_characters() -> None:
    # Refused, not stripped: no form of a CR LF may reach a header (core rule, #18).
    with pytest.raises(InvalidMetadataError):
        content_disposition("evil\r\nSet-Cookie: x.txt", attachment=True)
