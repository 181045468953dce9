"""Content types and custom metadata: the rules every backend applies before a request.

One set of rules, so that what one backend refuses, all refuse, and code tested on
:class:`~litestar_storages.backends.memory.MemoryStorage` behaves the same on S3:

* a content type given explicitly must be an RFC 9110 media type (see
  :mod:`litestar_storages.media_types`); it is stored as given, never normalised;
* metadata names are ASCII letters, digits, ``-``, ``_`` and ``.``, case-insensitive;
* metadata values are text without the characters of :func:`forbidden_character`;
* at most :data:`MAX_METADATA_ITEMS` pairs of at most :data:`MAX_METADATA_BYTES`
  bytes in all, counted as S3 counts them.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Mapping
from typing import overload

from litestar_storages.exceptions import InvalidMetadataError
from litestar_storages.media_types import MAX_MEDIA_TYPE_LENGTH, is_media_type

__all__ = (
    "DEFAULT_CONTENT_TYPE",
    "MAX_METADATA_BYTES",
    "MAX_METADATA_ITEMS",
    "forbidden_character",
    "guess_content_type",
    "metadata_size",
    "resolve_content_type",
    "validate_content_type",
    "validate_metadata",
)

_METADATA_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")

# Control characters (Unicode category Cc: C0, DEL, C1 including NEL U+0085), the line
# and paragraph separators (Zl U+2028, Zp U+2029: with CR, LF, VT, FF and NEL, every
# character Unicode defines as a line break), and lone surrogates (Cs), which no UTF
# encoding can carry. One regex: a per-character unicodedata lookup is ~50x slower.
_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")

DEFAULT_CONTENT_TYPE = "application/octet-stream"
"""Content type of objects whose type is neither given nor guessable from the key."""

MAX_METADATA_BYTES = 2048
"""Most bytes of custom metadata per object: S3's limit, the strictest of the clouds.

Measured as S3 measures it: the sum, over every pair, of the UTF-8 length of the name
(in lower case, as stored) plus the UTF-8 length of the value. Azure and GCS allow
8 KiB; enforcing S3's limit everywhere keeps code tested on one backend valid on all."""

MAX_METADATA_ITEMS = 64
"""Most custom metadata pairs per object.

No service documents a count limit, but each pair is one response header on S3 and
Azure, and aiohttp (under aiobotocore and azure-core) refuses a response with more
than 128 headers: an object with ~100 pairs could be written, then never read."""


def guess_content_type(key: str) -> str:
    """Guess a MIME type from the key's extension.

    Args:
        key: The object's key.

    Returns:
        The guessed type, or :data:`DEFAULT_CONTENT_TYPE` for unknown extensions.
    """
    guessed, _ = mimetypes.guess_type(key, strict=False)
    return guessed or DEFAULT_CONTENT_TYPE


@overload
def validate_content_type(content_type: str, *, key: str | None = None) -> str: ...


@overload
def validate_content_type(content_type: None, *, key: str | None = None) -> None: ...


def validate_content_type(content_type: str | None, *, key: str | None = None) -> str | None:
    """Check a content type given by the caller and return it unchanged.

    The one check behind every place a content type enters: ``put``,
    ``start_multipart_upload``, ``put_large``, ``url`` and ``upload_form``. The type is
    kept as given (``Text/HTML; Charset=UTF-8`` stays so; media types compare without
    case, so this changes nothing for HTTP clients). ``None`` means "not given".

    Args:
        content_type: The caller's content type, or ``None``.
        key: The key it is for, named in the error.

    Returns:
        ``content_type``, unchanged.

    Raises:
        InvalidMetadataError: If it is not ``None`` and not an RFC 9110 media type of
            ASCII characters, at most 1024 long, without trailing whitespace
            (:func:`~litestar_storages.media_types.is_media_type`); ``""`` included.
    """
    if content_type is None:
        return None
    if not isinstance(content_type, str):
        raise InvalidMetadataError(
            f"Invalid content type {content_type!r}: must be str, not {type(content_type).__name__}", key=key
        )
    if not is_media_type(content_type):
        shown = content_type if len(content_type) <= 80 else content_type[:80] + "..."
        raise InvalidMetadataError(
            f"Invalid content type {shown!r}: expected an RFC 9110 media type such as "
            f"'text/plain; charset=utf-8' (ASCII only, at most {MAX_MEDIA_TYPE_LENGTH} characters, "
            "no trailing whitespace); omit it (None) to guess it from the key",
            key=key,
        )
    return content_type


def resolve_content_type(key: str, content_type: str | None) -> str:
    """Return the content type to store: the given one, checked, else one guessed from the key.

    Args:
        key: The object's key.
        content_type: The caller's content type, or ``None`` to guess it.

    Returns:
        The content type to store.

    Raises:
        InvalidMetadataError: If the given content type is invalid (see
            :func:`validate_content_type`); ``""`` is refused, not replaced by a guess.
    """
    if content_type is None:
        return guess_content_type(key)
    return validate_content_type(content_type, key=key)


def forbidden_character(text: str) -> str | None:
    """Return the first character of ``text`` that a metadata value may not hold.

    Forbidden: the control characters (Unicode category Cc: U+0000-U+001F including
    tab, CR and LF, U+007F DEL, and U+0080-U+009F including NEL U+0085), the line and
    paragraph separators U+2028 and U+2029, and lone surrogates U+D800-U+DFFF. Every
    other character is allowed, including format characters such as the zero-width
    joiner of emoji sequences and U+FEFF, which cannot end a header line.

    Args:
        text: The text to look at.

    Returns:
        The first forbidden character, or ``None`` when there is none.
    """
    match = _FORBIDDEN.search(text)
    return match.group() if match else None


def metadata_size(metadata: Mapping[str, str]) -> int:
    """Measure metadata as S3 does: UTF-8 bytes of every name plus every value.

    Args:
        metadata: Names and values (names as stored, in lower case).

    Returns:
        The size in bytes that :data:`MAX_METADATA_BYTES` bounds.
    """
    return sum(
        len(name.encode("utf-8", "surrogatepass")) + len(value.encode("utf-8", "surrogatepass"))
        for name, value in metadata.items()
    )


def validate_metadata(metadata: Mapping[str, str] | None, *, key: str | None = None) -> dict[str, str]:
    """Check custom metadata and return a copy of it.

    Names and values must be ``str``. Names are case-insensitive and returned in lower
    case on every backend (S3 lower-cases them, Azure compares them without case); they
    may hold ASCII letters, digits, ``-``, ``_`` and ``.``, starting with a letter or
    digit. Values may hold any text but the characters of :func:`forbidden_character`.
    At most :data:`MAX_METADATA_ITEMS` pairs, of at most :data:`MAX_METADATA_BYTES` in
    all (:func:`metadata_size`). These rules hold on every backend because the clouds
    send metadata as HTTP headers; backends encode non-ASCII values as needed.

    Args:
        metadata: The caller's metadata, or ``None``.
        key: The key the metadata belongs to, for error messages.

    Returns:
        A new ``dict`` (never the caller's object).

    Raises:
        InvalidMetadataError: If a name or value breaks a rule, or a limit is exceeded;
            the message names the rule, or the limit and the measured size.
    """
    if metadata is None:
        return {}
    if not isinstance(metadata, Mapping):
        raise InvalidMetadataError(f"Metadata must be a mapping of str to str, not {type(metadata).__name__}", key=key)
    if len(metadata) > MAX_METADATA_ITEMS:
        raise InvalidMetadataError(
            f"Too much metadata: {len(metadata)} pairs exceed the limit of {MAX_METADATA_ITEMS}", key=key
        )
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
        char = forbidden_character(value)
        if char is not None:
            raise InvalidMetadataError(
                f"Invalid metadata value for {name!r}: character U+{ord(char):04X} is not allowed "
                "(control characters, line and paragraph separators, lone surrogates)",
                key=key,
            )
        checked[lowered] = value
    size = metadata_size(checked)
    if size > MAX_METADATA_BYTES:
        raise InvalidMetadataError(
            f"Too much metadata: {size} bytes exceed the limit of {MAX_METADATA_BYTES} "
            "(UTF-8 bytes of every name plus every value, as S3 counts them)",
            key=key,
        )
    return checked
