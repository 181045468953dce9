"""The arguments of ``url()``: one set of checks, run before any backend work.

Every backend calls :func:`check_url_arguments` first, so a URL request refused by
one backend is refused by all, with the same exception, whatever kind of URL the
backend would have made (signed, public or ``memory://``):

* ``expires_in``: ``None`` (the backend's configured default) or a ``timedelta`` from
  :data:`MIN_URL_EXPIRY` (1 second) to :data:`MAX_URL_EXPIRY` (7 days). Seven days is
  the most S3 and GCS sign, and Azure with a user delegation key; the filesystem
  backend could sign longer with its own HMAC, and Azure with an account key, but code
  must not work on one backend and fail on another. Where the URL does not expire
  (``memory://`` URLs, public base URLs) the value is still checked, then ignored.
* ``method``: exactly ``"GET"`` or ``"PUT"``; anything else is a
  :class:`~litestar_storages.exceptions.StorageValidationError`. (A backend that
  cannot make PUT URLs raises :class:`~litestar_storages.exceptions.UnsupportedOperationError`
  afterwards: that is a capability, not an argument error.)
* ``filename``: checked by :func:`litestar_storages.disposition.check_filename`
  (no control characters), even where the backend cannot use it.
* ``content_type``: checked by :func:`litestar_storages.content.validate_content_type`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import cast

from litestar_storages.content import validate_content_type
from litestar_storages.disposition import check_filename
from litestar_storages.exceptions import StorageValidationError
from litestar_storages.keys import validate_key
from litestar_storages.protocol import HttpMethod

__all__ = (
    "MAX_URL_EXPIRY",
    "MIN_URL_EXPIRY",
    "URL_METHODS",
    "UrlArguments",
    "check_url_arguments",
    "expiry_problem",
    "validate_expiry",
    "validate_size_range",
    "validate_url_method",
)

MIN_URL_EXPIRY = timedelta(seconds=1)
"""Shortest validity of a URL."""

MAX_URL_EXPIRY = timedelta(days=7)
"""Longest validity of a URL: the most S3, GCS and Azure (user delegation) sign."""

URL_METHODS: tuple[HttpMethod, ...] = ("GET", "PUT")
"""The methods a URL can be made for."""


@dataclass(frozen=True)
class UrlArguments:
    """The checked arguments of one ``url()`` call.

    Attributes:
        key: The object's key.
        expires_in: The validity asked for, or ``None`` for the backend's default.
        method: ``"GET"`` or ``"PUT"``.
        filename: The download name (GET only; ``None`` for PUT or when not given).
        content_type: The upload content type (PUT only; ``None`` for GET or when not given).
    """

    key: str
    expires_in: timedelta | None
    method: HttpMethod
    filename: str | None
    content_type: str | None


def expiry_problem(expiry: object) -> str | None:
    """Tell what is wrong with a URL validity, for messages of arguments and settings.

    Args:
        expiry: The validity to look at.

    Returns:
        ``None`` when it is a ``timedelta`` from 1 second to 7 days, else the rule it breaks.
    """
    if not isinstance(expiry, timedelta):
        return f"must be a timedelta, not {type(expiry).__name__}"
    if not MIN_URL_EXPIRY <= expiry <= MAX_URL_EXPIRY:
        return f"must be from 1 second to 7 days, got {expiry}"
    return None


def validate_expiry(expires_in: object, *, key: str | None = None) -> timedelta | None:
    """Check the ``expires_in`` of a URL (or upload form) and return it.

    Args:
        expires_in: ``None`` for the backend's default, or the validity.
        key: The key it is for, named in the error.

    Returns:
        ``expires_in``, unchanged.

    Raises:
        StorageValidationError: If it is not ``None`` or a ``timedelta`` from 1 second to 7 days.
    """
    if expires_in is None:
        return None
    problem = expiry_problem(expires_in)
    if problem is not None:
        raise StorageValidationError(f"expires_in {problem} ({expires_in!r})", key=key)
    return cast("timedelta", expires_in)


def validate_size_range(min_size: object, max_size: object, *, key: str | None = None) -> tuple[int, int | None]:
    """Check the size bounds of an upload form and return them.

    Args:
        min_size: Smallest accepted upload in bytes.
        max_size: Largest accepted upload in bytes, or ``None`` for the service's limit.
        key: The key the form is for, named in the error.

    Returns:
        ``(min_size, max_size)``, unchanged.

    Raises:
        StorageValidationError: If a bound is not an int >= 0 (``bool`` is refused), or
            ``min_size`` exceeds ``max_size``.
    """
    for label, size in (("min_size", min_size), ("max_size", max_size)):
        if size is None and label == "max_size":
            continue
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise StorageValidationError(f"{label} must be an int >= 0, got {size!r}", key=key)
    smallest = cast("int", min_size)
    largest = cast("int | None", max_size)
    if largest is not None and smallest > largest:
        raise StorageValidationError(f"min_size ({smallest}) exceeds max_size ({largest})", key=key)
    return smallest, largest


def validate_url_method(method: object, *, key: str | None = None) -> HttpMethod:
    """Check the ``method`` of a URL and return it.

    Args:
        method: The caller's method.
        key: The key it is for, named in the error.

    Returns:
        ``"GET"`` or ``"PUT"``.

    Raises:
        StorageValidationError: For any other value, lower-case spellings included.
    """
    if method not in URL_METHODS:
        raise StorageValidationError(f"method must be 'GET' or 'PUT', got {method!r}", key=key)
    return method


def check_url_arguments(
    key: str,
    *,
    expires_in: timedelta | None = None,
    method: HttpMethod = "GET",
    filename: str | None = None,
    content_type: str | None = None,
) -> UrlArguments:
    """Check every argument of ``url()``; call it before any backend work.

    Args:
        key: The object's key.
        expires_in: The validity asked for, or ``None``.
        method: ``"GET"`` or ``"PUT"``.
        filename: The download name, or ``None``.
        content_type: The upload content type, or ``None``.

    Returns:
        The checked arguments; ``filename`` kept for GET and ``content_type`` for PUT
        only (each is checked either way).

    Raises:
        InvalidKeyError: If the key is invalid.
        StorageValidationError: If ``expires_in`` or ``method`` is invalid.
        InvalidMetadataError: If ``filename`` or ``content_type`` is invalid.
    """
    validate_key(key)
    checked_method = validate_url_method(method, key=key)
    validity = validate_expiry(expires_in, key=key)
    name = check_filename(filename, key=key)
    ctype = validate_content_type(content_type, key=key)
    return UrlArguments(
        key=key,
        expires_in=validity,
        method=checked_method,
        filename=name if checked_method == "GET" else None,
        content_type=ctype if checked_method == "PUT" else None,
    )
