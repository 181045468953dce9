"""``StoredFile`` from Azure's answers; metadata and object attributes in Azure's form.

Metadata names must be C# identifiers and values ASCII: the core's
:mod:`litestar_storages.header_metadata` encodes both reversibly (as the obstore driver
does on Azure, so either reads what the other wrote). Attributes are blob properties
(``x-ms-blob-cache-control``...), the access tier, the encryption scope and blob index tags.
"""

from __future__ import annotations

from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from litestar_storages.attribute_rules import check_service_names
from litestar_storages.attributes import NO_ATTRIBUTES, Encryption, ObjectAttributes
from litestar_storages.backends.azure.errors import BACKEND
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
# The answer headers read into attributes.
_READ = {header.lower(): name for name, header in _HEADERS.items()} | {
    "x-ms-access-tier": "storage_class",
    "x-ms-access-tier-inferred": "inferred",
    "x-ms-encryption-scope": "scope",
}
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
        RefusedArgument: For a ``storage_class`` that is not an access tier.
    """
    if attributes is NO_ATTRIBUTES:
        return {}
    check_service_names(attributes, backend=BACKEND, storage_classes=TIERS, encryption_modes=("managed", "scope"))
    names = attributes.set_names() & _HEADERS.keys()
    headers = {f"x-ms-blob-{_HEADERS[name].lower()}": getattr(attributes, name) for name in names}
    tier, encryption = attributes.storage_class, attributes.encryption
    if tier is not None:
        headers["x-ms-access-tier"] = tier
    if encryption is not None and encryption.mode == "scope" and encryption.key:
        headers["x-ms-encryption-scope"] = encryption.key
    if attributes.tags:
        headers["x-ms-tags"] = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in attributes.tags.items())
    return headers


def _attributes(found: Mapping[str, Any], tags: Mapping[str, str] | None) -> ObjectAttributes:
    # ``found``: the attribute values by name, as Azure answers them ("" is not set), with
    # "inferred" (the tier is the account's default, not one chosen) and "scope".
    values = {name: found.get(name) or None for name in _PROPERTIES}
    tier = None if found.get("inferred") in ("true", True) else found.get("storage_class")
    values["storage_class"] = getattr(tier, "value", tier) or None  # listings give a StandardBlobTier
    scope = found.get("scope")
    values["encryption"] = Encryption.scope(scope) if scope and scope != _DEFAULT_SCOPE else None
    if not (tags or any(values.values())):
        return NO_ATTRIBUTES
    return ObjectAttributes(**values, tags=dict(tags or {}))


def file_from_properties(properties: BlobProperties) -> StoredFile:
    """Describe a blob from its properties (List Blobs, or Get Blob Properties through the public client)."""
    settings = properties.content_settings
    tags, scope = properties.tags, properties.encryption_scope
    tier = None if properties.blob_tier_inferred in ("true", True) else properties.blob_tier
    if tier or tags or (scope and scope != _DEFAULT_SCOPE) or _has_content_attributes(settings):
        found = {name: getattr(settings, name, None) for name in _PROPERTIES}
        found.update(storage_class=tier, scope=scope)
        attributes = _attributes(found, tags)
    else:  # most blobs of a listing: nothing to gather
        attributes = NO_ATTRIBUTES
    metadata = properties.metadata
    return StoredFile(
        properties.name,
        int(properties.size or 0),
        settings.content_type if settings else None,
        blob_etag(properties.etag),
        properties.last_modified,
        decode_metadata(metadata) if metadata else None,
        attributes,
    )


def _has_content_attributes(settings: Any) -> bool:
    return settings is not None and bool(
        settings.cache_control or settings.content_disposition or settings.content_encoding or settings.content_language
    )


def file_from_headers(
    name: str, headers: Mapping[str, str], size: int, tags: Mapping[str, str] | None = None
) -> StoredFile:
    """Describe blob ``name`` of ``size`` bytes from the raw headers of Get Blob or Get Blob Properties."""
    # One pass: every x-ms-meta-* (its prefix cut off, as the SDK reads them) and the attribute headers.
    cut = len(_META)
    stored: dict[str, str] = {}
    found: dict[str, str] = {}
    for header, value in headers.items():
        lower = header.lower()
        if lower.startswith(_META):
            stored[header[cut:]] = value
        elif lower in _READ:
            found[_READ[lower]] = value
    return StoredFile(
        key=name,
        size=size,
        content_type=headers.get("Content-Type"),
        etag=blob_etag(headers.get("ETag")),
        last_modified=http_date(headers.get("Last-Modified")),
        metadata=decode_metadata(stored),
        attributes=_attributes(found, tags),
    )
