"""Byte-range arguments of ``get``: validation and clipping, the same on every backend."""

from __future__ import annotations

from litestar_storages.exceptions import InvalidRangeError

__all__ = ("clip_range", "parse_content_range", "validate_range")


def validate_range(start: int | None, end: int | None, *, key: str | None = None) -> tuple[int, int | None]:
    """Check a ``get`` range and fill in its start.

    Ranges follow slicing: ``start`` is inclusive, ``end`` exclusive, ``None`` means the
    beginning or the end of the object.

    Args:
        start: First byte wanted, or ``None`` for 0.
        end: Byte after the last one wanted, or ``None`` for the end of the object.
        key: The key being read, for error messages.

    Returns:
        ``(start, end)`` with ``start`` an ``int``.

    Raises:
        InvalidRangeError: If either bound is negative or not an int, or ``end < start``.
    """
    if start is None and end is None:
        return 0, None  # the whole object: nothing to check (every get_bytes(key) comes here)
    first = 0 if start is None else start
    for name, value in (("start", first), ("end", end)):
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool):
            raise InvalidRangeError(f"Range {name} must be an int, got {value!r}", key=key)
        if value < 0:
            raise InvalidRangeError(f"Range {name} must not be negative, got {value}", key=key)
    if end is not None and end < first:
        raise InvalidRangeError(f"Range end ({end}) is before its start ({first})", key=key)
    return first, end


def clip_range(start: int, end: int | None, size: int) -> tuple[int, int]:
    """Clip a validated range to an object of ``size`` bytes.

    Args:
        start: Inclusive start, from :func:`validate_range`.
        end: Exclusive end or ``None``, from :func:`validate_range`.
        size: The object's size.

    Returns:
        ``(start, end)`` within ``[0, size]``; equal bounds mean an empty read.
    """
    stop = size if end is None else min(end, size)
    first = min(start, size)
    return first, max(first, stop)


def parse_content_range(value: str | None, length: int) -> tuple[int, int]:
    """Read where a ranged answer's body starts and how long the whole object is.

    Args:
        value: The answer's ``Content-Range`` (``"bytes 0-1023/2048"``), or ``None``
            when the answer holds the whole object.
        length: The body's length (``Content-Length``).

    Returns:
        ``(first byte of the body, size of the object)``; without a ``Content-Range``, or
        with an unknown size (``bytes 0-9/*``), the body is taken to end the object.
    """
    if not value:
        return 0, length
    span, _, total = value.rpartition("/")
    first = int(span.rpartition(" ")[2].partition("-")[0] or 0)
    return first, int(total) if total.isdigit() else first + length
