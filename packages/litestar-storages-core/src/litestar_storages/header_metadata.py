"""Metadata values carried as HTTP headers: ASCII on the wire, any text for the caller.

Clouds send custom metadata as response headers (``x-amz-meta-*``, ``x-ms-meta-*``,
``x-goog-meta-*``), which carry printable ASCII. A value that is not plain printable
ASCII (accents, emoji, tabs), starts or ends with a space (HTTP strips them), is empty,
or could be mistaken for an encoded word, is sent as one RFC 2047 encoded word,
``=?UTF-8?B?<base64>?=``; reads decode it (and S3's own encoding of non-ASCII values),
so values round-trip unchanged; several adjacent encoded words (what S3 returns for a
long value it stored as raw UTF-8) are decoded as one text. Drivers call these
functions around their SDK.

Azure also requires metadata *names* to be C# identifiers (letters, digits, ``_``; no
leading digit), while the core allows ``-`` and ``.`` (``x-trace-id``):
:func:`encode_identifier_name` stores such a name as ``lsm_`` followed by the name with
``_`` written ``__``, ``-`` written ``_h`` and ``.`` written ``_d`` (``x-trace-id``
becomes ``lsm_x_htrace_hid``); a name that already is an identifier is kept as it is
(unless it starts with ``lsm_``). The Azure backend stores names the same way, so
objects written by either read back the same through the other.
"""

from __future__ import annotations

import base64
import binascii
import re

__all__ = ("decode_header_value", "decode_identifier_name", "encode_header_value", "encode_identifier_name")

_NAME_MARKER = "lsm_"
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")
_NAME_ESCAPES = {"_": "__", "-": "_h", ".": "_d"}
_NAME_UNESCAPES = {"_": "_", "h": "-", "d": "."}

_PLAIN = re.compile(r"[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?")
_WORD = r"=\?UTF-8\?[BbQq]\?[^?\s]*\?="
_ENCODED_WORD = re.compile(r"=\?UTF-8\?([BbQq])\?([^?\s]*)\?=", re.IGNORECASE)
_ENCODED_WORDS = re.compile(_WORD + r"(?:\s+" + _WORD + r")*", re.IGNORECASE)


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
    if _ENCODED_WORDS.fullmatch(value) is None:
        return value
    try:
        # Adjacent words are one text (RFC 2047: the space between them is not part of
        # it), joined as bytes, since a character may be split across two words.
        raw = b"".join(_word_bytes(kind, payload) for kind, payload in _ENCODED_WORD.findall(value))
        return raw.decode("utf-8")
    except (binascii.Error, UnicodeError):
        return value  # not ours after all: keep what the service stored


def _word_bytes(kind: str, payload: str) -> bytes:
    if kind in "Bb":
        return base64.b64decode(payload, validate=True)
    text = re.sub(r"=([0-9A-Fa-f]{2})", lambda hit: chr(int(hit.group(1), 16)), payload.replace("_", " "))
    return text.encode("latin-1")


def encode_identifier_name(name: str) -> str:
    """Return a metadata name (lower case, validated) as a C# identifier, reversibly.

    Args:
        name: The name.

    Returns:
        The name itself when it is an identifier not starting with ``lsm_``, else its
        escaped form.
    """
    if _IDENTIFIER.fullmatch(name) and not name.startswith(_NAME_MARKER):
        return name
    return _NAME_MARKER + "".join(_NAME_ESCAPES.get(char, char) for char in name)


def decode_identifier_name(stored: str) -> str:
    """Undo :func:`encode_identifier_name`.

    Args:
        stored: The name as the service returned it (any case).

    Returns:
        The original name, in lower case.
    """
    stored = stored.lower()
    if not stored.startswith(_NAME_MARKER):
        return stored
    escaped, decoded, index = stored[len(_NAME_MARKER) :], [], 0
    while index < len(escaped):
        char = escaped[index]
        if char == "_" and index + 1 < len(escaped) and escaped[index + 1] in _NAME_UNESCAPES:
            decoded.append(_NAME_UNESCAPES[escaped[index + 1]])
            index += 2
            continue
        decoded.append(char)
        index += 1
    return "".join(decoded)
