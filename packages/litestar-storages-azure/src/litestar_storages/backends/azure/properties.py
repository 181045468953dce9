"""``StoredFile`` from Azure's answers; metadata and object attributes in Azure's form.

Metadata names must be C# identifiers and values ASCII: the core's
:mod:`litestar_storages.header_metadata` encodes both reversibly (as the obstore driver
does on Azure, so either reads what the other wrote). Attributes are blob properties
(``x-ms-blob-cache-control``...), the access tier, the encryption scope and blob index tags.
"""

from __future__ import annotations

from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING
from urllib.parse import quote

from litestar_storages.attributes import NO_ATTRIBUTES, Encryption, ObjectAttributes
from litestar_storages.backends.azure.errors import BACKEND
from litestar_storages.exceptions import ConfigurationError, StorageValidationError
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

__all__ = (
    "ATTRIBUTE_NAMES",
    "attribute_headers",
    "blob_etag",
    "decode_metadata",
    "encode_metadata",
    "file_from_headers",
    "file_from_properties",
)

_PROPERTIES = ("cache_control", "content_disposition", "content_encoding", "content_language")

ATTRIBUTE_NAMES = frozenset({*_PROPERTIES, "storage_class", "encryption", "tags"})
"""The attributes Azure stores (``acl`` has no per-blob equivalent)."""

TIERS = ("Hot", "Cool", "Cold", "Archive")
"""Access tiers of block blobs, the values of ``storage_class``."""

# Each sent as x-ms-blob-<header> (Put Blob, Put Block List, Copy Blob) and answered as <header>.
_HEADERS = {name: name.replace("_", "-").title() for name in _PROPERTIES}
_DEFAULT_SCOPE = "$account-encryption-key"  # the account's own keys: no scope chosen
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
    return {decode_identifier_name(name): decode_header_value(value) for name, value in (stored or {}).items()}


def attribute_headers(attributes: ObjectAttributes) -> dict[str, str]:
    """Return the request headers that store ``attributes`` (checked by the engine) on a blob.

    Raises:
        ConfigurationError: For an encryption Azure cannot choose per blob (a KMS key).
        StorageValidationError: For a ``storage_class`` that is not an access tier.
    """
    if attributes is NO_ATTRIBUTES:
        return {}
    names = attributes.set_names() & _HEADERS.keys()
    headers = {f"x-ms-blob-{_HEADERS[name].lower()}": getattr(attributes, name) for name in names}
    tier, encryption = attributes.storage_class, attributes.encryption
    if tier is not None:
        if tier not in TIERS:
            raise StorageValidationError(f"{BACKEND}: storage_class {tier!r} is not an access tier: {', '.join(TIERS)}")
        headers["x-ms-access-tier"] = tier
    if encryption is not None and encryption.mode == "kms":
        raise ConfigurationError(
            f"{BACKEND} does not support attribute 'encryption' with a KMS key: use Encryption.scope(name) "
            "(an encryption scope of the account) or Encryption.managed()",
            field="encryption",
        )
    if encryption is not None and encryption.mode == "scope" and encryption.key:
        headers["x-ms-encryption-scope"] = encryption.key
    if attributes.tags:
        headers["x-ms-tags"] = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in attributes.tags.items())
    return headers


def _attributes(
    settings: Mapping[str, str | None], tier: str | None, scope: str | None, tags: Mapping[str, str] | None
) -> ObjectAttributes:
    encryption = Encryption.scope(scope) if scope and scope != _DEFAULT_SCOPE else None
    values = {name: settings.get(name) or None for name in _PROPERTIES}  # "" is not set
    if not (tier or encryption or tags or any(values.values())):
        return NO_ATTRIBUTES
    return ObjectAttributes(**values, storage_class=tier, encryption=encryption, tags=dict(tags or {}))


def file_from_properties(properties: BlobProperties) -> StoredFile:
    """Describe a blob from its properties (List Blobs, or Get Blob Properties through the public client)."""
    settings = properties.content_settings
    tier = None if properties.blob_tier_inferred or not properties.blob_tier else str(properties.blob_tier)
    return StoredFile(
        key=properties.name,
        size=int(properties.size or 0),
        content_type=settings.content_type if settings else None,
        etag=blob_etag(properties.etag),
        last_modified=properties.last_modified,
        metadata=decode_metadata(properties.metadata),
        attributes=_attributes(
            {name: getattr(settings, name, None) for name in _PROPERTIES},
            tier,
            properties.encryption_scope,
            properties.tags,
        ),
    )


def file_from_headers(
    name: str, headers: Mapping[str, str], size: int, tags: Mapping[str, str] | None = None
) -> StoredFile:
    """Describe blob ``name`` of ``size`` bytes from the raw headers of Get Blob or Get Blob Properties."""
    # As the SDK reads them: every x-ms-meta-* header, the prefix cut off.
    cut = len(_META)
    stored = {header[cut:]: value for header, value in headers.items() if header.lower().startswith(_META)}
    inferred = headers.get("x-ms-access-tier-inferred") == "true"
    settings = {name: headers.get(header) for name, header in _HEADERS.items()}
    return StoredFile(
        key=name,
        size=size,
        content_type=headers.get("Content-Type"),
        etag=blob_etag(headers.get("ETag")),
        last_modified=http_date(headers.get("Last-Modified")),
        metadata=decode_metadata(stored),
        attributes=_attributes(
            settings, None if inferred else headers.get("x-ms-access-tier"), headers.get("x-ms-encryption-scope"), tags
        ),
    )
