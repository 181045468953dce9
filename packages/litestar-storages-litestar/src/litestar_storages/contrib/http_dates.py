"""HTTP dates (RFC 9110, 5.6.7): formatting ``Last-Modified``, parsing conditional headers.

Parsing accepts exactly the three formats a recipient must accept (IMF-fixdate, the
obsolete RFC 850 form and asctime), in ASCII, with bounded fields. Anything else is
``None``, which every caller treats as "no date" (RFC 9110 has an invalid date in a
conditional header ignored). ``email.utils`` is not used to parse: it calls ``int()`` on
any Unicode digits and lets years past 9999 reach ``datetime``, which raises.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from email.utils import format_datetime

__all__ = ("MAX_DATE_LENGTH", "http_date", "parse_http_date")

MAX_DATE_LENGTH = 64
"""Longest header value read as a date; the longest valid one (RFC 850, a Wednesday) has 37."""

_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES, 1)}
_MONTH = "(" + "|".join(_MONTHS) + ")"
_TIME = r"([0-9]{2}):([0-9]{2}):([0-9]{2})"
# Sun, 06 Nov 1994 08:49:37 GMT
_IMF_FIXDATE = re.compile(r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), ([0-9]{2}) " + _MONTH + r" ([0-9]{4}) " + _TIME + " GMT")
# Sunday, 06-Nov-94 08:49:37 GMT
_RFC850 = re.compile(
    r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), ([0-9]{2})-"
    + _MONTH
    + r"-([0-9]{2}) "
    + _TIME
    + " GMT"
)
# Sun Nov  6 08:49:37 1994
_ASCTIME = re.compile(r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) " + _MONTH + r" ([ 0-9][0-9]) " + _TIME + r" ([0-9]{4})")


def http_date(moment: datetime) -> str:
    """Format a timestamp as an HTTP date (``Last-Modified``).

    Args:
        moment: A timezone-aware (or UTC naive) datetime.

    Returns:
        The IMF-fixdate text, e.g. ``Wed, 25 Nov 2026 10:00:00 GMT``.
    """
    aware = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return format_datetime(aware.astimezone(timezone.utc), usegmt=True)


def _two_digit_year(year: int) -> int:
    # RFC 9110 (5.6.7): a two-digit year more than 50 years in the future is in the past century.
    century = datetime.now(timezone.utc).year // 100 * 100
    candidate = century + year
    return candidate - 100 if candidate > datetime.now(timezone.utc).year + 50 else candidate


def parse_http_date(value: str | None) -> datetime | None:
    """Read an HTTP date from a request header.

    Args:
        value: The header's value, or ``None``.

    Returns:
        The moment (UTC), or ``None`` when the value is absent or not a valid HTTP date.
    """
    if value is None or len(value) > MAX_DATE_LENGTH:
        return None
    text = value.strip(" \t")
    if match := _IMF_FIXDATE.fullmatch(text):
        day, month, year, hour, minute, second = match.groups()
        fields = (int(year), _MONTHS[month], int(day), int(hour), int(minute), int(second))
    elif match := _RFC850.fullmatch(text):
        day, month, year, hour, minute, second = match.groups()
        fields = (_two_digit_year(int(year)), _MONTHS[month], int(day), int(hour), int(minute), int(second))
    elif match := _ASCTIME.fullmatch(text):
        month, day, hour, minute, second, year = match.groups()
        fields = (int(year), _MONTHS[month], int(day.strip()), int(hour), int(minute), int(second))
    else:
        return None
    year, month_number, day_number, hour_number, minute_number, second_number = fields
    if second_number == 60:
        # A leap second: the moment just before the next minute is close enough for caching.
        second_number = 59
    try:
        return datetime(year, month_number, day_number, hour_number, minute_number, second_number, tzinfo=timezone.utc)
    except ValueError:
        # 31 Feb, hour 25, year 0: well-formed text but no such moment.
        return None
