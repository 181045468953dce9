"""Content type inference and custom metadata rules, shared by every backend."""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Mapping

from litestar_storages.exceptions import InvalidMetadataError

__all__ = ("DEFAULT_CONTENT_TYPE", "guess_content_type", "resolve_content_type", "validate_metadata")

_METADATA_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")

DEFAULT_CONTENT_TYPE = "application/octet-stream"
"""Content type of objects whose type is neither given nor guessable from the key."""


def guess_content_type(key: str) -> str:
    """Guess a MIME type from the key's extension.

    Args:
        key: The object's key.

    Returns:
        The guessed type, or :data:`DEFAULT_CONTENT_TYPE` for unknown extensions.
    """
    guessed, _ = mimetypes.guess_type(key, strict=False)
    return guessed or DEFAULT_CONTENT_TYPE


def resolve_content_type(key: str, content_type: str | None) -> str:
    """Return the content type to store: the given one, else one guessed from the key.

    Args:
        key: The object's key.
        content_type: The caller's content type, if any.

    Returns:
        The content type to store.

    Raises:
        InvalidMetadataError: If the given content type contains CR, LF or other
            control characters (it becomes an HTTP header on the clouds).
    """
    if content_type is None or content_type == "":
        return guess_content_type(key)
    if not isinstance(content_type, str) or not _is_header_safe(content_type):
        raise InvalidMetadataError(f"Invalid content type {content_type!r} for key {key!r}", key=key)
    return content_type


def _is_header_safe(text: str) -> bool:
    # Lone surrogates are excluded too: they cannot be encoded (UTF-8, JSON, headers).
    return all(char == "\t" or (0x20 <= ord(char) != 0x7F and not 0xD800 <= ord(char) <= 0xDFFF) for char in text)


def validate_metadata(metadata: Mapping[str, str] | None, *, key: str | None = None) -> dict[str, str]:
    """Check custom metadata and return a copy of it.

    Names and values must be ``str``. Names are case-insensitive and returned in lower
    case on every backend (S3 lower-cases them, Azure compares them without case); they
    may hold ASCII letters, digits, ``-``, ``_`` and ``.``. Values may hold any text but
    CR, LF and other control characters (and lone surrogates, which no encoding can
    carry). These rules hold on every backend because the
    clouds send metadata as HTTP headers; backends encode non-ASCII values as needed.

    Args:
        metadata: The caller's metadata, or ``None``.
        key: The key the metadata belongs to, for error messages.

    Returns:
        A new ``dict`` (never the caller's object).

    Raises:
        InvalidMetadataError: If a name or value breaks a rule.
    """
    if metadata is None:
        return {}
    if not isinstance(metadata, Mapping):
        raise InvalidMetadataError(f"Metadata must be a mapping of str to str, not {type(metadata).__name__}", key=key)
    checked: dict[str, str] = {}
    for name, value in metadata.items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise InvalidMetadataError(f"Metadata names and values must be str; got {name!r}: {value!r}", key=key)
        if not _METADATA_NAME.fullmatch(name):
            raise InvalidMetadataError(
                f"Invalid metadata name {name!r}: use ASCII letters, digits, '-', '_' and '.'", key=key
            )
        lowered = name.lower()
        if lowered in checked:
            raise InvalidMetadataError(f"Duplicate metadata name {name!r} (names are case-insensitive)", key=key)
        if not _is_header_safe(value):
            raise InvalidMetadataError(
                f"Invalid metadata value for {name!r}: CR, LF and other control characters are not allowed",
                key=key,
            )
        checked[lowered] = value
    return checked
