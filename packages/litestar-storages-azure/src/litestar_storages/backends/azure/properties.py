"""``StoredFile`` from Azure's blob properties."""

from __future__ import annotations

from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from litestar_storages.backends.azure.metadata import decode_metadata
from litestar_storages.types import StoredFile

if TYPE_CHECKING:
    from datetime import datetime

    from azure.storage.blob import BlobProperties

__all__ = ("blob_etag", "http_date", "response_headers", "stored_file", "stored_file_from_headers")

_META = "x-ms-meta-"


def blob_etag(value: object) -> str | None:
    """Return an ETag without the quotes Azure puts around it (``None`` when absent)."""
    return str(value).strip('"') if value else None


def stored_file(key: str, properties: BlobProperties) -> StoredFile:
    """Describe a blob as a ``StoredFile``.

    Args:
        key: The key, without the storage's prefix.
        properties: The blob's properties (from Get Blob Properties or List Blobs).

    Returns:
        Its size, content type, ETag, modification time and decoded metadata.
    """
    settings = properties.content_settings
    return StoredFile(
        key=key,
        size=int(properties.size or 0),
        content_type=settings.content_type if settings else None,
        etag=blob_etag(properties.etag),
        last_modified=properties.last_modified,
        metadata=decode_metadata(properties.metadata),
    )


def response_headers(pipeline_response: Any, _deserialized: Any, _headers: Any) -> Mapping[str, str]:
    """Return the raw HTTP headers of a generated operation's answer (its ``cls`` hook).

    The generated operations deserialize every header into a new dict (and the public
    methods then build a model from it); the few fields a ``StoredFile`` needs are read
    from the raw headers instead.
    """
    headers: Mapping[str, str] = pipeline_response.http_response.headers
    return headers


def http_date(value: str | None) -> datetime | None:
    """Parse an HTTP date (``Last-Modified``) into an aware UTC datetime (``None`` when absent)."""
    return parsedate_to_datetime(value) if value else None


def stored_file_from_headers(key: str, headers: Mapping[str, str]) -> StoredFile:
    """Describe a blob from the headers of Get Blob Properties.

    Args:
        key: The key, without the storage's prefix.
        headers: The answer's raw HTTP headers (see :func:`response_headers`).

    Returns:
        Its size, content type, ETag, modification time and decoded metadata.
    """
    # As the SDK reads them: every x-ms-meta-* header, the prefix cut off.
    size = len(_META)
    stored = {name[size:]: value for name, value in headers.items() if name.lower().startswith(_META)}
    return StoredFile(
        key=key,
        size=int(headers.get("Content-Length") or 0),
        content_type=headers.get("Content-Type"),
        etag=blob_etag(headers.get("ETag")),
        last_modified=http_date(headers.get("Last-Modified")),
        metadata=decode_metadata(stored),
    )
