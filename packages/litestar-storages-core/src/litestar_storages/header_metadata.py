"""Metadata values carried as HTTP headers: ASCII on the wire, any text for the caller.

Clouds send custom metadata as response headers (``x-amz-meta-*``, ``x-ms-meta-*``,
``x-goog-meta-*``), which carry printable ASCII. A value that is not plain printable
ASCII (accents, emoji, tabs), starts or ends with a space (HTTP strips them), is empty,
or could be mistaken for an encoded word, is sent as one RFC 2047 encoded word,
``=?UTF-8?B?<base64>?=``; reads decode it (and S3's own encoding of non-ASCII values),
so values round-trip unchanged. Drivers call these two functions around their SDK.
"""

from __future__ import annotations

import base64
import binascii
import re

__all__ = ("decode_header_value", "encode_header_value")

_PLAIN = re.compile(r"[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?")
_ENCODED_WORD = re.compile(r"=\?UTF-8\?([BbQq])\?([^?\s]*)\?=", re.IGNORECASE)


def encode_header_value(value: str) -> str:
    """Return ``value`` as an ASCII header value that :func:`decode_header_value` restores.

    Args:
        value: A metadata value, validated by :func:`~litestar_storages.content.validate_metadata`.

    Returns:
        ``value`` itself when it is safe printable ASCII, else one RFC 2047 encoded word.
    """
    if _PLAIN.fullmatch(value) and "=?" not in value:
        return value
    return "=?UTF-8?B?" + base64.b64encode(value.encode("utf-8")).decode("ascii") + "?="


def decode_header_value(value: str) -> str:
    """Undo :func:`encode_header_value`; other values are returned as they are.

    Args:
        value: A header value as the service returned it.

    Returns:
        The text.
    """
    match = _ENCODED_WORD.fullmatch(value)
    if match is None:
        return value
    kind, payload = match.groups()
    try:
        if kind in "Bb":
            return base64.b64decode(payload, validate=True).decode("utf-8")
        raw = re.sub(r"=([0-9A-Fa-f]{2})", lambda hit: chr(int(hit.group(1), 16)), payload.replace("_", " "))
        return raw.encode("latin-1").decode("utf-8")
    except (binascii.Error, UnicodeError):
        return value  # not ours after all: keep what the service stored
