"""``sync``'s question: does the destination already hold the source's version of a file?

Like ``aws s3 sync``: a file is copied when it is missing at the destination or its
size differs. Of two files of equal size, equal etags mean the same content; otherwise
the source is copied when it was modified later than the destination's copy (to the
second: S3 keeps whole seconds). A download gets the source's modification time, and an
upload is newer than its local file, so a second sync copies nothing. When neither
times nor etags can tell, equal sizes count as the same file.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from litestar_storages.contrib.cli._sides import Entry

__all__ = ("copy_reason",)


def _seconds(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


def copy_reason(source: Entry, destination: Entry | None) -> str | None:
    """Tell why ``source`` must be copied over ``destination``, or ``None`` if it need not be.

    Args:
        source: The file at the source.
        destination: The file of the same name at the destination, if any.

    Returns:
        ``"new"``, ``"size differs"``, ``"newer"`` or ``"etag differs"``; ``None`` when
        the destination is up to date.
    """
    if destination is None:
        return "new"
    if source.size != destination.size:
        return "size differs"
    if source.etag is not None and source.etag == destination.etag:
        return None
    if source.modified is not None and destination.modified is not None:
        return "newer" if _seconds(source.modified) > _seconds(destination.modified) else None
    if source.etag is not None and destination.etag is not None:
        return "etag differs"
    return None
