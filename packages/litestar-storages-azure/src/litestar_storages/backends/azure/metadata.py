"""Encoding custom metadata so any name and value the core accepts round-trips on Azure.

Azure stores metadata as ``x-ms-meta-<name>`` headers whose names must be C#
identifiers (letters, digits, ``_``; no leading digit) and whose values must be
ASCII. The core allows names with ``-`` and ``.`` (``x-trace-id``) and any text
value, so both are encoded, reversibly and only when needed:

* A name that is already a valid identifier (``author``, ``trace_id``) is stored as
  is, unless it starts with the marker ``lsm_``. Any other name is stored as ``lsm_``
  followed by the name with ``_`` written ``__``, ``-`` written ``_h`` and ``.``
  written ``_d``: ``x-trace-id`` becomes ``lsm_x_htrace_hid``.
* A value made of printable ASCII, without leading or trailing spaces (HTTP would
  strip them) and not itself looking like an encoded value, is stored as is. Any other
  value (non-ASCII, tabs, empty, padded) is stored as ``=?utf-8?b?<base64>?=`` (the
  MIME encoded-word form): ``"ünï"`` becomes ``=?utf-8?b?w7xuw68=?=``.

Other Azure clients (the portal, ``az storage blob metadata show``) therefore see
plain names and values whenever they were plain to begin with.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping

__all__ = ("decode_metadata", "encode_metadata")

_MARKER = "lsm_"
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*\Z")
_NAME_ESCAPES = {"_": "__", "-": "_h", ".": "_d"}
_NAME_UNESCAPES = {"_": "_", "h": "-", "d": "."}
_VALUE_PREFIX = "=?utf-8?b?"
_VALUE_SUFFIX = "?="
_PLAIN_VALUE = re.compile(r"[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?\Z")


def _encode_name(name: str) -> str:
    if _IDENTIFIER.match(name) and not name.startswith(_MARKER):
        return name
    return _MARKER + "".join(_NAME_ESCAPES.get(char, char) for char in name)


def _decode_name(stored: str) -> str:
    stored = stored.lower()  # Azure compares names without case; some tools upper-case them
    if not stored.startswith(_MARKER):
        return stored
    decoded: list[str] = []
    chars = iter(stored[len(_MARKER) :])
    for char in chars:
        if char == "_":
            escaped = next(chars, "")
            decoded.append(_NAME_UNESCAPES.get(escaped, "_" + escaped))
        else:
            decoded.append(char)
    return "".join(decoded)


def _encode_value(value: str) -> str:
    if _PLAIN_VALUE.match(value) and not value.startswith(_VALUE_PREFIX):
        return value
    # surrogatepass: the core lets lone surrogates through, and they must round-trip too.
    return _VALUE_PREFIX + base64.b64encode(value.encode("utf-8", "surrogatepass")).decode("ascii") + _VALUE_SUFFIX


def _decode_value(stored: str) -> str:
    if stored.startswith(_VALUE_PREFIX) and stored.endswith(_VALUE_SUFFIX):
        payload = stored[len(_VALUE_PREFIX) : len(stored) - len(_VALUE_SUFFIX)]
        try:
            return base64.b64decode(payload, validate=True).decode("utf-8", "surrogatepass")
        except (binascii.Error, UnicodeDecodeError):
            return stored  # written by another tool; show it as it is
    return stored


def encode_metadata(metadata: Mapping[str, str]) -> dict[str, str]:
    """Encode metadata checked by the core for Azure's headers.

    Args:
        metadata: Names (lowercase) and values from
            :func:`~litestar_storages.content.validate_metadata`.

    Returns:
        Names and values Azure accepts.
    """
    return {_encode_name(name): _encode_value(value) for name, value in metadata.items()}


def decode_metadata(stored: Mapping[str, str] | None) -> dict[str, str]:
    """Decode metadata read from Azure back into what was stored.

    Args:
        stored: The blob's metadata as the SDK returns it.

    Returns:
        The original names and values.
    """
    if not stored:
        return {}
    return {_decode_name(name): _decode_value(value) for name, value in stored.items()}
