"""``StoredFile`` from Azure's answers, and custom metadata in Azure's form.

Metadata names must be C# identifiers and values ASCII: the core's
:mod:`litestar_storages.header_metadata` encodes both reversibly (as the obstore driver
does on Azure, so either reads what the other wrote).
"""

from __future__ import annotations

from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from litestar_storages.header_metadata import (
    decode_header_value,
    decode_identifier_name,
    encode_header_value,
    encode_identifier_name,
)
from litestar_storages.types import StoredFile

if TYPE_CHECKING:
    from datetime import datetime

    from azure.storage.blob import BlobProperties

__all__ = ("blob_etag", "decode_metadata", "encode_metadata", "file_from_headers", "file_from_properties")

_META = "x-ms-meta-"


def blob_etag(value: object) -> str | None:
    """Return an ETag without the quotes Azure puts around it (``None`` when absent)."""
    return str(value).strip('"') if value else None


def http_date(value: str | None) -> datetime | None:
    """Parse an HTTP date (``Last-Modified``) into an aware UTC datetime (``None`` when absent)."""
    return parsedate_to_datetime(value) if value else None


def encode_metadata(metadata: Mapping[str, str]) -> dict[str, str]:
    """Return checked metadata as names and values Azure accepts."""
    return {encode_identifier_name(name): encode_header_value(value) for name, value in metadata.items()}


def decode_metadata(stored: Mapping[str, str] | None) -> dict[str, str]:
    """Return metadata read from Azure as it was stored."""
    if not stored:
        return {}
    return {decode_identifier_name(name): decode_header_value(value) for name, value in stored.items()}


def file_from_properties(properties: BlobProperties) -> StoredFile:
    """Describe a blob from its properties (List Blobs, or Get Blob Properties through the public client)."""
    settings = properties.content_settings
    return StoredFile(
        key=properties.name,
        size=int(properties.size or 0),
        content_type=settings.content_type if settings else None,
        etag=blob_etag(properties.etag),
        last_modified=properties.last_modified,
        metadata=decode_metadata(properties.metadata),
    )


def file_from_headers(name: str, headers: Mapping[str, str], size: int) -> StoredFile:
    """Describe blob ``name`` of ``size`` bytes from the raw headers of Get Blob or Get Blob Properties."""
    # As the SDK reads them: every x-ms-meta-* header, the prefix cut off.
    cut = len(_META)
    stored = {header[cut:]: value for header, value in headers.items() if header.lower().startswith(_META)}
    return StoredFile(
        key=name,
        size=size,
        content_type=headers.get("Content-Type"),
        etag=blob_etag(headers.get("ETag")),
        last_modified=http_date(headers.get("Last-Modified")),
        metadata=decode_metadata(stored),
    )
