"""Reading what GCS says of an object (its JSON resource, or a download's headers) into ``StoredFile``."""

from __future__ import annotations

import re
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

_FRACTION = re.compile(r"\.(\d+)")
_PARTIAL_CONTENT = 206


def parse_timestamp(value: object) -> datetime | None:
    """Parse an RFC 3339 timestamp of the JSON API (``2024-05-01T12:00:00.123Z``).

    Args:
        value: The field's value.

    Returns:
        A timezone-aware datetime, or ``None`` when absent or unreadable.
    """
    if not isinstance(value, str) or not value:
        return None
    try:
        # From 3.11 one C call reads "Z" and fractions of 1 to 6 digits.
        moment = datetime.fromisoformat(value)
    except ValueError:
        # Python 3.10 reads neither "Z" nor every fraction length; nor does any
        # version read more than 6 digits.
        text = _FRACTION.sub(lambda digits: "." + (digits[1] + "00000")[:6], value.replace("Z", "+00:00"))
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def stored_file(resource: Mapping[str, Any], name: str) -> StoredFile:
    """Build a ``StoredFile`` from an object resource.

    Args:
        resource: The JSON object resource.
        name: The object's name.

    Returns:
        The metadata. The etag is GCS's (it changes with every new generation), else
        the MD5 hash or the generation.
    """
    metadata = resource.get("metadata")
    etag = resource.get("etag") or resource.get("md5Hash") or resource.get("generation")
    return StoredFile(
        key=name,
        size=int(resource.get("size") or 0),
        content_type=resource.get("contentType") or None,
        etag=str(etag) if etag else None,
        last_modified=parse_timestamp(resource.get("updated") or resource.get("timeCreated")),
        # Most objects have no custom metadata: no comprehension to run for them.
        metadata={str(key): str(value) for key, value in metadata.items() if value is not None} if metadata else {},
    )


def media_file(name: str, status: int, headers: Mapping[str, str]) -> tuple[StoredFile, int, int]:
    """Read what a media download (``alt=media``) says of the object and of its body.

    Args:
        name: The object's name.
        status: The answer's status (206 for a range).
        headers: The answer's headers.

    Returns:
        The object's size, content type and etag (which pins a resumed read to this
        version); the first byte the body holds and the byte after its last.
    """
    length = int(headers.get("Content-Length") or 0)
    start, size = 0, length
    if status == _PARTIAL_CONTENT:  # Content-Range: bytes 2-5/11
        span, _, total = headers.get("Content-Range", "").rpartition("/")
        start = int(span.rpartition(" ")[2].partition("-")[0] or 0)
        size = int(total) if total.isdigit() else start + length
    etag = headers.get("ETag") or headers.get("X-Goog-Generation")
    file = StoredFile(key=name, size=size, content_type=headers.get("Content-Type"), etag=etag and etag.strip('"'))
    return file, start, start + length
