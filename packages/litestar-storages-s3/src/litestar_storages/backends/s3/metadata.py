"""Custom metadata values as S3 headers: ASCII only, so other text is RFC 2047 encoded.

S3 sends user metadata as ``x-amz-meta-*`` HTTP headers, which carry ASCII. A value that
is not plain printable ASCII (accents, emoji, tabs), has leading or trailing spaces (HTTP
strips them), is empty, or could itself be mistaken for an encoded word is sent as one
RFC 2047 encoded word, ``=?UTF-8?B?<base64>?=``. AWS decodes such words when it stores
the object and re-encodes them when it returns it, so other S3 tools see the real text;
reads decode them here, so values round-trip unchanged.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from email.header import decode_header

__all__ = ("decode_metadata", "decode_value", "encode_metadata", "encode_value")

_PLAIN = re.compile(r"[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?")
_ENCODED_WORDS = re.compile(r"=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=(?:\s+=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=)*")


def encode_value(value: str) -> str:
    """Return ``value`` as an ASCII header value that :func:`decode_value` restores.

    Args:
        value: A metadata value (already validated: no CR, LF or control characters).

    Returns:
        ``value`` itself when it is safe printable ASCII, else one RFC 2047 encoded word.
    """
    if _PLAIN.fullmatch(value) and "=?" not in value:
        return value
    return "=?UTF-8?B?" + base64.b64encode(value.encode("utf-8")).decode("ascii") + "?="


def decode_value(value: str) -> str:
    """Undo :func:`encode_value` (and S3's own RFC 2047 encoding of non-ASCII values).

    Args:
        value: A header value as S3 returned it.

    Returns:
        The original text.
    """
    if not _ENCODED_WORDS.fullmatch(value):
        return value
    try:
        parts = decode_header(value)
        return "".join(part.decode(charset or "ascii") if isinstance(part, bytes) else part for part, charset in parts)
    except (LookupError, UnicodeDecodeError, ValueError):
        # Not an encoded word after all (unknown charset, bad bytes): keep it as sent.
        return value


def encode_metadata(metadata: Mapping[str, str]) -> dict[str, str]:
    """Encode every value of validated metadata for S3.

    Args:
        metadata: Names (lower case) to values.

    Returns:
        A new dict with header-safe values.
    """
    return {name: encode_value(value) for name, value in metadata.items()}


def decode_metadata(metadata: Mapping[str, str] | None) -> dict[str, str]:
    """Decode the metadata of an S3 answer.

    Args:
        metadata: ``Metadata`` of a HeadObject or GetObject answer.

    Returns:
        A new dict with names in lower case and values decoded.
    """
    if not metadata:
        return {}
    return {name.lower(): decode_value(value) for name, value in metadata.items()}
