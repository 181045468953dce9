"""The syntax of a content type: RFC 9110's ``media-type``, ASCII only, bounded length.

A content type becomes an HTTP header on every cloud (``Content-Type``,
``x-ms-blob-content-type``) and a signed value in upload URLs, so the same syntax is
required everywhere, before any request::

    media-type = type "/" subtype *( OWS ";" OWS [ parameter ] )
    type, subtype, parameter-name = token    (1*tchar)
    parameter  = parameter-name "=" ( token / quoted-string )
    tchar      = ALPHA / DIGIT / one of  ! # $ % & ' * + - . ^ _ ` | ~
    OWS        = *( SP / HTAB )

Two rules are added to the grammar. Only ASCII: RFC 9110's ``obs-text`` (bytes 0x80-0xFF
in a quoted string) is refused, because services sign headers as text and disagree on
how to encode it (Azure answers 403 to ``text/é``). And no trailing whitespace: a header
value never ends with whitespace (RFC 9110, section 5.5), so ``"text/plain; "`` would
not round-trip, and Azure, which trims it before checking the signature, answers 403.
"""

from __future__ import annotations

import re

__all__ = ("MAX_MEDIA_TYPE_LENGTH", "is_media_type")

MAX_MEDIA_TYPE_LENGTH = 1024
"""Longest content type accepted, in characters (S3's limit for ``ContentType``)."""

# token = 1*tchar
_TCHARS = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
# qdtext: HTAB, SP and VCHAR but '"' and '\'; quoted-pair: '\' then HTAB, SP or VCHAR.
_QUOTED_STRING = r'"(?:[\t \x21\x23-\x5b\x5d-\x7e]|\\[\t \x21-\x7e])*"'
_PARAMETER = rf"{_TCHARS}=(?:{_TCHARS}|{_QUOTED_STRING})"
# Each repetition must consume a ";", so matching is linear in the length.
_MEDIA_TYPE = re.compile(rf"{_TCHARS}/{_TCHARS}(?:[ \t]*;[ \t]*(?:{_PARAMETER})?)*")


def is_media_type(text: str) -> bool:
    """Tell whether ``text`` is a content type every backend stores as it is.

    Args:
        text: The candidate, for example ``'text/plain; charset="utf-8"'``.

    Returns:
        ``True`` when it follows the grammar of this module, has no trailing whitespace
        and is at most :data:`MAX_MEDIA_TYPE_LENGTH` characters long.
    """
    return (
        len(text) <= MAX_MEDIA_TYPE_LENGTH
        and not text.endswith((" ", "\t"))
        and _MEDIA_TYPE.fullmatch(text) is not None
    )
