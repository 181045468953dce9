"""Reading GCS object resources (the JSON API's object documents) into ``StoredFile``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from litestar_storages.types import StoredFile

__all__ = ("LIST_FIELDS", "parse_timestamp", "stored_file")

LIST_FIELDS = "items(name,size,contentType,etag,md5Hash,generation,updated,metadata),nextPageToken"
"""Partial response of listings: only what a ``StoredFile`` needs."""


def parse_timestamp(value: object) -> datetime | None:
    """Parse an RFC 3339 timestamp of the JSON API (``2024-05-01T12:00:00.123Z``).

    Args:
        value: The field's value.

    Returns:
        A timezone-aware datetime, or ``None`` when absent or unreadable.
    """
    if not isinstance(value, str) or not value:
        return None
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
    metadata = resource.get("metadata") or {}
    etag = resource.get("etag") or resource.get("md5Hash") or resource.get("generation")
    return StoredFile(
        key=key,
        size=int(resource.get("size") or 0),
        content_type=resource.get("contentType") or None,
        etag=str(etag) if etag else None,
        last_modified=parse_timestamp(resource.get("updated") or resource.get("timeCreated")),
        metadata={str(name): str(value) for name, value in metadata.items() if value is not None},
    )
