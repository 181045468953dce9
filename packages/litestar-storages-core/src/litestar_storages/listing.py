"""The ``limit`` argument of ``list()``: one rule for every backend.

``limit`` is ``None`` (no limit) or an ``int`` from 0 up; ``0`` is allowed and yields
nothing. ``True`` and ``False`` are refused although ``bool`` subclasses ``int``:
``limit=True`` is almost always a mistake (a flag passed in the wrong place), and
reading it as ``1`` on one backend while another refuses it is the drift this module
exists to prevent.
"""

from __future__ import annotations

from litestar_storages.exceptions import StorageValidationError

__all__ = ("validate_limit",)


def validate_limit(limit: object) -> int | None:
    """Check the ``limit`` given to ``list()`` and return it.

    Args:
        limit: The caller's limit.

    Returns:
        ``limit``, unchanged: ``None`` or an ``int`` >= 0.

    Raises:
        StorageValidationError: If ``limit`` is a ``bool``, not an ``int``, or negative.
    """
    if limit is None:
        return None
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise StorageValidationError(f"limit must be None or an int >= 0, got {limit!r} ({type(limit).__name__})")
    if limit < 0:
        raise StorageValidationError(f"limit must be None or an int >= 0, got {limit!r}")
    return limit
