"""Key rules and prefix joining, shared by every backend.

A key is a relative, forward-slash path such as ``"photos/2024/cat.jpg"``. The same
rules apply on every backend so that a key accepted by one is accepted by all and can
never address anything outside the storage (a parent folder on disk, another prefix in
a bucket).
"""

from __future__ import annotations

import re

from litestar_storages.exceptions import InvalidKeyError

__all__ = (
    "MAX_KEY_BYTES",
    "join_key",
    "normalize_prefix",
    "strip_prefix",
    "validate_folder",
    "validate_key",
    "validate_prefix",
)

MAX_KEY_BYTES = 1024
"""Longest key accepted, in UTF-8 bytes (S3's and GCS's limit)."""


# Exactly the characters of Unicode category Cc (C0, DEL and C1 controls), as a regex:
# a per-character unicodedata.category() loop made validating a long key cost ~2 ms.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


# Keys made of ASCII letters, digits, "_", "-" and "." whose segments do not start with
# "." (so none is "." or ".."): what nearly every key looks like, accepted by one regex
# match instead of the full checks below (which accept them too; the rest goes there).
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*")


def _control_character(text: str) -> str | None:
    match = _CONTROL.search(text)
    return match.group() if match else None


def _check_characters(value: str, *, what: str, key: str) -> None:
    if "\\" in value:
        raise InvalidKeyError(f"Invalid {what} {value!r}: backslashes are not allowed; use '/'", key=key)
    char = _control_character(value)
    if char is not None:
        raise InvalidKeyError(
            f"Invalid {what} {value!r}: control character {char!r} (U+{ord(char):04X}) is not allowed", key=key
        )
    try:
        encoded = value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidKeyError(f"Invalid {what} {value!r}: it is not valid Unicode (lone surrogate)", key=key) from None
    if len(encoded) > MAX_KEY_BYTES:
        raise InvalidKeyError(
            f"Invalid {what} {value[:40]!r}...: {len(encoded)} UTF-8 bytes exceeds the {MAX_KEY_BYTES}-byte limit",
            key=key,
        )


def validate_key(key: str) -> str:
    """Check that ``key`` is a safe object key and return it unchanged.

    Rules: a non-empty ``str``; relative (no leading ``/``); ``/``-separated with no
    empty, ``.`` or ``..`` segments (so no trailing or doubled slash either); no
    backslash, NUL or other control character; at most :data:`MAX_KEY_BYTES` UTF-8 bytes.

    Args:
        key: The key to check.

    Returns:
        The key, unchanged.

    Raises:
        InvalidKeyError: If a rule is broken; the message names the key and the rule.
    """
    if type(key) is str and len(key) <= MAX_KEY_BYTES and _PLAIN_KEY.fullmatch(key):
        return key  # ASCII: as many bytes as characters
    if not isinstance(key, str):
        raise InvalidKeyError(f"Invalid key {key!r}: keys must be str, not {type(key).__name__}")
    if not key:
        raise InvalidKeyError("Invalid key '': keys must not be empty", key=key)
    _check_characters(key, what="key", key=key)
    if key.startswith("/"):
        raise InvalidKeyError(f"Invalid key {key!r}: keys must be relative (no leading '/')", key=key)
    for segment in key.split("/"):
        if segment == "":
            raise InvalidKeyError(f"Invalid key {key!r}: empty path segment ('//' or trailing '/')", key=key)
        if segment in {".", ".."}:
            raise InvalidKeyError(f"Invalid key {key!r}: '.' and '..' segments are not allowed", key=key)
    return key


def validate_prefix(prefix: str) -> str:
    """Check a listing prefix and return it unchanged.

    A listing prefix is any leading part of a key, so it may be empty, end with ``/``
    or stop mid-segment (``"photos/ca"``). It obeys the character rules of
    :func:`validate_key` and must not start with ``/`` or contain ``.``/``..`` segments.

    Args:
        prefix: The prefix to check.

    Returns:
        The prefix, unchanged.

    Raises:
        InvalidKeyError: If the prefix could never match a valid key.
    """
    if not isinstance(prefix, str):
        raise InvalidKeyError(f"Invalid prefix {prefix!r}: prefixes must be str, not {type(prefix).__name__}")
    if not prefix:
        return prefix
    _check_characters(prefix, what="prefix", key=prefix)
    if prefix.startswith("/"):
        raise InvalidKeyError(f"Invalid prefix {prefix!r}: prefixes must be relative (no leading '/')", key=prefix)
    segments = prefix.split("/")
    # The last segment may be partial or empty ("photos/"); the others are whole.
    for segment in segments[:-1]:
        if segment in {"", ".", ".."}:
            raise InvalidKeyError(f"Invalid prefix {prefix!r}: empty, '.' or '..' path segment", key=prefix)
    return prefix


def validate_folder(prefix: str) -> str:
    """Check the folder given to ``list_dir`` and return it in ``"some/folder/"`` form (or ``""``).

    ``""`` is the root; ``"a/b"`` and ``"a/b/"`` name the same folder. Without its one
    trailing ``/``, a folder must be a valid key (:func:`validate_key`): no leading
    ``/``, no empty, ``.`` or ``..`` segment, no control character or backslash.
    Unlike a listing prefix, a folder never stops mid-segment: ``"a/b"`` lists what is
    in ``a/b/``, never ``a/bc``.

    Args:
        prefix: The folder to check.

    Returns:
        ``""`` or the folder ending with exactly one ``/``.

    Raises:
        InvalidKeyError: If the folder could not hold a valid key.
    """
    if not isinstance(prefix, str):
        raise InvalidKeyError(f"Invalid folder {prefix!r}: folders must be str, not {type(prefix).__name__}")
    if not prefix:
        return prefix
    body = prefix[:-1] if prefix.endswith("/") else prefix
    if type(prefix) is str and len(body) < MAX_KEY_BYTES and _PLAIN_KEY.fullmatch(body):
        return body + "/"  # ASCII: as many bytes as characters, the "/" included
    _check_characters(body + "/", what="folder", key=prefix)
    if body.startswith("/") or not body:
        raise InvalidKeyError(f"Invalid folder {prefix!r}: folders must be relative (no leading '/')", key=prefix)
    for segment in body.split("/"):
        if segment in {"", ".", ".."}:
            raise InvalidKeyError(
                f"Invalid folder {prefix!r}: empty, '.' or '..' path segment (a doubled or leading '/')", key=prefix
            )
    return body + "/"


def normalize_prefix(prefix: str) -> str:
    """Turn a configured storage prefix into ``"some/folder/"`` form (or ``""``).

    Leading and trailing slashes are dropped and one trailing ``/`` is added, so
    ``"uploads"``, ``"/uploads/"`` and ``"uploads/"`` all mean the same folder.

    Args:
        prefix: The prefix from a backend's configuration.

    Returns:
        The normalized prefix.

    Raises:
        InvalidKeyError: If the prefix contains a segment a key could not.
    """
    stripped = prefix.strip("/")
    if not stripped:
        return ""
    validate_key(stripped)
    return stripped + "/"


def join_key(prefix: str, key: str) -> str:
    """Join a normalized storage prefix and a key into the backend's object name.

    Args:
        prefix: A prefix returned by :func:`normalize_prefix`.
        key: A key (validated by the caller).

    Returns:
        ``prefix + key``.
    """
    return prefix + key


def strip_prefix(prefix: str, name: str) -> str:
    """Remove a normalized storage prefix from a backend's object name.

    Args:
        prefix: A prefix returned by :func:`normalize_prefix`.
        name: An object name that starts with ``prefix``.

    Returns:
        The key relative to the storage.
    """
    return name[len(prefix) :] if prefix and name.startswith(prefix) else name
