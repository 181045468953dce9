"""The rules every :class:`~litestar_storages.attributes.ObjectAttributes` value is checked against.

One set of rules, applied by the engine before any request, so that what one backend
refuses, all refuse:

* header-like values (``cache_control``, ``content_disposition``, ``content_encoding``,
  ``content_language``) are non-empty printable ASCII without leading or trailing
  spaces, at most :data:`MAX_HEADER_VALUE_LENGTH` characters: no CR, LF or other
  control character can reach a request or a response header;
* ``storage_class``, ``acl`` and an encryption key are non-empty printable ASCII
  tokens without spaces;
* tags follow :class:`TagLimits`: by default :data:`COMMON_TAG_LIMITS`, the strictest
  limits of the services that have tags (S3, Azure), so tags accepted by
  ``MemoryStorage`` in a test are accepted in production too;
* an attribute the backend does not declare raises
  :class:`~litestar_storages.exceptions.ConfigurationError` naming the backend and
  the attribute; a storage class or ACL its service does not name, or an encryption
  mode it lacks, is refused by the driver with :func:`check_service_names`.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from litestar_storages.attributes import Encryption, ObjectAttributes
from litestar_storages.driver_errors import RefusedArgument
from litestar_storages.exceptions import ConfigurationError, StorageValidationError

__all__ = (
    "COMMON_TAG_LIMITS",
    "MAX_HEADER_VALUE_LENGTH",
    "TagLimits",
    "check_service_names",
    "check_supported",
    "validate_attributes",
)

MAX_HEADER_VALUE_LENGTH = 1024
"""Longest header-like attribute value, in characters (S3 allows 8 KiB of headers in all)."""

_HEADER_VALUE = re.compile(r"[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?")
_TOKEN = re.compile(r"[\x21-\x7e]+")
_HEADER_FIELDS = ("cache_control", "content_disposition", "content_encoding", "content_language")
_TOKEN_FIELDS = ("storage_class", "acl")
_ENCRYPTION_MODES = frozenset({"managed", "kms", "scope"})
_ENCRYPTION_CALLS = {"kms": "Encryption.kms(key)", "managed": "Encryption.managed()", "scope": "Encryption.scope(name)"}


@dataclass(frozen=True)
class TagLimits:
    """What a backend accepts as object tags.

    Attributes:
        max_tags: Most tags per object.
        max_key_length: Longest tag key, in characters.
        max_value_length: Longest tag value, in characters.
        characters: A regular expression every key and value must match whole.
        description: The allowed characters in words, for error messages.
    """

    max_tags: int
    max_key_length: int
    max_value_length: int
    characters: re.Pattern[str]
    description: str


COMMON_TAG_LIMITS = TagLimits(
    max_tags=10,
    max_key_length=128,
    max_value_length=256,
    # Azure's blob index tag characters, the narrower set (S3 also takes "@" and
    # letters of any script).
    characters=re.compile(r"[A-Za-z0-9 +\-./:=_]+"),
    description="ASCII letters, digits, spaces and + - . / : = _",
)
"""Tag limits every backend with tags accepts: 10 tags, keys up to 128 and values up to 256 characters."""


def validate_attributes(
    attributes: object, *, key: str | None = None, tag_limits: TagLimits = COMMON_TAG_LIMITS
) -> ObjectAttributes:
    """Check attribute values, returning a copy whose tags can no longer change.

    Args:
        attributes: What the caller passed (an :class:`ObjectAttributes`).
        key: The object's key, for error messages.
        tag_limits: The backend's tag limits.

    Returns:
        The checked attributes (``tags`` copied into a new ``dict``).

    Raises:
        StorageValidationError: If a value breaks the rules of this module.
    """
    if not isinstance(attributes, ObjectAttributes):
        raise StorageValidationError(f"attributes must be an ObjectAttributes, got {attributes!r}", key=key)
    for name in _HEADER_FIELDS:
        value = getattr(attributes, name)
        if value is not None:
            _check_header_value(name, value, key)
    for name in _TOKEN_FIELDS:
        value = getattr(attributes, name)
        if value is not None and not (isinstance(value, str) and _TOKEN.fullmatch(value)):
            raise StorageValidationError(
                f"{name} must be a non-empty printable ASCII name without spaces, got {value!r}", key=key
            )
    if attributes.encryption is not None:
        _check_encryption(attributes.encryption, key)
    tags = _checked_tags(attributes.tags, tag_limits, key)
    if tags is attributes.tags:
        return attributes
    return ObjectAttributes(
        cache_control=attributes.cache_control,
        content_disposition=attributes.content_disposition,
        content_encoding=attributes.content_encoding,
        content_language=attributes.content_language,
        storage_class=attributes.storage_class,
        encryption=attributes.encryption,
        acl=attributes.acl,
        tags=tags,
    )


def check_supported(
    attributes: ObjectAttributes, supported: frozenset[str], *, backend: str, key: str | None = None
) -> None:
    """Refuse attributes the backend does not declare.

    Args:
        attributes: The attributes of a write.
        supported: The names the backend honours.
        backend: The backend's name.
        key: The object's key, for the error.

    Raises:
        ConfigurationError: Naming the backend and the first unsupported attribute.
    """
    unsupported = attributes.set_names() - supported
    if unsupported:
        name = min(unsupported)
        honoured = ", ".join(sorted(supported)) or "none"
        raise ConfigurationError(
            f"{backend} cannot store the attribute {name!r} (it supports: {honoured})", field=name, key=key
        )


def check_service_names(
    attributes: ObjectAttributes,
    *,
    backend: str,
    storage_classes: Collection[str] | None = None,
    acls: Collection[str] | None = None,
    encryption_modes: Collection[str] = _ENCRYPTION_MODES,
) -> None:
    """Refuse, before any request, the names a backend's service does not have.

    Called by a driver (it knows its service's names) from inside a primitive, so that
    the engine's error boundary names the key.

    Args:
        attributes: The checked attributes of a write.
        backend: The backend's name, for messages.
        storage_classes: The service's storage classes (``None``: any name goes).
        acls: The service's predefined ACLs (``None``: any name goes).
        encryption_modes: The :class:`~litestar_storages.attributes.Encryption` modes it has.

    Raises:
        RefusedArgument: For a storage class or ACL the service does not name (a
            :class:`~litestar_storages.exceptions.StorageValidationError` once translated).
        ConfigurationError: For an encryption mode the service does not have.
    """
    for name, allowed, what in (("storage_class", storage_classes, "storage class"), ("acl", acls, "predefined ACL")):
        value = getattr(attributes, name)
        if value is not None and allowed is not None and value not in allowed:
            raise RefusedArgument(f"{name} {value!r} is not a {what} of {backend}: {', '.join(sorted(allowed))}")
    encryption = attributes.encryption
    if encryption is not None and encryption.mode not in encryption_modes:
        other = " or ".join(_ENCRYPTION_CALLS[mode] for mode in sorted(encryption_modes))
        raise ConfigurationError(
            f"{backend} cannot store the attribute 'encryption' in mode {encryption.mode!r}: use {other}",
            field="encryption",
        )


def _check_header_value(name: str, value: object, key: str | None) -> None:
    if not isinstance(value, str):
        raise StorageValidationError(f"{name} must be a str, got {value!r}", key=key)
    if len(value) > MAX_HEADER_VALUE_LENGTH:
        raise StorageValidationError(f"{name} is longer than {MAX_HEADER_VALUE_LENGTH} characters", key=key)
    if not _HEADER_VALUE.fullmatch(value):
        raise StorageValidationError(
            f"{name} must be printable ASCII without control characters (CR, LF, ...) or leading and "
            f"trailing spaces, got {value!r}",
            key=key,
        )


def _check_encryption(encryption: object, key: str | None) -> None:
    if not isinstance(encryption, Encryption) or encryption.mode not in _ENCRYPTION_MODES:
        raise StorageValidationError(
            f"encryption must be Encryption.managed(), .kms(key_id) or .scope(name), got {encryption!r}", key=key
        )
    if encryption.mode == "managed":
        if encryption.key is not None:
            raise StorageValidationError("Encryption.managed() takes no key", key=key)
    elif not (isinstance(encryption.key, str) and _TOKEN.fullmatch(encryption.key)):
        raise StorageValidationError(
            f"the {encryption.mode} encryption key must be a non-empty printable ASCII name without spaces, "
            f"got {encryption.key!r}",
            key=key,
        )


def _checked_tags(tags: object, limits: TagLimits, key: str | None) -> Mapping[str, str]:
    if not isinstance(tags, Mapping):
        raise StorageValidationError(f"tags must be a mapping of str to str, got {tags!r}", key=key)
    if not tags:
        return tags
    # Counted before anything else is looked at: a huge map fails at once.
    if len(tags) > limits.max_tags:
        raise StorageValidationError(f"at most {limits.max_tags} tags are allowed, got {len(tags)}", key=key)
    checked: dict[str, str] = {}
    for tag, value in tags.items():
        _check_tag_part("tag key", tag, limits.max_key_length, limits, key)
        _check_tag_part(f"value of tag {tag!r}", value, limits.max_value_length, limits, key)
        checked[tag] = value
    return checked


def _check_tag_part(what: str, text: object, longest: int, limits: TagLimits, key: str | None) -> None:
    if not isinstance(text, str) or not text:
        raise StorageValidationError(f"{what} must be a non-empty str, got {text!r}", key=key)
    if len(text) > longest:
        raise StorageValidationError(f"{what} is longer than {longest} characters", key=key)
    if not limits.characters.fullmatch(text):
        raise StorageValidationError(f"{what} {text!r} may only hold {limits.description}", key=key)
