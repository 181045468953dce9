"""GCS object resources: read into ``StoredFile`` (with its attributes), and attributes written into them.

Attributes map to the resource's ``cacheControl``, ``contentDisposition``,
``contentEncoding``, ``contentLanguage`` and ``storageClass``, to the ``kmsKeyName``
(``Encryption.kms``) and ``predefinedAcl`` (``acl``) query parameters of an upload.
GCS has no object tags. ``Encryption.managed()`` sends nothing: GCS encrypts with its
own keys unless the bucket has a default KMS key, which ``info`` then reports.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from litestar_storages.attribute_rules import check_service_names
from litestar_storages.attributes import NO_ATTRIBUTES, Encryption, ObjectAttributes
from litestar_storages.ranges import parse_content_range
from litestar_storages.timestamps import parse_rfc3339
from litestar_storages.types import StoredFile

__all__ = ("ATTRIBUTES", "attribute_request", "copy_request", "media_file", "stored_file")

_FIELDS = (
    ("cache_control", "cacheControl"),
    ("content_disposition", "contentDisposition"),
    ("content_encoding", "contentEncoding"),
    ("content_language", "contentLanguage"),
    ("storage_class", "storageClass"),
)
ATTRIBUTES = frozenset({*(name for name, _ in _FIELDS), "encryption", "acl"})
"""The :class:`ObjectAttributes` fields GCS stores (``tags``: GCS has none)."""

_ACLS = frozenset(
    {"authenticatedRead", "bucketOwnerFullControl", "bucketOwnerRead", "private", "projectPrivate", "publicRead"}
)
_CLASSES = frozenset(
    {"STANDARD", "NEARLINE", "COLDLINE", "ARCHIVE", "MULTI_REGIONAL", "REGIONAL", "DURABLE_REDUCED_AVAILABILITY"}
)
_MANAGED = Encryption.managed()
_SPECIAL = frozenset(
    {"kmsKeyName", "customerEncryption", *(field for name, field in _FIELDS if name != "storage_class")}
)
_COPIED = ("contentType", "metadata", *(field for _, field in _FIELDS))
_PARTIAL_CONTENT = 206


def attribute_request(attributes: ObjectAttributes) -> tuple[dict[str, str], dict[str, str]]:
    """Return the resource fields and the upload's query parameters that store ``attributes``.

    Raises:
        ConfigurationError: For an encryption mode GCS does not have (an Azure scope).
        RefusedArgument: For a storage class or ACL name GCS does not have.
    """
    if attributes is NO_ATTRIBUTES:
        return {}, {}
    check_service_names(
        attributes, backend="GCSStorage", storage_classes=_CLASSES, acls=_ACLS, encryption_modes=("managed", "kms")
    )
    fields = {field: value for name, field in _FIELDS if (value := getattr(attributes, name)) is not None}
    params = {} if attributes.acl is None else {"predefinedAcl": attributes.acl}
    encryption = attributes.encryption
    if encryption is not None and encryption.mode == "kms" and encryption.key:
        params["kmsKeyName"] = encryption.key
    return fields, params


def copy_request(resource: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Return the rewrite body and parameters that give a copy the source's properties.

    A rewrite keeps contentType, metadata and the content headers, but gives the copy
    the bucket's default storage class and key: both are asked for explicitly.
    """
    body = {field: resource[field] for field in _COPIED if resource.get(field) is not None}
    kms = resource.get("kmsKeyName")
    return body, {"destinationKmsKeyName": _key_name(kms)} if isinstance(kms, str) and kms else {}


def _key_name(kms: str) -> str:
    return kms.split("/cryptoKeyVersions/", 1)[0]  # GCS reports the key version used


def read_attributes(resource: Mapping[str, Any]) -> ObjectAttributes:
    """Return the attributes an object resource reports (``acl`` is write only)."""
    if _SPECIAL.isdisjoint(resource):  # most objects: one shared value per storage class
        return _plain(resource.get("storageClass"))
    kms = resource.get("kmsKeyName")
    values: dict[str, Any] = {name: resource[field] for name, field in _FIELDS if resource.get(field)}
    if isinstance(kms, str) and kms:
        values["encryption"] = Encryption.kms(_key_name(kms))
    elif "customerEncryption" not in resource:  # neither a KMS nor a customer's key: GCS's own
        values["encryption"] = _MANAGED
    return ObjectAttributes(**values)


@functools.lru_cache(maxsize=16)
def _plain(storage_class: str | None) -> ObjectAttributes:
    return ObjectAttributes(storage_class=storage_class or None, encryption=_MANAGED)


def stored_file(resource: Mapping[str, Any], name: str, *, attributes: bool = True) -> StoredFile:
    """Build a ``StoredFile`` from an object resource (``attributes=False``: a listing's, without them).

    The etag is GCS's, else the MD5 hash or the generation.
    """
    metadata = resource.get("metadata")
    etag = resource.get("etag") or resource.get("md5Hash") or resource.get("generation")
    # Positional arguments: listings build one per object (10,000 in the benchmark's listing).
    return StoredFile(
        name,
        int(resource.get("size") or 0),
        resource.get("contentType") or None,
        str(etag) if etag else None,
        parse_rfc3339(resource.get("updated") or resource.get("timeCreated")),
        # Most objects have no custom metadata: no comprehension to run for them.
        {str(key): str(value) for key, value in metadata.items() if value is not None} if metadata else None,
        read_attributes(resource) if attributes else NO_ATTRIBUTES,
    )


def media_file(name: str, status: int, headers: Mapping[str, str]) -> tuple[StoredFile, int, int]:
    """Read a download's headers: the object (its etag pins a resumed read), first byte of the body, byte after it."""
    length = int(headers.get("Content-Length") or 0)
    start, size = parse_content_range(headers.get("Content-Range") if status == _PARTIAL_CONTENT else None, length)
    etag = headers.get("ETag") or headers.get("X-Goog-Generation")
    file = StoredFile(key=name, size=size, content_type=headers.get("Content-Type"), etag=etag and etag.strip('"'))
    return file, start, start + length
