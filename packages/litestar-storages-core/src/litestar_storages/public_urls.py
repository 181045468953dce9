"""Plain (unsigned) object URLs under a public base URL: a CDN or a public bucket's address."""

from __future__ import annotations

from urllib.parse import quote

from litestar_storages.exceptions import ConfigurationError

__all__ = ("check_base_url", "public_url")


def check_base_url(value: object, *, setting: str) -> None:
    """Check a configured base URL: ``None`` or ``http://`` or ``https://`` followed by a host.

    Args:
        value: The configured value.
        setting: Its name as users write it (``"S3Config.public_base_url"``), for the message.

    Raises:
        ConfigurationError: If it is anything else (``field`` names the setting's attribute).
    """
    if value is not None and not (
        isinstance(value, str) and value.startswith(("http://", "https://")) and value.partition("://")[2]
    ):
        raise ConfigurationError(f"{setting} must be an http(s) URL, got {value!r}", field=setting.rpartition(".")[2])


def public_url(base_url: str, name: str) -> str:
    """Return the URL of object ``name`` under ``base_url``.

    Every character of the name but ``/`` and the unreserved ones is percent-encoded, so
    any valid key gives one path (``?``, ``#`` and ``%`` included).

    Args:
        base_url: The checked base URL (a trailing ``/`` is ignored).
        name: The object's name (the storage's prefix included).

    Returns:
        The URL.
    """
    return f"{base_url.rstrip('/')}/{quote(name, safe='/')}"
