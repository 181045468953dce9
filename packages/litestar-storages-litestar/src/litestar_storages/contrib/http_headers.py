"""HTTP header rules for serving stored files: Range, conditional requests, ETag, Content-Disposition.

Pure functions, independent of Litestar, so the response helper stays a thin layer and
each rule is tested on its own. Several ranges are served as ``multipart/byteranges``
(merged where they overlap, at most :data:`MAX_RANGES`).

Every request header is client input: it is read with ASCII-only grammars (``[0-9]``,
never ``str.isdigit`` or a Unicode-aware digit class, which accept other scripts' digits), only up to
:data:`MAX_HEADER_LENGTH` characters, and numbers never reach ``int()`` with more
digits than a file size can have. A malformed value is ignored where RFC 9110 says
so (``Range``, dates) and otherwise fails safe (an unreadable ``If-Match`` matches
nothing, so the request gets 412 rather than bytes of a version it did not ask for).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone

from litestar_storages.contrib.http_dates import http_date, parse_http_date
from litestar_storages.disposition import content_disposition  # one builder for every backend
from litestar_storages.types import StoredFile

__all__ = (
    "MAX_HEADER_LENGTH",
    "MAX_RANGES",
    "ByteRange",
    "RangeNotSatisfiable",
    "content_disposition",
    "etag_for",
    "http_date",
    "if_range_allows",
    "is_not_modified",
    "parse_range",
    "parse_ranges",
    "precondition_failed",
)

# RFC 9110 grammar, ASCII only: OWS is space or tab, digits are 0-9.
_RANGE_SPEC = re.compile(r"[ \t]*([0-9]*)[ \t]*-[ \t]*([0-9]*)[ \t]*")
# One element of an entity-tag list and the comma after it, matched where the last one
# ended: no search, so a long hostile header costs one linear pass. Empty elements
# ("a, , b") are allowed, as for any RFC 9110 list.
_ETAG_LIST_ITEM = re.compile(r'[ \t]*(?:((?:W/)?"[\x21\x23-\x7e\x80-\xff]*")[ \t]*)?(?:,|\Z)')
_ENTITY_TAG = re.compile(r'(?:W/)?"[\x21\x23-\x7e\x80-\xff]*"')


@dataclass(frozen=True)
class ByteRange:
    """One satisfiable byte range of a file.

    Attributes:
        first: First byte to send (inclusive).
        last: Last byte to send (inclusive, as in ``Content-Range``).
        size: The whole file's size.
    """

    first: int
    last: int
    size: int

    @property
    def length(self) -> int:
        """Number of bytes in the range."""
        return self.last - self.first + 1

    @property
    def content_range(self) -> str:
        """The ``Content-Range`` header value of a 206 response."""
        return f"bytes {self.first}-{self.last}/{self.size}"


class RangeNotSatisfiable(Exception):
    """The requested range lies wholly outside the file: answer 416.

    Attributes:
        size: The file's size, for ``Content-Range: bytes */size``.
    """

    def __init__(self, size: int) -> None:
        """Create the verdict.

        Args:
            size: The file's size.
        """
        super().__init__(f"range not satisfiable for a file of {size} bytes")
        self.size = size

    @property
    def content_range(self) -> str:
        """The ``Content-Range`` header value of a 416 response."""
        return f"bytes */{self.size}"


MAX_RANGES = 16
"""Most ranges one request may get as ``multipart/byteranges``; more are answered whole.

RFC 9110 (14.2) lets a server ignore a ``Range`` of many small ranges: it costs one
download each, and a request listing thousands is a cheap way to load a server.
"""

MAX_HEADER_LENGTH = 8192
"""Longest ``Range``, ``If-Match``, ``If-None-Match`` or ``If-Range`` value read.

A longer one is treated as malformed: ``Range`` is ignored (200), an ``If-None-Match``
matches nothing, an ``If-Match`` fails (412), an ``If-Range`` sends the whole file.
Servers cap whole header blocks anyway (uvicorn and h11 at 16 KiB by default); this
bound holds whatever server runs the application.
"""

# Bigger than any file: positions with more digits are clamped to it (RFC 9110 lets a
# last-pos or suffix exceed the file, so they stay valid) instead of reaching int(),
# which refuses more than 4,300 digits and would cost time on fewer.
_HUGE = 10**19
_MAX_DIGITS = 19


def _position(digits: str) -> int:
    significant = digits.lstrip("0")
    return _HUGE if len(significant) > _MAX_DIGITS else int(significant or "0")


def _one_range(spec: str, size: int) -> ByteRange | None:
    # None: malformed (the whole header is then ignored); raises when it lies past the end.
    match = _RANGE_SPEC.fullmatch(spec)
    if match is None:
        return None
    first_text, last_text = match.groups()
    if not first_text:
        if not last_text:
            return None
        suffix = _position(last_text)
        if suffix == 0 or size == 0:
            raise RangeNotSatisfiable(size)
        return ByteRange(max(0, size - suffix), size - 1, size)
    first = _position(first_text)
    last = _position(last_text) if last_text else size - 1
    if last_text and last < first:
        return None
    if first >= size:
        raise RangeNotSatisfiable(size)
    return ByteRange(first, min(last, size - 1), size)


def _coalesce(ranges: list[ByteRange]) -> list[ByteRange]:
    merged: list[ByteRange] = []
    for item in sorted(ranges, key=lambda r: r.first):
        if merged and item.first <= merged[-1].last + 1:
            previous = merged[-1]
            merged[-1] = ByteRange(previous.first, max(previous.last, item.last), previous.size)
        else:
            merged.append(item)
    return merged


def parse_ranges(header: str | None, size: int) -> list[ByteRange] | None:
    """Interpret a ``Range`` header of one or several ranges against a file of ``size`` bytes.

    Ranges that overlap or touch are merged and the result is in file order, as RFC
    9110 (15.3.7.2) allows, so each byte is sent once. Ranges past the end are dropped
    when others remain.

    Args:
        header: The request's ``Range`` value, or ``None``.
        size: The file's size in bytes.

    Returns:
        The ranges to send (one or more), or ``None`` to send the whole file: no header,
        another unit, a malformed range (non-ASCII, longer than
        :data:`MAX_HEADER_LENGTH`), or more than :data:`MAX_RANGES` ranges, all of which
        RFC 9110 lets a server ignore.

    Raises:
        RangeNotSatisfiable: If no requested range overlaps the file.
    """
    if not header or len(header) > MAX_HEADER_LENGTH or not header.isascii():
        return None
    unit, _, spec = header.partition("=")
    if unit.strip(" \t").lower() != "bytes" or not spec.strip(" \t"):
        return None
    specs = [item for item in spec.split(",") if item.strip(" \t")]
    if not specs or len(specs) > MAX_RANGES * 4:
        return None
    ranges: list[ByteRange] = []
    for item in specs:
        try:
            parsed = _one_range(item, size)
        except RangeNotSatisfiable:
            continue
        if parsed is None:
            return None
        ranges.append(parsed)
    if not ranges:
        raise RangeNotSatisfiable(size)
    merged = _coalesce(ranges)
    return merged if len(merged) <= MAX_RANGES else None


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """Interpret a ``Range`` header that must come down to a single range.

    Args:
        header: The request's ``Range`` value, or ``None``.
        size: The file's size in bytes.

    Returns:
        The range to send, or ``None`` to send the whole file: as
        :func:`parse_ranges`, and also when several disjoint ranges remain.

    Raises:
        RangeNotSatisfiable: If no requested range overlaps the file.
    """
    ranges = parse_ranges(header, size)
    return ranges[0] if ranges is not None and len(ranges) == 1 else None


def etag_for(stored: StoredFile) -> str | None:
    """Return the ``ETag`` header value of a stored file.

    The backend's tag is used as is when already quoted (S3 sends ``"..."``), else it
    is quoted. Without one, a weak tag is derived from size and modification time.

    Args:
        stored: The file's metadata.

    Returns:
        The header value, or ``None`` when nothing identifies the version.
    """
    if stored.etag:
        tag = stored.etag.strip()
        if _ENTITY_TAG.fullmatch(tag):
            return tag
        # Whatever a backend stored, the header must be a valid entity-tag (no quotes,
        # controls or characters a header cannot carry inside the quotes).
        opaque = "".join(char for char in tag if char == "!" or "\x23" <= char <= "\x7e")
        if opaque:
            return f'"{opaque}"'
    if stored.last_modified is not None:
        return f'W/"{stored.size:x}-{int(stored.last_modified.timestamp() * 1_000_000):x}"'
    return None


def _opaque(tag: str) -> str:
    return tag[2:] if tag.startswith("W/") else tag


def _etag_list(header: str) -> list[str] | None:
    # None: malformed (too long, or an element that is not an entity-tag).
    if len(header) > MAX_HEADER_LENGTH:
        return None
    tags: list[str] = []
    position = 0
    while position < len(header):
        match = _ETAG_LIST_ITEM.match(header, position)
        if match is None:
            return None
        if match.group(1) is not None:
            tags.append(match.group(1))
        position = match.end()
    return tags


def _whole_seconds(moment: datetime) -> datetime:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return aware.replace(microsecond=0)


def precondition_failed(
    etag: str | None,
    last_modified: datetime | None,
    *,
    if_match: str | None,
    if_unmodified_since: str | None,
) -> bool:
    """Tell whether a request's ``If-Match``/``If-Unmodified-Since`` fail (412 Precondition Failed).

    Evaluated first, as RFC 9110 (13.2.2) orders it: a client resuming a download or
    guarding against a concurrent change gets 412 instead of bytes of another version.
    ``If-Match`` compares strongly (a weak tag never matches) and, when present, makes
    ``If-Unmodified-Since`` ignored; ``*`` matches any existing file. An unparsable date
    is ignored, as the RFC requires.

    Args:
        etag: The file's ``ETag`` header value.
        last_modified: The file's modification time.
        if_match: The request's ``If-Match``, or ``None``.
        if_unmodified_since: The request's ``If-Unmodified-Since``, or ``None``.

    Returns:
        ``True`` when the request must be answered with 412.
    """
    if if_match is not None:
        if if_match.strip(" \t") == "*":
            return False
        if etag is None or etag.startswith("W/"):
            return True
        # An unreadable list matches nothing: 412 rather than bytes of an unknown version.
        tags = _etag_list(if_match) or []
        return etag not in {tag for tag in tags if not tag.startswith("W/")}
    if if_unmodified_since is not None and last_modified is not None:
        since = parse_http_date(if_unmodified_since)
        return since is not None and _whole_seconds(last_modified) > since
    return False


def is_not_modified(
    etag: str | None,
    last_modified: datetime | None,
    *,
    if_none_match: str | None,
    if_modified_since: str | None,
) -> bool:
    """Tell whether a GET or HEAD should be answered with 304 Not Modified.

    ``If-None-Match`` wins over ``If-Modified-Since`` (RFC 9110, 13.2.2); tags are
    compared weakly.

    Args:
        etag: The file's ``ETag`` header value.
        last_modified: The file's modification time.
        if_none_match: The request's ``If-None-Match``, or ``None``.
        if_modified_since: The request's ``If-Modified-Since``, or ``None``.

    Returns:
        ``True`` when the client's copy is current.
    """
    if if_none_match is not None:
        if if_none_match.strip(" \t") == "*":
            return True
        if etag is None:
            return False
        # An unreadable list matches nothing: the client gets the file, as without it.
        tags = _etag_list(if_none_match) or []
        return _opaque(etag) in {_opaque(tag) for tag in tags}
    if if_modified_since is not None and last_modified is not None:
        since = parse_http_date(if_modified_since)
        return since is not None and _whole_seconds(last_modified) <= since
    return False


def if_range_allows(if_range: str | None, etag: str | None, last_modified: datetime | None) -> bool:
    """Tell whether a ``Range`` may be honoured given the request's ``If-Range``.

    Args:
        if_range: The request's ``If-Range`` (a strong tag or an HTTP date), or ``None``.
        etag: The file's ``ETag`` header value.
        last_modified: The file's modification time.

    Returns:
        ``True`` to send the range; ``False`` to send the whole (changed) file.
    """
    if if_range is None:
        return True
    if len(if_range) > MAX_HEADER_LENGTH:
        return False
    value = if_range.strip(" \t")
    if value.startswith(('"', "W/")):
        # If-Range needs a strong match: a weak tag never matches.
        return etag is not None and not etag.startswith("W/") and value == etag
    since = parse_http_date(value)
    return since is not None and last_modified is not None and _whole_seconds(last_modified) == since
