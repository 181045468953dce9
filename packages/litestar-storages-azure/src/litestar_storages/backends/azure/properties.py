"""``StoredFile`` from Azure's blob properties."""

from __future__ import annotations

from typing import TYPE_CHECKING

from litestar_storages.backends.azure.metadata import decode_metadata
from litestar_storages.types import StoredFile

if TYPE_CHECKING:
    from azure.storage.blob import BlobProperties

__all__ = ("blob_etag", "stored_file")


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
