"""Durations on the command line: ``90``, ``90s``, ``15m``, ``2h``, ``7d``."""

from __future__ import annotations

import re
from datetime import timedelta

import click

__all__ = ("parse_duration",)

_DURATION = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> timedelta:
    """Parse ``90``, ``90s``, ``15m``, ``2h`` or ``7d`` into a duration.

    Args:
        text: The duration; a bare number is seconds.

    Returns:
        The duration.

    Raises:
        click.BadParameter: If the text is not such a duration or is zero.
    """
    match = _DURATION.match(text)
    if match is None or int(match.group(1)) == 0:
        raise click.BadParameter(f"{text!r} is not a duration like 3600, 90s, 15m, 2h or 7d")
    return timedelta(seconds=int(match.group(1)) * _UNIT_SECONDS[match.group(2)])
