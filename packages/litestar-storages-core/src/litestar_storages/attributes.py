"""Object attributes: the standard properties an object is stored with, beside its metadata.

``put(key, data, attributes=ObjectAttributes(cache_control="max-age=3600"))`` stores
them; ``info(key)`` returns them in :attr:`~litestar_storages.types.StoredFile.attributes`;
``copy`` keeps them. Each backend honours the attributes it declares and refuses the
others with :class:`~litestar_storages.exceptions.ConfigurationError` before any byte
is sent, so an attribute is never dropped silently. The values are checked once, by
:func:`~litestar_storages.attribute_rules.validate_attributes`, with the same rules on
every backend.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal, TypeAlias

__all__ = (
    "ATTRIBUTE_NAMES",
    "NO_ATTRIBUTES",
    "Encryption",
    "EncryptionMode",
    "ObjectAttributes",
    "attributes_from_dict",
    "attributes_to_dict",
    "copied_tags",
    "restricted_to",
)

EncryptionMode: TypeAlias = Literal["managed", "kms", "scope"]
"""How the service encrypts an object at rest: its own keys, a KMS key, or an Azure encryption scope."""


@dataclass(frozen=True)
class Encryption:
    """Server-side encryption of one object, chosen per ``put``.

    Build it with :meth:`managed`, :meth:`kms` or :meth:`scope`. Keys the caller
    provides itself (S3 SSE-C, GCS CSEK, Azure CPK) are needed again by every read, so
    they are a setting of the backend's configuration, not an attribute.

    Attributes:
        mode: ``"managed"`` (the service's own keys: S3 SSE-S3/AES256, the GCS and
            Azure defaults), ``"kms"`` (a key of the cloud's KMS: S3 SSE-KMS, GCS
            ``kmsKeyName``) or ``"scope"`` (an Azure encryption scope).
        key: The KMS key id/ARN/resource name, or the scope's name; ``None`` for ``"managed"``.
    """

    mode: EncryptionMode
    key: str | None = None

    @classmethod
    def managed(cls) -> Encryption:
        """Encrypt with the service's own keys (S3 SSE-S3; the GCS and Azure default).

        Returns:
            The encryption.
        """
        return cls("managed")

    @classmethod
    def kms(cls, key_id: str) -> Encryption:
        """Encrypt with a key of the cloud's KMS (S3 SSE-KMS key id or ARN; GCS ``kmsKeyName``).

        Args:
            key_id: The key's id, ARN or resource name.

        Returns:
            The encryption.
        """
        return cls("kms", key_id)

    @classmethod
    def scope(cls, name: str) -> Encryption:
        """Encrypt with an Azure encryption scope.

        Args:
            name: The scope's name.

        Returns:
            The encryption.
        """
        return cls("scope", name)


@dataclass(frozen=True)
class ObjectAttributes:
    """Standard properties of a stored object; every field is optional.

    Header-like values are sent to the service as they are and served back by it (and
    by the Litestar plugin's ``storage_response``), so they are printable ASCII: build
    a ``Content-Disposition`` for a non-ASCII file name with
    :func:`~litestar_storages.disposition.content_disposition`.

    Attributes:
        cache_control: ``Cache-Control`` served with the object (``"max-age=3600"``).
        content_disposition: ``Content-Disposition`` served with the object.
        content_encoding: ``Content-Encoding`` of the stored bytes (``"gzip"``); the
            bytes are stored and returned as given, never decoded.
        content_language: ``Content-Language`` (``"en"``, ``"de-CH"``).
        storage_class: The service's storage class, in its own names: S3
            ``STANDARD_IA``, GCS ``NEARLINE``, Azure access tier ``Cool``.
        encryption: Server-side encryption with a chosen key (:class:`Encryption`).
        acl: A canned ACL (S3 ``private``, ``public-read``; GCS ``publicRead``). Write
            only: ``info`` never reports it.
        tags: Object tags (S3 tagging, Azure blob index tags), at most 10 by default.
    """

    cache_control: str | None = None
    content_disposition: str | None = None
    content_encoding: str | None = None
    content_language: str | None = None
    storage_class: str | None = None
    encryption: Encryption | None = None
    acl: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)

    def __hash__(self) -> int:
        # The generated hash would fail on the tags dict; frameworks hash field
        # defaults (Litestar's OpenAPI schema of StoredFile, whose default is NO_ATTRIBUTES).
        return hash(
            (
                self.cache_control,
                self.content_disposition,
                self.content_encoding,
                self.content_language,
                self.storage_class,
                self.encryption,
                self.acl,
                frozenset(self.tags.items()),
            )
        )

    def set_names(self) -> frozenset[str]:
        """Return the names of the fields that are set (``tags`` when it is not empty).

        Returns:
            The names, such as ``frozenset({"cache_control", "tags"})``.
        """
        names = [name for name in _OPTIONAL if getattr(self, name) is not None]
        if self.tags:
            names.append("tags")
        return frozenset(names)


ATTRIBUTE_NAMES: frozenset[str] = frozenset(item.name for item in fields(ObjectAttributes))
"""The name of every field of :class:`ObjectAttributes`."""

_OPTIONAL = tuple(name for name in (item.name for item in fields(ObjectAttributes)) if name != "tags")

NO_ATTRIBUTES = ObjectAttributes()
"""The attributes of an object stored without any (the default everywhere)."""


def copied_tags(attributes: ObjectAttributes) -> ObjectAttributes:
    """Return ``attributes`` with a fresh ``dict`` of its tags, for a store that hands them out.

    Args:
        attributes: Stored attributes.

    Returns:
        An equal value whose tags a caller may change without changing what is stored.
    """
    return replace(attributes, tags=dict(attributes.tags))


def restricted_to(attributes: ObjectAttributes, names: frozenset[str]) -> ObjectAttributes:
    """Return ``attributes`` with only the fields named in ``names`` (the others unset).

    Args:
        attributes: Any attributes.
        names: The fields to keep (such as a storage's ``attribute_names``).

    Returns:
        The attributes a storage declaring ``names`` can store.
    """
    unset: dict[str, Any] = {name: None for name in _OPTIONAL if name not in names}
    if "tags" not in names:
        unset["tags"] = {}
    return replace(attributes, **unset)


def attributes_to_dict(attributes: ObjectAttributes) -> dict[str, Any]:
    """Return the set fields of ``attributes`` as plain JSON-ready values.

    For stores that keep attributes in a document of their own (the filesystem's
    sidecars) and for saving a :class:`~litestar_storages.types.MultipartUpload`.

    Args:
        attributes: The attributes.

    Returns:
        ``{name: value}`` for each set field; ``encryption`` as ``{"mode": ..., "key": ...}``,
        ``tags`` as a ``dict``.
    """
    document: dict[str, Any] = {}
    for name in _OPTIONAL:
        value = getattr(attributes, name)
        if value is None:
            continue
        document[name] = {"mode": value.mode, "key": value.key} if isinstance(value, Encryption) else value
    if attributes.tags:
        document["tags"] = dict(attributes.tags)
    return document


def attributes_from_dict(document: object) -> ObjectAttributes | None:
    """Rebuild attributes written by :func:`attributes_to_dict`; ``None`` when malformed.

    Names this version does not know are ignored (written by a later version).

    Args:
        document: The parsed JSON value.

    Returns:
        The attributes (:data:`NO_ATTRIBUTES` for an empty document), or ``None``.
    """
    if not isinstance(document, dict):
        return None
    if not document:
        return NO_ATTRIBUTES
    values: dict[str, Any] = {}
    for name in _OPTIONAL:
        value = document.get(name)
        if value is None:
            continue
        if name == "encryption":
            if not isinstance(value, dict) or value.get("mode") not in ("managed", "kms", "scope"):
                return None
            key = value.get("key")
            if key is not None and not isinstance(key, str):
                return None
            value = Encryption(value["mode"], key)
        elif not isinstance(value, str):
            return None
        values[name] = value
    tags = document.get("tags", {})
    if not isinstance(tags, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in tags.items()):
        return None
    return ObjectAttributes(**values, tags=dict(tags)) if values or tags else NO_ATTRIBUTES
