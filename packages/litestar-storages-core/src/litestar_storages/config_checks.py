"""Checks of configuration values that every backend's config dataclass makes the same way.

Each raises :class:`~litestar_storages.exceptions.ConfigurationError` whose message starts
with the setting as users write it (``"GCSConfig.timeout"``) and whose ``field`` is the
attribute's name, as :func:`~litestar_storages.public_urls.check_base_url` does.
"""

from __future__ import annotations

from litestar_storages.exceptions import ConfigurationError, InvalidKeyError
from litestar_storages.keys import normalize_prefix
from litestar_storages.url_arguments import expiry_problem

__all__ = ("check_expiry", "check_int", "check_prefix", "check_seconds", "check_type")


def _fail(setting: str, problem: str) -> ConfigurationError:
    return ConfigurationError(f"{setting} {problem}", field=setting.rpartition(".")[2])


def check_prefix(value: object, *, setting: str) -> None:
    """Check a storage prefix (a folder of the service: ``"uploads"``, ``"a/b/"`` or ``""``).

    Raises:
        ConfigurationError: If it is not a string or not a valid prefix.
    """
    if not isinstance(value, str):
        raise _fail(setting, f"must be a str, got {value!r}")
    try:
        normalize_prefix(value)
    except InvalidKeyError as error:
        raise _fail(setting, f"is invalid: {error}") from None


def check_expiry(value: object, *, setting: str) -> None:
    """Check a default URL validity: a ``timedelta`` from 1 second to 7 days.

    Raises:
        ConfigurationError: If it is anything else.
    """
    problem = expiry_problem(value)
    if problem is not None:
        raise _fail(setting, f"{problem} ({value!r})")


def check_int(value: object, low: int, high: int, *, setting: str) -> None:
    """Check an ``int`` (not a ``bool``) from ``low`` to ``high``.

    Raises:
        ConfigurationError: If it is anything else.
    """
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise _fail(setting, f"must be an int from {low} to {high}, got {value!r}")


def check_seconds(value: object, *, setting: str) -> None:
    """Check a duration in seconds: a number (not a ``bool``) above 0.

    Raises:
        ConfigurationError: If it is anything else.
    """
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not value > 0:
        raise _fail(setting, f"must be a number of seconds > 0, got {value!r}")


def check_type(value: object, kind: type, *, setting: str) -> None:
    """Check that a setting holds an instance of ``kind`` (a ``RetryConfig``...).

    Raises:
        ConfigurationError: If it does not.
    """
    if not isinstance(value, kind):
        raise _fail(setting, f"must be a {kind.__name__}, got {type(value).__name__}")
