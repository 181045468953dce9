"""Reading GCS object resources (the JSON API's object documents) into ``StoredFile``."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from litestar_storages.types import StoredFile

__all__ = ("LIST_FIELDS", "OBJECT_FIELDS", "media_file", "parse_timestamp", "stored_file")

OBJECT_FIELDS = "name,size,contentType,etag,md5Hash,generation,updated,timeCreated,metadata"
"""Partial response of one object: only what a ``StoredFile`` needs (GCS then sends
and this process parses a third of the full resource; fake-gcs-server ignores it)."""

LIST_FIELDS = "items(name,size,contentType,etag,md5Hash,generation,updated,metadata),nextPageToken"
"""Partial response of listings: only what a ``StoredFile`` needs."""

_PARTIAL_CONTENT = 206

# From 3.11, fromisoformat() reads "Z" and fractions of 1 to 6 digits: the JSON API's
# timestamps in one C call, the hand-made normalization below kept for the rest.
_ISO_READS_Z = sys.version_info >= (3, 11)


def parse_timestamp(value: object) -> datetime | None:
    """Parse an RFC 3339 timestamp of the JSON API (``2024-05-01T12:00:00.123Z``).

    Args:
        value: The field's value.

    Returns:
        A timezone-aware datetime, or ``None`` when absent or unreadable.
    """
    if not isinstance(value, str) or not value:
        return None
    if _ISO_READS_Z:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            pass  # e.g. more than 6 fraction digits: normalized below
        else:
            return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    # Python 3.10's fromisoformat() reads neither "Z" nor every fraction length.
    text = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
    head, dot, rest = text.partition(".")
    if dot:
        digits = rest[: len(rest) - len(rest.lstrip("0123456789"))]
        text = f"{head}.{(digits + '000000')[:6]}{rest[len(digits) :]}"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def stored_file(resource: Mapping[str, Any], key: str) -> StoredFile:
    """Build a ``StoredFile`` from an object resource.

    Args:
        resource: The JSON object resource.
        key: The storage key (object name without the storage's prefix).

    Returns:
        The metadata. The etag is GCS's (it changes with every new generation), else
        the MD5 hash or the generation.
    """
    metadata = resource.get("metadata")
    etag = resource.get("etag") or resource.get("md5Hash") or resource.get("generation")
    return StoredFile(
        key=key,
        size=int(resource.get("size") or 0),
        content_type=resource.get("contentType") or None,
        etag=str(etag) if etag else None,
        last_modified=parse_timestamp(resource.get("updated") or resource.get("timeCreated")),
        # Most objects have no custom metadata: no comprehension to run for them.
        metadata={str(name): str(value) for name, value in metadata.items() if value is not None} if metadata else {},
    )


def media_file(name: str, status: int, headers: Mapping[str, str]) -> tuple[StoredFile, int, int]:
    """Read what a media download (``alt=media``) says of the object and of its body.

    Args:
        name: The object's name.
        status: The answer's status (206 for a range).
        headers: The answer's headers.

    Returns:
        The object's metadata (size, content type and the etag that pins a resumed
        read to this version), and the first byte and the byte after the last that
        the body holds.
    """
    length = int(headers.get("Content-Length") or 0)
    start, size = 0, length
    if status == _PARTIAL_CONTENT:
        # "bytes 2-5/11"
        span, _, total = headers.get("Content-Range", "").rpartition("/")
        start = int(span.rpartition(" ")[2].partition("-")[0] or 0)
        size = int(total) if total.isdigit() else start + length
    etag = headers.get("ETag") or headers.get("X-Goog-Generation")
    file = StoredFile(
        key=name,
        size=size,
        content_type=headers.get("Content-Type"),
        etag=etag.strip('"') if etag else None,
    )
    return file, start, start + length
