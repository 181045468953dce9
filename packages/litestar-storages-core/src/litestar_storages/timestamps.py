"""Timestamps as cloud APIs write them in JSON and XML answers (RFC 3339), read the same on every Python."""

from __future__ import annotations

import re
from datetime import datetime, timezone

__all__ = ("parse_rfc3339",)

_FRACTION = re.compile(r"\.(\d+)")


def parse_rfc3339(value: object) -> datetime | None:
    """Parse an RFC 3339 timestamp (``2024-05-01T12:00:00.123Z``), or return ``None``.

    Python 3.10's ``fromisoformat`` reads neither ``Z`` nor fractions other than 3 or 6
    digits, and no version reads more than 6 (services send 1 to 9): the fraction is
    padded or cut to microseconds first when the plain parse fails.

    Args:
        value: The service's value (anything: a missing or odd field gives ``None``).

    Returns:
        The moment, in UTC when the value names no offset; ``None`` if it is not a timestamp.
    """
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)  # from 3.11: "Z" and fractions of 1 to 6 digits
    except ValueError:
        text = _FRACTION.sub(lambda digits: "." + (digits[1] + "00000")[:6], value.replace("Z", "+00:00"))
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
