"""HMAC-signed, expiring URLs for files served by your own web application.

A signed URL is ``{base_url}/{quoted key}?expires=...&signature=...`` (plus ``filename``
or ``content_type`` when given). The signature is an HMAC-SHA256, keyed with the
storage's secret, over the HTTP method, the key, the expiry time and those options, so
none of them can be changed without invalidating it. Nothing here depends on a web
framework: the route that serves (or accepts) the file calls :func:`verify_signature`
(or ``FileSystemStorage.verify_signed_url``) with the key from its path and the query
parameters, and answers 403 on :class:`~.errors.InvalidSignatureError`.

Example:
    >>> url = sign_url("https://files.example.com", "a b.txt", b"k" * 32, expires_at=2_000_000_000)
    >>> url.split("?")[0]
    'https://files.example.com/a%20b.txt'
    >>> query = dict(pair.split("=") for pair in url.split("?")[1].split("&"))
    >>> verify_signature("a b.txt", query, b"k" * 32, now=1_900_000_000).key
    'a b.txt'
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Union
from urllib.parse import parse_qsl, quote, urlencode

from litestar_storages.content import validate_content_type
from litestar_storages.disposition import check_filename
from litestar_storages.keys import validate_key
from litestar_storages.url_arguments import validate_url_method

from .errors import ExpiredSignatureError, InvalidSignatureError

__all__ = ("SignedAccess", "quote_key", "sign_url", "signature_query", "verify_signature")

_VERSION = "litestar-storages-fs/v1"
_METHODS = frozenset({"GET", "PUT"})
# The query values come from whoever holds (or forges) the link: ASCII digits only
# ("²".isdigit() is true, int("²") raises), at most 11 of them (year 5138; datetime
# stops at 9999), and an unpadded base64url HMAC-SHA256 of exactly 43 characters.
_EXPIRES = re.compile(r"[0-9]{1,11}")
_SIGNATURE = re.compile(r"[A-Za-z0-9_-]{43}")

Secret = Union[str, bytes]


@dataclass(frozen=True)
class SignedAccess:
    """What a verified signed URL allows.

    Attributes:
        key: The key the URL grants access to.
        method: ``"GET"`` (download) or ``"PUT"`` (upload).
        expires_at: When the URL stops working (UTC).
        filename: For downloads: the name to send in ``Content-Disposition``, if signed.
        content_type: For uploads: the ``Content-Type`` the uploader must send, if signed.
    """

    key: str
    method: str
    expires_at: datetime
    filename: str | None = None
    content_type: str | None = None


def quote_key(key: str) -> str:
    """Percent-encode a key for a URL path, keeping ``/`` between segments.

    Args:
        key: A valid key.

    Returns:
        The URL path of the key (no leading slash).
    """
    return quote(key, safe="/")


def _secret_bytes(secret: Secret) -> bytes:
    return secret.encode() if isinstance(secret, str) else secret


def _signature(
    secret: Secret, *, method: str, key: str, expires_at: int, filename: str | None, ctype: str | None
) -> str:
    # Newlines cannot occur in keys, filenames or content types, so the fields cannot run together.
    message = "\n".join((_VERSION, method, key, str(expires_at), filename or "", ctype or ""))
    digest = hmac.new(_secret_bytes(secret), message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def signature_query(
    key: str,
    secret: Secret,
    *,
    expires_at: int,
    method: str = "GET",
    filename: str | None = None,
    content_type: str | None = None,
) -> dict[str, str]:
    """Return the query parameters that sign access to ``key``.

    Args:
        key: The key.
        secret: The signing secret.
        expires_at: Expiry as a Unix timestamp (seconds).
        method: ``"GET"`` or ``"PUT"``.
        filename: Download name to bind into the signature (GET).
        content_type: Upload content type to bind into the signature (PUT).

    Returns:
        ``expires``, optional ``filename``/``content_type``, and ``signature``.
    """
    validate_key(key)
    # The rules of every backend's url(), so sign_url called directly is no looser.
    method = validate_url_method(method, key=key)
    filename = check_filename(filename, key=key)
    content_type = validate_content_type(content_type, key=key)
    query = {"expires": str(int(expires_at))}
    if filename is not None:
        query["filename"] = filename
    if content_type is not None:
        query["content_type"] = content_type
    query["signature"] = _signature(
        secret, method=method, key=key, expires_at=int(expires_at), filename=filename, ctype=content_type
    )
    return query


def sign_url(
    base_url: str,
    key: str,
    secret: Secret,
    *,
    expires_at: int,
    method: str = "GET",
    filename: str | None = None,
    content_type: str | None = None,
) -> str:
    """Return a signed URL for ``key`` below ``base_url``.

    Args:
        base_url: Where the route serving the files is mounted (``https://host/files``).
        key: The key.
        secret: The signing secret.
        expires_at: Expiry as a Unix timestamp (seconds).
        method: ``"GET"`` or ``"PUT"``.
        filename: Download name to bind into the signature (GET).
        content_type: Upload content type to bind into the signature (PUT).

    Returns:
        The URL.
    """
    query = signature_query(
        key, secret, expires_at=expires_at, method=method, filename=filename, content_type=content_type
    )
    return f"{base_url.rstrip('/')}/{quote_key(key)}?{urlencode(query, quote_via=quote)}"


def verify_signature(
    key: str,
    query: Union[Mapping[str, str], str],
    secret: Secret,
    *,
    method: str = "GET",
    now: float | None = None,
) -> SignedAccess:
    """Check a signed URL's query parameters for ``key``; raise unless they grant access.

    Call it from the route that serves the files, with the key decoded from the path.
    Unknown query parameters are ignored, so the route may add its own.

    Args:
        key: The key from the request path (percent-decoded).
        query: The request's query parameters, or the raw query string.
        secret: The signing secret.
        method: The request's HTTP method (``HEAD`` counts as ``GET``).
        now: The current Unix time (tests); defaults to ``time.time()``.

    Returns:
        What the URL grants.

    Raises:
        InvalidKeyError: If the key is not a valid key.
        InvalidSignatureError: If a parameter is missing or malformed, or the signature
            does not match.
        ExpiredSignatureError: If the signature matches but the URL has expired.
    """
    validate_key(key)
    params = dict(parse_qsl(query, keep_blank_values=True)) if isinstance(query, str) else query
    verb = method.upper() if isinstance(method, str) else ""
    verb = "GET" if verb == "HEAD" else verb
    if verb not in _METHODS:
        raise InvalidSignatureError(f"Signed URLs do not allow {method!r} requests", key=key)
    signature = params.get("signature")
    raw_expiry = params.get("expires")
    if (
        not isinstance(signature, str)
        or not isinstance(raw_expiry, str)
        or not _SIGNATURE.fullmatch(signature)
        or not _EXPIRES.fullmatch(raw_expiry)
    ):
        raise InvalidSignatureError(f"Missing or malformed signature parameters for {key!r}", key=key)
    expires_at = int(raw_expiry)
    filename = params.get("filename") or None
    content_type = params.get("content_type") or None
    expected = _signature(secret, method=verb, key=key, expires_at=expires_at, filename=filename, ctype=content_type)
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise InvalidSignatureError(f"Invalid signature for {key!r}", key=key)
    current = time.time() if now is None else now
    if current >= expires_at:
        raise ExpiredSignatureError(f"The signed URL for {key!r} has expired", key=key)
    return SignedAccess(
        key=key,
        method=verb,
        expires_at=datetime.fromtimestamp(expires_at, tz=timezone.utc),
        filename=filename,
        content_type=content_type,
    )
